// Durations as written in config, to milliseconds and back.
import { formatDuration, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['5s', 5000],
    ['10m', 600_000],
    ['24h', 86_400_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
  ])('%s → %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '10', 'ten minutes', '5 m', '-1s', '1y'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('formats whole units compactly', () => {
    expect(formatDuration(120_000)).toBe('2m');
    expect(formatDuration(1500)).toBe('1500ms');
  });
});
