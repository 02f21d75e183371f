// Redis is shared state, not a single point of failure: while it is down the proxy stays ready
// (reporting itself degraded in /readyz and metrics), keeps routing, and its own queries stay
// sticky through the local cache. Before Redis was ever reachable it is not ready.
import { request } from 'undici';
import type { RunningProxy } from '../../proxy/src/app.js';
import { SimTrino } from '../fixtures/sim-trino.js';
import { clusterResource, eventually, groupResource, startInProcess, Workspace } from '../harness/proxy.js';
import { type RedisServer, startRedis } from '../harness/redis.js';
import { runQuery } from '../harness/trino-http.js';

let redis: RedisServer;
let sims: SimTrino[];
let workspace: Workspace;
let proxy: RunningProxy;

beforeAll(async () => {
  redis = await startRedis();
  sims = await Promise.all(['one', 'two'].map((name) => SimTrino.start({ name })));
  workspace = new Workspace();
  workspace.writeResources([
    ...sims.map((sim) => clusterResource(sim.name, { url: sim.url, labels: { pool: 'adhoc' } })),
    groupResource('adhoc', { matchLabels: { pool: 'adhoc' }, default: true, strategy: 'RoundRobin' }),
  ]);
  proxy = await startInProcess(
    workspace.config({ redis: { url: redis.url, keyPrefix: 'outage:', commandTimeout: '200ms' } }),
  );
  await eventually(async () => (await request(`${proxy.adminUrl}/readyz`)).statusCode === 200);
});

afterAll(async () => {
  await proxy.close();
  await Promise.all(sims.map((sim) => sim.close()));
  await redis.stop();
  workspace.remove();
});

it('keeps routing while Redis is down, reports it, and recovers', async () => {
  const owner = (id: string) => sims.find((sim) => sim.queryIds().includes(id));
  await redis.stop();
  // Still ready (it keeps routing), but says it runs degraded.
  await eventually(async () => {
    const answer = await request(`${proxy.adminUrl}/readyz`);
    const body = (await answer.body.json()) as { status: string; degraded: string[] };
    return answer.statusCode === 200 && body.status === 'degraded' && /redis/.test(body.degraded.join(' '));
  });
  for (let i = 0; i < 4; i++) {
    const run = await runQuery(proxy.url, 'SELECT 1 -- sim:pages=3');
    expect(run.state).toBe('FINISHED');
    expect(owner(run.id)?.recordsFor(run.id)).toHaveLength(run.uris.length + 1);
  }
  const metrics = await (await request(`${proxy.adminUrl}/metrics`)).body.text();
  expect(metrics).toMatch(/junction_redis_up 0/);
  expect(metrics).toMatch(/junction_sticky_store_errors_total [1-9]/);

  await redis.restart();
  await eventually(
    async () =>
      ((await (await request(`${proxy.adminUrl}/readyz`)).body.json()) as { status: string }).status === 'ready',
    15_000,
    200,
  );
  const run = await runQuery(proxy.url, 'SELECT 1');
  expect(run.state).toBe('FINISHED');
});

it('is not ready until Redis has been reachable once', async () => {
  const late = await startRedis();
  const port = late.port;
  await late.stop();
  const waiting = await startInProcess(
    workspace.config({ redis: { url: `redis://127.0.0.1:${port}`, keyPrefix: 'late:', commandTimeout: '200ms' } }),
  );
  try {
    await waiting.health.firstRound;
    const before = await request(`${waiting.adminUrl}/readyz`);
    expect(before.statusCode).toBe(503);
    expect(((await before.body.json()) as { reasons: string[] }).reasons.join(' ')).toMatch(/redis/);
    await late.restart();
    await eventually(async () => (await request(`${waiting.adminUrl}/readyz`)).statusCode === 200, 15_000, 200);
  } finally {
    await waiting.close();
    await late.stop();
  }
});
