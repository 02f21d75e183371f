// ConfigError: one problem per line of its message.
import { ConfigError } from './errors.js';

describe('ConfigError', () => {
  it('joins several problems into a message of one line each', () => {
    const error = new ConfigError(['a.yaml: x: required', 'a.yaml: y: unknown key']);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ConfigError');
    expect(error.message).toBe('a.yaml: x: required\na.yaml: y: unknown key');
    expect(error.problems).toEqual(['a.yaml: x: required', 'a.yaml: y: unknown key']);
  });

  it('accepts a single message', () => {
    const error = new ConfigError('Configuration references unset environment variable X');
    expect(error.problems).toEqual([error.message]);
  });
});
