// Rules on what the SQL touches, over real sockets: tpch and system.runtime statements reach different
// clusters (qualified, or unqualified with X-Trino-Catalog/X-Trino-Schema), a statement over
// routing.sqlFacts.maxBytes goes where the not-parsed rule says with its body intact, and a proxy whose
// rules never read sql.* parses nothing.
import { request } from 'undici';
import type { RunningProxy } from '../../proxy/src/app.js';
import { SimTrino } from '../fixtures/sim-trino.js';
import { clusterResource, groupResource, startInProcess, Workspace } from '../harness/proxy.js';
import { followToEnd, submit } from '../harness/trino-http.js';

const names = ['tpch', 'system', 'bulk'] as const;
let sims: Record<(typeof names)[number], SimTrino>;
let workspace: Workspace;
let proxy: RunningProxy;

const MAX_BYTES = 2048;

const resources = (rules: boolean) => [
  ...names.map((name) => clusterResource(name, { url: sims[name].url, labels: { pool: name } })),
  groupResource('tpch', { matchLabels: { pool: 'tpch' }, default: true }),
  groupResource('system', {
    matchLabels: { pool: 'system' },
    priority: 2,
    rules: rules ? [{ name: 'system-catalog', condition: '"system" in sql.catalogs' }] : [],
  }),
  groupResource('bulk', {
    matchLabels: { pool: 'bulk' },
    priority: 1,
    rules: rules
      ? [{ name: 'not-analysed', condition: '!sql.parsed && sql.error.startsWith("statement larger than")' }]
      : [{ name: 'loader', condition: 'request.source == "loader"' }],
  }),
];

async function routed(proxyUrl: string, sql: string, headers: Record<string, string> = {}) {
  const answer = await submit(proxyUrl, sql, headers);
  expect(answer.status).toBe(200);
  const id: string = answer.body.id;
  const owner = names.find((name) => sims[name].queryIds().includes(id));
  await followToEnd(answer.body.nextUri);
  return { owner, received: owner === undefined ? undefined : sims[owner].sqlOf(id) };
}

async function metric(adminUrl: string, pattern: RegExp): Promise<string[]> {
  const text = await (await request(`${adminUrl}/metrics`)).body.text();
  return text.split('\n').filter((line) => pattern.test(line));
}

beforeAll(async () => {
  sims = {
    tpch: await SimTrino.start({ name: 'tpch' }),
    system: await SimTrino.start({ name: 'system' }),
    bulk: await SimTrino.start({ name: 'bulk' }),
  };
  workspace = new Workspace();
  workspace.writeResources(resources(true));
  proxy = await startInProcess(workspace.config({ routing: { sqlFacts: { maxBytes: MAX_BYTES } } }));
  await proxy.health.firstRound;
});

afterAll(async () => {
  await proxy?.close();
  await Promise.all(names.map((name) => sims?.[name]?.close()));
  workspace?.remove();
});

describe('routing by SQL facts', () => {
  it('sends tpch.tiny.nation and system.runtime.nodes to different clusters', async () => {
    expect((await routed(proxy.url, 'SELECT * FROM tpch.tiny.nation')).owner).toBe('tpch');
    expect((await routed(proxy.url, 'SELECT * FROM system.runtime.nodes')).owner).toBe('system');
  });

  it('qualifies unqualified names with X-Trino-Catalog and X-Trino-Schema', async () => {
    const runtime = { 'x-trino-catalog': 'system', 'x-trino-schema': 'runtime' };
    expect((await routed(proxy.url, 'SELECT * FROM nodes', runtime)).owner).toBe('system');
    const tiny = { 'x-trino-catalog': 'tpch', 'x-trino-schema': 'tiny' };
    expect((await routed(proxy.url, 'SELECT * FROM nation', tiny)).owner).toBe('tpch');
    // Only the session schema is set: a schema-qualified name takes its catalog from the session.
    expect((await routed(proxy.url, 'SELECT * FROM runtime.nodes', { 'x-trino-catalog': 'system' })).owner).toBe(
      'system',
    );
  });

  it('routes a statement over maxBytes by the not-parsed rule and forwards it byte for byte', async () => {
    const values = Array.from({ length: 300 }, (_, i) => `'nœud-${i}'`).join(', ');
    const big = `SELECT * FROM system.runtime.nodes WHERE node_id IN (${values})`;
    expect(Buffer.byteLength(big)).toBeGreaterThan(MAX_BYTES);
    const { owner, received } = await routed(proxy.url, big);
    expect(owner).toBe('bulk');
    expect(received).toBe(big);
    expect(await metric(proxy.adminUrl, /^junction_sql_unparsed_total\{reason="too_large"\} [1-9]/)).toHaveLength(1);
  });

  it('counts the parses it made', async () => {
    expect(await metric(proxy.adminUrl, /^junction_sql_parses_total\{outcome="parsed"\} [1-9]/)).toHaveLength(1);
  });
});

describe('rules that never read sql.*', () => {
  it('route without parsing anything', async () => {
    const plain = new Workspace();
    plain.writeResources(resources(false));
    const other = await startInProcess(plain.config());
    try {
      await other.health.firstRound;
      expect((await routed(other.url, 'SELECT * FROM system.runtime.nodes')).owner).toBe('tpch');
      expect((await routed(other.url, 'SELECT 1', { 'x-trino-source': 'loader' })).owner).toBe('bulk');
      expect(other.registry().readsSql).toBe(false);
      expect(await metric(other.adminUrl, /^junction_sql_parses_total\{/)).toEqual([]);
    } finally {
      await other.close();
      plain.remove();
    }
  });
});
