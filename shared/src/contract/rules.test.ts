// CEL routing rules: every request variable, operators and functions, what compilation rejects, and that
// evaluation never throws.
import type { RuleRequest } from './model.js';
import { compileRule } from './rules.js';

const request: RuleRequest = {
  method: 'POST',
  path: '/v1/statement',
  query: { slug: 'abc' },
  headers: { 'x-trino-user': 'alice', 'x-trino-source': 'airflow' },
  user: 'alice',
  source: 'airflow',
  clientTags: ['etl', 'nightly'],
  catalog: 'hive',
  schema: 'sales',
};

function matches(condition: string, input: RuleRequest = request): boolean {
  const rule = compileRule(condition);
  if (!rule.ok) throw new Error(`did not compile: ${rule.error}`);
  return rule.matches(input);
}

function compileError(condition: string): string {
  const rule = compileRule(condition);
  if (rule.ok) throw new Error(`compiled unexpectedly: ${condition}`);
  return rule.error;
}

describe('compileRule: each request variable', () => {
  it.each<[string, boolean]>([
    ['request.method == "POST"', true],
    ['request.method == "GET"', false],
    ['request.path == "/v1/statement"', true],
    ['request.path.startsWith("/ui")', false],
    ['request.query["slug"] == "abc"', true],
    ['request.query.slug == "abc"', true],
    ["'slug' in request.query", true],
    ["'other' in request.query", false],
    ['has(request.query.slug)', true],
    ['request.headers["x-trino-source"] == "airflow"', true],
    ["'x-trino-client-tags' in request.headers", false],
    ['request.user == "alice"', true],
    ['request.user == "bob"', false],
    ['request.source == "airflow"', true],
    ['request.catalog == "hive"', true],
    ['request.catalog == "iceberg"', false],
    ['request.schema == "sales"', true],
    ["'etl' in request.clientTags", true],
    ["'adhoc' in request.clientTags", false],
    ['request.clientTags.exists(t, t.startsWith("night"))', true],
    ['size(request.clientTags) == 2', true],
  ])('%s → %s', (condition, expected) => {
    expect(matches(condition)).toBe(expected);
  });
});

describe('compileRule: operators and functions', () => {
  it.each<[string, boolean]>([
    ['request.source == "airflow" && request.user == "alice"', true],
    ['request.source == "airflow" && request.user == "bob"', false],
    ['request.source == "superset" || request.user == "alice"', true],
    ['request.source == "superset" || request.user == "bob"', false],
    ['!(request.user == "bob")', true],
    ['request.path.startsWith("/v1/")', true],
    ['request.path.endsWith("statement")', true],
    ['request.user.matches("^a.*e$")', true],
    ['request.user.matches("^b")', false],
    ['request.user.lowerAscii() == "alice"', true],
    ['request.catalog in ["hive", "iceberg"]', true],
    ['request.user == "alice" ? request.catalog == "hive" : false', true],
  ])('%s → %s', (condition, expected) => {
    expect(matches(condition)).toBe(expected);
  });

  it('sees a different request on each evaluation', () => {
    const rule = compileRule('request.user == "bob"');
    expect(rule.ok && rule.matches({ ...request, user: 'bob' })).toBe(true);
    expect(rule.ok && rule.matches(request)).toBe(false);
  });
});

describe('compileRule: rejected at compile time', () => {
  it('reports a syntax error with its position', () => {
    expect(compileError('request.user = "x"')).toBe('syntax error at 1:14: found = but expecting end of input');
    expect(compileError('(request.user == "x"')).toMatch(/^syntax error at 1:21: found end of input/);
  });

  it('reports an unknown variable', () => {
    expect(compileError('requets.user == "a"')).toBe("undeclared reference to 'requets'");
  });

  it('reports an unknown request field', () => {
    expect(compileError('request.usr == "a"')).toMatch(/^undefined field 'usr' on request \(fields: method, path/);
  });

  it('reports an unknown function', () => {
    expect(compileError('isAdmin(request.user)')).toBe("undeclared reference to 'isAdmin'");
  });

  it.each([
    ['request.user', 'condition must evaluate to bool, got string'],
    ['request.clientTags', 'condition must evaluate to bool, got list(string)'],
    ['size(request.user)', 'condition must evaluate to bool, got int'],
    ['request.clientTags.map(t, t)', 'condition must evaluate to bool, got list'],
  ])('reports the non-boolean %s', (condition, error) => {
    expect(compileError(condition)).toBe(error);
  });

  it('reports operands of the wrong type', () => {
    expect(compileError('request.user && true')).toBe('operator && needs bool operands, got string');
    expect(compileError('request.user == 1')).toBe("no matching overload for '_==_' applied to (string, int)");
    expect(compileError('request.clientTags.startsWith("a")')).toBe(
      "'startsWith' applies to strings, not list(string)",
    );
  });

  it('reports an invalid constant regular expression', () => {
    expect(compileError('request.user.matches("[")')).toMatch(/^invalid regular expression: .*missing closing \]/);
  });
});

describe('compileRule: evaluation never throws', () => {
  it('treats a missing map key as false', () => {
    expect(matches('request.query["missing"] == "x"')).toBe(false);
    expect(matches('request.headers.missing == "x"')).toBe(false);
  });

  it('treats a runtime non-boolean as false', () => {
    expect(matches('request.query["slug"] == "abc" ? request.query.slug : true')).toBe(false);
  });

  it('treats a broken request value as false', () => {
    const broken = { ...request, clientTags: undefined } as unknown as RuleRequest;
    expect(matches("'etl' in request.clientTags", broken)).toBe(false);
  });
});

describe('compileRule: cache', () => {
  it('returns the same compiled program for the same condition', () => {
    expect(compileRule('request.user == "cached"')).toBe(compileRule('request.user == "cached"'));
  });

  it('caches failures too', () => {
    expect(compileRule('requets.user')).toBe(compileRule('requets.user'));
  });
});
