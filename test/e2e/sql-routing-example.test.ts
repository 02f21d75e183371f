// docs/routing.md's SQL example, run as written: examples/sql-routing/resources.yaml (the doc quotes it
// whole) in front of three simulated clusters, their URLs replaced by the sims'.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningProxy } from '../../proxy/src/app.js';
import { SimTrino } from '../fixtures/sim-trino.js';
import { REPO_ROOT, startInProcess, Workspace } from '../harness/proxy.js';
import { submit } from '../harness/trino-http.js';

const clusters = { 'adhoc-1': 18081, 'ops-1': 18082, 'etl-1': 18083 } as const;
type Cluster = keyof typeof clusters;
let sims: Record<Cluster, SimTrino>;
let workspace: Workspace;
let proxy: RunningProxy;
const example = readFileSync(join(REPO_ROOT, 'examples/sql-routing/resources.yaml'), 'utf8');

beforeAll(async () => {
  sims = {
    'adhoc-1': await SimTrino.start({ name: 'adhoc-1' }),
    'ops-1': await SimTrino.start({ name: 'ops-1' }),
    'etl-1': await SimTrino.start({ name: 'etl-1' }),
  };
  let resources = example;
  for (const [name, port] of Object.entries(clusters)) {
    expect(resources).toContain(`http://127.0.0.1:${port}`);
    resources = resources.replace(`http://127.0.0.1:${port}`, sims[name as Cluster].url);
  }
  workspace = new Workspace();
  writeFileSync(workspace.resourcesFile, resources);
  proxy = await startInProcess(workspace.config());
  await proxy.health.firstRound;
});

afterAll(async () => {
  await proxy?.close();
  await Promise.all(Object.values(sims ?? {}).map((sim) => sim.close()));
  workspace?.remove();
});

async function landsOn(sql: string, headers: Record<string, string> = {}): Promise<Cluster | undefined> {
  const answer = await submit(proxy.url, sql, headers);
  expect(answer.status).toBe(200);
  return (Object.keys(sims) as Cluster[]).find((name) => sims[name].queryIds().includes(answer.body.id));
}

test('docs/routing.md quotes the example whole, and every rule in it compiles', () => {
  expect(readFileSync(join(REPO_ROOT, 'docs/routing.md'), 'utf8')).toContain(example);
  expect(proxy.registry().problems).toEqual([]);
  expect(proxy.registry().readsSql).toBe(true);
});

test.each<[string, string, Record<string, string>, Cluster]>([
  ['tpch', 'SELECT * FROM tpch.tiny.nation', {}, 'adhoc-1'],
  ['system.runtime', 'SELECT * FROM system.runtime.nodes', {}, 'ops-1'],
  [
    'an unqualified name in system.runtime',
    'SELECT * FROM nodes',
    { 'x-trino-catalog': 'system', 'x-trino-schema': 'runtime' },
    'ops-1',
  ],
  ['a write', 'INSERT INTO hive.web.t SELECT * FROM tpch.tiny.nation', {}, 'etl-1'],
  [
    'a join with a system table',
    'SELECT n.name FROM tpch.tiny.nation n JOIN system.runtime.nodes s ON true',
    {},
    'ops-1',
  ],
])('%s', async (_what, sql, headers, cluster) => {
  expect(await landsOn(sql, headers)).toBe(cluster);
});

test('a statement over maxBytes goes to bulk (the ETL cluster), not to ops', async () => {
  const big = `SELECT * FROM system.runtime.nodes WHERE node_id NOT IN (${"'x', ".repeat(8000)}'y')`;
  expect(Buffer.byteLength(big)).toBeGreaterThan(32 * 1024);
  expect(await landsOn(big)).toBe('etl-1');
});
