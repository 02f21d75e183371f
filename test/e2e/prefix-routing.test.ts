// Prefix routing (routing.clusterPrefix): Trino writes /_c/<cluster> into every URI it returns, so
// follow-ups — and spooled segment URIs, which carry no query id — route by URL alone. Two proxies
// that share nothing at all (in-memory state, no Redis) still keep every request on its cluster.
import { request } from 'undici';
import type { RunningProxy } from '../../proxy/src/app.js';
import { SimTrino } from '../fixtures/sim-trino.js';
import { clusterResource, groupResource, startInProcess, Workspace } from '../harness/proxy.js';
import { runQuery, viaOrigin } from '../harness/trino-http.js';
import { untilPasses } from '../harness/wait.js';

let sims: SimTrino[];
let workspace: Workspace;
let a: RunningProxy;
let b: RunningProxy;

beforeAll(async () => {
  sims = await Promise.all(['blue', 'green'].map((name) => SimTrino.start({ name })));
  workspace = new Workspace();
  workspace.writeResources([
    ...sims.map((sim) => clusterResource(sim.name, { url: sim.url, labels: { pool: 'adhoc' } })),
    groupResource('adhoc', { matchLabels: { pool: 'adhoc' }, default: true, strategy: 'RoundRobin' }),
  ]);
  const config = workspace.config({ routing: { clusterPrefix: '/_c' } });
  [a, b] = await Promise.all([startInProcess(config), startInProcess(config)]);
  await Promise.all([a.health.firstRound, b.health.firstRound]);
});

afterAll(async () => {
  await Promise.all([a.close(), b.close()]);
  await Promise.all(sims.map((sim) => sim.close()));
  workspace.remove();
});

const owner = (id: string) => sims.find((sim) => sim.queryIds().includes(id)) as SimTrino;

it('keeps a query on its cluster across replicas that share no state, without any lookup', async () => {
  for (let i = 0; i < 4; i++) {
    const run = await runQuery(a.url, 'SELECT 1 -- sim:pages=3', { pollVia: (uri) => viaOrigin(uri, b.url) });
    expect(run.state).toBe('FINISHED');
    const home = owner(run.id);
    for (const uri of run.uris) expect(new URL(uri).pathname.startsWith(`/_c/${home.name}/v1/statement/`)).toBe(true);
    expect(home.recordsFor(run.id)).toHaveLength(run.uris.length + 1);
    // B saw the query end in the pages it relayed (its history has the end; A's has the submission).
    await untilPasses(async () => {
      const record = (await (await request(`${b.adminUrl}/api/v1/history/${run.id}`)).body.json()) as object;
      expect(record).toMatchObject({ id: run.id, state: 'FINISHED' });
    });
  }
  // B never had to find an owner: no cluster was asked GET /v1/query/<id>.
  for (const sim of sims) expect(sim.records.some((r) => r.path.startsWith('/v1/query/'))).toBe(false);
  const metrics = await (await request(`${b.adminUrl}/metrics`)).body.text();
  expect(metrics).not.toMatch(/junction_sticky_lookups_total\{outcome="discovered"\} [1-9]/);
});

it('sends a spooled segment download to the cluster its URI names', async () => {
  for (const sim of sims) {
    for (const proxy of [a, b, a, b]) {
      const before = sim.records.length;
      const response = await request(`${proxy.url}/_c/${sim.name}/v1/spooled/download/segment-x?size=1000`);
      expect(response.statusCode).toBe(200);
      expect((await response.body.arrayBuffer()).byteLength).toBe(1000);
      // Health probes (GET /v1/info, every second) may land meanwhile; they are not under test.
      const paths = sim.records.slice(before).map((r) => r.path);
      expect(paths.filter((path) => path !== '/v1/info')).toEqual(['/v1/spooled/download/segment-x']);
    }
  }
});

it('answers 404 JSON for a cluster the registry does not know', async () => {
  const response = await request(`${a.url}/_c/retired/v1/statement/executing/20200416_160256_03078_6b4yt/y/1`);
  expect(response.statusCode).toBe(404);
  expect(((await response.body.json()) as { error: { name: string } }).error.name).toBe('CLUSTER_NOT_FOUND');
});
