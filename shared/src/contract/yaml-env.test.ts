// ${ENV:NAME} substitution and multi-document YAML parsing with errors that name the source and line.
import { ConfigError } from './errors.js';
import { parseYamlDocuments, substituteEnv } from './yaml-env.js';

describe('substituteEnv', () => {
  it(`replaces every \${ENV:NAME} reference`, () => {
    const env = { SECRET: 's3cr3t', PORT_2: '9090', EMPTY: '' };
    expect(substituteEnv(`a: \${ENV:SECRET}\nb: \${ENV:PORT_2}\nc: "\${ENV:SECRET}-\${ENV:EMPTY}"`, env)).toBe(
      'a: s3cr3t\nb: 9090\nc: "s3cr3t-"',
    );
  });

  it(`leaves text without references, and other \${...} forms, alone`, () => {
    expect(substituteEnv(`a: \${HOME}\nb: $ENV:X\nc: \${ENV:}`, {})).toBe(`a: \${HOME}\nb: $ENV:X\nc: \${ENV:}`);
  });

  it('reads process.env by default', () => {
    process.env.JUNCTION_YAML_ENV_TEST = 'from-process';
    try {
      expect(substituteEnv(`\${ENV:JUNCTION_YAML_ENV_TEST}`)).toBe('from-process');
    } finally {
      delete process.env.JUNCTION_YAML_ENV_TEST;
    }
  });

  it('throws a ConfigError naming each unset variable', () => {
    const attempt = () => substituteEnv(`a: \${ENV:MISSING}\nb: \${ENV:OTHER}\nc: \${ENV:MISSING}`, { SET: 'x' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      'Configuration references unset environment variable MISSING\n' +
        'Configuration references unset environment variable OTHER',
    );
  });
});

describe('parseYamlDocuments', () => {
  it('returns each document of a multi-document text', () => {
    expect(parseYamlDocuments('a: 1\n---\nb: [x, y]\n', 'r.yaml')).toEqual([{ a: 1 }, { b: ['x', 'y'] }]);
  });

  it('skips empty documents and returns nothing for an empty text', () => {
    expect(parseYamlDocuments('---\na: 1\n---\n---\n# only a comment\n---\nb: 2\n', 'r.yaml')).toEqual([
      { a: 1 },
      { b: 2 },
    ]);
    expect(parseYamlDocuments('', 'r.yaml')).toEqual([]);
    expect(parseYamlDocuments('# nothing here\n', 'r.yaml')).toEqual([]);
  });

  it('names the source and line of a syntax error', () => {
    expect(() => parseYamlDocuments('a: 1\nb: [1, 2\nc: 3\n', 'gateway.yaml')).toThrow(
      /^gateway\.yaml: line 3, column 1: Flow sequence in block collection must be sufficiently indented/,
    );
  });

  it('reports duplicate keys', () => {
    expect(() => parseYamlDocuments('---\na: 1\n---\nb: 1\nb: 2\n', 'r.yaml')).toThrow(
      new ConfigError('r.yaml: line 5, column 1: Map keys must be unique'),
    );
  });

  it('reports an unresolved alias with its document line', () => {
    expect(() => parseYamlDocuments('a: 1\n---\nx: *nope\n', 'r.yaml')).toThrow(/^r\.yaml: line 3: Unresolved alias/);
  });
});
