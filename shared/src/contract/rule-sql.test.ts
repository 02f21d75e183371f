// The `sql` rule variable: its fields type-check like `request`'s, compilation says which conditions read
// it (only those may cost a parse), and a condition given no facts sees a statement that was not parsed.
import type { RuleRequest, RuleSql } from './model.js';
import { buildRegistry } from './registry.js';
import { API_VERSION } from './resource-kinds.js';
import { compileRule, NO_SQL_FACTS } from './rules.js';
import { RoutingGroup, TrinoCluster } from './schemas/resources.js';

const request: RuleRequest = {
  method: 'POST',
  path: '/v1/statement',
  query: {},
  headers: {},
  user: 'alice',
  source: 'airflow',
  clientTags: [],
  catalog: 'tpch',
  schema: 'tiny',
};

const facts: RuleSql = {
  parsed: true,
  error: '',
  statement: 'Query',
  queryType: 'SELECT',
  catalogs: ['tpch'],
  schemas: ['tpch.tiny'],
  tables: ['tpch.tiny.nation'],
};

function compiled(condition: string) {
  const rule = compileRule(condition);
  if (!rule.ok) throw new Error(`did not compile: ${rule.error}`);
  return rule;
}

describe('sql variables', () => {
  it.each<[string, boolean]>([
    ['sql.parsed', true],
    ['sql.error == ""', true],
    ['sql.statement == "Query"', true],
    ['sql.queryType == "SELECT"', true],
    ['"tpch" in sql.catalogs', true],
    ['"system" in sql.catalogs', false],
    ['"tpch.tiny" in sql.schemas', true],
    ['"tpch.tiny.nation" in sql.tables', true],
    ['sql.tables.exists(t, t.endsWith(".nation"))', true],
    ['size(sql.tables) == 1 && request.user == "alice"', true],
    ['sql["queryType"] == "SELECT"', true],
  ])('%s → %s', (condition, expected) => {
    expect(compiled(condition).matches(request, facts)).toBe(expected);
  });

  it('shows a condition given no facts a statement that was not parsed', () => {
    expect(compiled('sql.parsed').matches(request)).toBe(false);
    expect(compiled('sql.error == "not a statement submission"').matches(request)).toBe(true);
    expect(compiled('size(sql.tables) == 0').matches(request)).toBe(true);
    expect(NO_SQL_FACTS.parsed).toBe(false);
  });

  it.each<[string, string]>([
    ['sql.tabels', "undefined field 'tabels' on sql"],
    ['sql.parsed == "yes"', 'no matching overload'],
    ['sql.catalogs', 'condition must evaluate to bool, got list(string)'],
    ['sql.statement.startsWith(1) || sql.tables.startsWith("x")', "'startsWith' applies to strings"],
    ['sql["nope"] == ""', "undefined field 'nope' on sql"],
  ])('rejects %s', (condition, message) => {
    const rule = compileRule(condition);
    expect(rule.ok).toBe(false);
    if (!rule.ok) expect(rule.error).toContain(message);
  });
});

describe('which conditions read sql', () => {
  it.each<[string, boolean]>([
    ['request.user == "alice"', false],
    ['"sql" in request.headers', false],
    ['request.headers.sql == "x"', false],
    ['request.clientTags.exists(sql, sql == "x")', false],
    ['sql.parsed', true],
    ['request.user == "a" || "t" in sql.tables', true],
    ['request.clientTags.exists(t, t in sql.catalogs)', true],
    ['has(sql.error)', true],
  ])('%s → %s', (condition, reads) => {
    expect(compiled(condition).readsSql).toBe(reads);
  });

  it('never reads the facts for a condition that does not use them', () => {
    const trap = {} as RuleSql;
    Object.defineProperty(trap, 'tables', {
      get() {
        throw new Error('read');
      },
    });
    expect(compiled('request.user == "alice"').matches(request, trap)).toBe(true);
  });
});

describe('Registry.readsSql', () => {
  const cluster = TrinoCluster.parse({
    apiVersion: API_VERSION,
    kind: 'TrinoCluster',
    metadata: { name: 'blue', labels: { pool: 'a' } },
    spec: { url: 'http://blue:8080' },
  });
  const group = (spec: object) =>
    RoutingGroup.parse({
      apiVersion: API_VERSION,
      kind: 'RoutingGroup',
      metadata: { name: 'a' },
      spec: { clusterSelector: { matchLabels: { pool: 'a' } }, ...spec },
    });
  const build = (spec: object) =>
    buildRegistry({ generation: 1, clusters: [cluster], groups: [group(spec)], defaultRoutingGroup: 'a' });

  it('reports a mistyped sql condition as a problem of its group, which then keeps no rules', () => {
    const registry = build({ rules: [{ name: 'r', condition: '"t" in sql.tabels' }] });
    expect(registry.problems).toContainEqual(
      expect.objectContaining({
        kind: 'RoutingGroup',
        name: 'a',
        severity: 'error',
        message: expect.stringContaining("spec.rules[0].condition: undefined field 'tabels' on sql"),
      }),
    );
    expect(registry.groups.get('a')?.rulesValid).toBe(false);
    expect(registry.rules).toEqual([]);
  });

  it('is false when no condition reads sql', () => {
    expect(build({ rules: [{ name: 'r', condition: 'request.user == "x"' }] }).readsSql).toBe(false);
  });

  it('is true for a rule, a priority class or an admission limit that reads sql', () => {
    expect(build({ rules: [{ name: 'r', condition: 'sql.parsed' }] }).readsSql).toBe(true);
    const queue = { priorityClasses: [{ name: 'small', condition: '"tpch" in sql.catalogs' }] };
    expect(build({ queue }).readsSql).toBe(true);
    const admission = [{ name: 'ddl', condition: 'sql.queryType == "DATA_DEFINITION"', key: 'User', maxConcurrent: 1 }];
    expect(build({ admission }).readsSql).toBe(true);
  });
});
