// Rules on sql.*: the decision parses a submission only when a rule it reaches reads sql, at most once per
// submission (a second decision after a connect failure reuses the facts), and routes a statement over
// maxBytes without facts. The parser's use is read from the proxy's own metrics.
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import {
  API_VERSION,
  buildRegistry,
  type ClusterHealth,
  createLogger,
  PENDING_HEALTH,
  RoutingGroup,
  TrinoCluster,
} from '@junction/shared';
import { compilePathRules } from '../http/classify.js';
import { ProxyMetrics } from '../metrics.js';
import { SqlAnalyser } from '../sql/analyser.js';
import { DEFAULT_SQL_FACTS_OPTIONS } from '../sql/facts.js';
import { Statement } from '../sql/statement.js';
import { MemoryStickyStore } from '../sticky/memory.js';
import { QueryOwners } from '../sticky/query-owners.js';
import { RoutingDecision } from './decision.js';
import { MemoryRoutedCounter } from './routed-counter.js';
import { Router } from './router.js';

const HEALTHY: ClusterHealth = { ...PENDING_HEALTH, phase: 'Healthy', probedAt: 1, message: 'ok' };

const cluster = (name: string) =>
  TrinoCluster.parse({
    apiVersion: API_VERSION,
    kind: 'TrinoCluster',
    metadata: { name, labels: { pool: name } },
    spec: { url: 'http://127.0.0.1:9', healthCheck: { type: 'None' } },
  });
const group = (name: string, spec: Record<string, unknown> = {}) =>
  RoutingGroup.parse({
    apiVersion: API_VERSION,
    kind: 'RoutingGroup',
    metadata: { name },
    spec: { clusterSelector: { matchLabels: { pool: name } }, ...spec },
  });

type Rule = { name: string; condition: string };

function setup(rules: { system?: Rule[]; etl?: Rule[] }, maxBytes = DEFAULT_SQL_FACTS_OPTIONS.maxBytes) {
  const registry = buildRegistry({
    clusters: [cluster('adhoc'), cluster('system'), cluster('etl')],
    groups: [
      group('adhoc', { default: true }),
      group('etl', { priority: 1, rules: rules.etl ?? [] }),
      group('system', { priority: 2, rules: rules.system ?? [] }),
    ],
    defaultRoutingGroup: 'adhoc',
    generation: 1,
  });
  const metrics = new ProxyMetrics();
  const router = new Router({
    health: { get: () => HEALTHY, version: () => 0 },
    counter: new MemoryRoutedCounter(),
    honorRoutingGroupHeader: true,
  });
  const owners = new QueryOwners({
    store: new MemoryStickyStore(),
    queryIdTtlMs: 60_000,
    oauthTtlMs: 60_000,
    lookupTimeoutMs: 500,
    logger: createLogger('error', 'test'),
  });
  const sql = new SqlAnalyser({
    maxBytes,
    timeBudgetMs: 10_000,
    observer: { parsed: (s, ok) => metrics.sqlParsed(s, ok), unparsed: (why) => metrics.sqlUnparsed(why) },
  });
  const decision = new RoutingDecision({
    router,
    owners,
    cookies: undefined,
    paths: compilePathRules({ statementPaths: [], extraPaths: [] }, undefined),
    sql,
  });
  const submit = async (text: string, headers: Record<string, string> = {}, exclude?: Set<string>) => {
    const req = new IncomingMessage(new Socket());
    req.method = 'POST';
    req.url = '/v1/statement';
    req.headers = headers;
    const statement = new Statement(Buffer.from(text), headers);
    return { statement, req, answer: await decide(req, statement, exclude) };
  };
  const decide = (req: IncomingMessage, statement: Statement, exclude?: Set<string>) =>
    decision.decide(
      {
        req,
        path: '/v1/statement',
        query: '',
        target: '/v1/statement',
        kind: 'statement',
        prefixCluster: undefined,
        statement,
        exclude,
      },
      registry,
    );
  const count = async (name: string, labels: Record<string, string>) => {
    const metric = await metrics.registry.getSingleMetric(name)?.get();
    const value = metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
    return value?.value ?? 0;
  };
  const parses = async () =>
    (await count('junction_sql_parses_total', { outcome: 'parsed' })) +
    (await count('junction_sql_parses_total', { outcome: 'failed' }));
  return { registry, submit, decide, parses, count };
}

const SYSTEM_RULE = { name: 'system', condition: '"system" in sql.catalogs' };

function routedTo(answer: Awaited<ReturnType<ReturnType<typeof setup>['submit']>>['answer']) {
  if (answer.action !== 'route') throw new Error(`not routed: ${answer.action}`);
  return { cluster: answer.cluster.name, by: answer.by, rule: answer.rule };
}

describe('SQL rules in the routing decision', () => {
  it('never parses when no rule reads sql.*', async () => {
    const { registry, submit, parses } = setup({
      etl: [{ name: 'airflow', condition: 'request.source == "airflow"' }],
    });
    expect(registry.readsSql).toBe(false);
    for (const text of ['SELECT * FROM system.runtime.nodes', 'SELECT * FROM tpch.tiny.nation'])
      expect(routedTo((await submit(text)).answer).cluster).toBe('adhoc');
    expect(routedTo((await submit('SELECT 1', { 'x-trino-source': 'airflow' })).answer).cluster).toBe('etl');
    expect(await parses()).toBe(0);
  });

  it('routes by the tables a statement names, with the session catalog and schema for unqualified names', async () => {
    const { submit, parses } = setup({ system: [SYSTEM_RULE] });
    expect(routedTo((await submit('SELECT * FROM system.runtime.nodes')).answer)).toEqual({
      cluster: 'system',
      by: 'rule',
      rule: 'system',
    });
    expect(routedTo((await submit('SELECT * FROM tpch.tiny.nation')).answer).cluster).toBe('adhoc');
    const session = { 'x-trino-catalog': 'system', 'x-trino-schema': 'runtime' };
    expect(routedTo((await submit('SELECT * FROM nodes', session)).answer).cluster).toBe('system');
    expect(await parses()).toBe(3);
  });

  it('does not parse when a rule without sql.* matches first', async () => {
    const { submit, parses } = setup({
      etl: [{ name: 'airflow', condition: 'request.source == "airflow"' }],
      system: [SYSTEM_RULE],
    });
    const { answer } = await submit('SELECT * FROM system.runtime.nodes', { 'x-trino-source': 'airflow' });
    expect(routedTo(answer).cluster).toBe('etl');
    expect(await parses()).toBe(0);
  });

  it('parses once per submission, also when the decision runs again after a connect failure', async () => {
    const { submit, decide, parses } = setup({
      etl: [{ name: 'insert', condition: 'sql.queryType == "INSERT"' }],
      system: [SYSTEM_RULE],
    });
    const { statement, req, answer } = await submit('SELECT * FROM system.runtime.nodes');
    expect(routedTo(answer).cluster).toBe('system');
    expect(routedTo(await decide(req, statement, new Set(['nothing']))).cluster).toBe('system');
    expect(await parses()).toBe(1);
  });

  it('routes a statement over maxBytes without facts and without parsing, by the rule that tests sql.parsed', async () => {
    const { submit, parses, count } = setup(
      { etl: [{ name: 'unparsed', condition: '!sql.parsed' }], system: [SYSTEM_RULE] },
      64,
    );
    const big = `SELECT * FROM system.runtime.nodes WHERE node_id IN (${"'x', ".repeat(20)}'y')`;
    expect(routedTo((await submit(big)).answer)).toEqual({ cluster: 'etl', by: 'rule', rule: 'unparsed' });
    expect(await parses()).toBe(0);
    expect(await count('junction_sql_unparsed_total', { reason: 'too_large' })).toBe(1);
    expect(routedTo((await submit('SELECT * FROM system.runtime.nodes')).answer).cluster).toBe('system');
  });

  it('counts a statement that does not parse, and lets rules see why', async () => {
    const { submit, count } = setup({ etl: [{ name: 'broken', condition: 'sql.error.startsWith("syntax error")' }] });
    expect(routedTo((await submit('SELEKT 1')).answer).cluster).toBe('etl');
    expect(await count('junction_sql_parses_total', { outcome: 'failed' })).toBe(1);
    expect(await count('junction_sql_unparsed_total', { reason: 'syntax' })).toBe(1);
  });
});

describe('routing.sqlFacts defaults', () => {
  it('are the bounds measured for the parser', async () => {
    const { GatewayConfig } = await import('@junction/shared');
    expect(GatewayConfig.parse({}).routing.sqlFacts).toEqual(DEFAULT_SQL_FACTS_OPTIONS);
  });
});
