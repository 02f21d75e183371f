// A Sentinel failover under load: two in-process proxies share Redis through three sentinels while queries
// are polled through both; the primary is SIGKILLed and a sentinel promotes the replica. Every query whose
// mapping was written (and replicated) before the kill keeps reaching its owner with no failed request, and
// new mappings are written to the promoted primary once the sentinels name it.
import { request } from 'undici';
import type { RunningProxy } from '../../proxy/src/app.js';
import {
  closeRedisClient,
  createRedisClient,
  type RedisClient,
  redisKeys,
} from '../../shared/src/adapters/redis-client.js';
import { SimTrino } from '../fixtures/sim-trino.js';
import { clusterResource, eventually, groupResource, startInProcess, Workspace } from '../harness/proxy.js';
import { type RedisSentinelSet, startRedisSentinel } from '../harness/redis-ha.js';
import { submit, viaOrigin } from '../harness/trino-http.js';
import { untilPasses } from '../harness/wait.js';

const PREFIX = 'failover:';
const QUERIES = 12;

let set: RedisSentinelSet;
let sims: SimTrino[];
let workspace: Workspace;
let a: RunningProxy;
let b: RunningProxy;
let admin: RedisClient;

beforeAll(async () => {
  set = await startRedisSentinel();
  sims = await Promise.all(['one', 'two'].map((name) => SimTrino.start({ name })));
  workspace = new Workspace();
  workspace.writeResources([
    ...sims.map((sim) => clusterResource(sim.name, { url: sim.url, labels: { pool: 'adhoc' } })),
    groupResource('adhoc', { matchLabels: { pool: 'adhoc' }, default: true, strategy: 'RoundRobin' }),
  ]);
  const redis = { ...set.config(PREFIX, 200), commandTimeout: '200ms' };
  [a, b] = await Promise.all([
    startInProcess(workspace.config({ redis })),
    startInProcess(workspace.config({ redis })),
  ]);
  for (const proxy of [a, b]) {
    await eventually(async () => (await request(`${proxy.adminUrl}/readyz`)).statusCode === 200);
  }
  admin = createRedisClient(set.config(PREFIX, 1000), { name: 'failover-test' });
}, 60_000);

afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  if (admin !== undefined) await closeRedisClient(admin);
  await Promise.all((sims ?? []).map((sim) => sim.close()));
  await set?.stop();
  workspace?.remove();
});

/** One running query, advanced a page at a time through whichever proxy the caller names. */
interface Walk {
  readonly id: string;
  next: string;
  readonly failures: string[];
}

async function step(walk: Walk, via: RunningProxy): Promise<void> {
  const uri = viaOrigin(walk.next, via.url);
  try {
    const response = await request(uri, { headers: { 'x-trino-user': 'tester' } });
    const text = await response.body.text();
    if (response.statusCode !== 200) {
      walk.failures.push(`GET ${uri}: ${response.statusCode} ${text.slice(0, 200)}`);
      return;
    }
    const page = JSON.parse(text) as { nextUri?: string; stats: { state: string }; error?: unknown };
    if (page.error !== undefined || page.nextUri === undefined) walk.failures.push(`GET ${uri}: ${text.slice(0, 200)}`);
    else walk.next = page.nextUri;
  } catch (error) {
    walk.failures.push(`GET ${uri}: ${String(error)}`);
  }
}

const owner = (id: string) => sims.find((sim) => sim.queryIds().includes(id));

it('queries mapped before the primary dies keep routing through the failover; writes resume after the promotion', async () => {
  // Before the failover: every mapping is in Redis and acknowledged by the replica (WAIT), so the promoted
  // replica has them too. Odd queries have never been polled through B: B must find them after the kill.
  const walks: Walk[] = [];
  for (let i = 0; i < QUERIES; i++) {
    const first = await submit(a.url, 'SELECT 1 -- sim:pages=100000');
    expect(first.status).toBe(200);
    walks.push({ id: first.body.id, next: first.body.nextUri, failures: [] });
  }
  const keys = redisKeys(PREFIX);
  for (const walk of walks) expect(await admin.get(keys.query(walk.id))).toBe(owner(walk.id)?.name);
  expect(await admin.call('WAIT', '1', '5000')).toBe(1);
  for (const [i, walk] of walks.entries()) {
    await step(walk, a);
    if (i % 2 === 0) await step(walk, b);
  }
  expect(walks.flatMap((walk) => walk.failures)).toEqual([]);

  // Load: every query advances round after round, odd ones through B, even ones alternating.
  let stopped = false;
  let rounds = 0;
  const load = (async () => {
    while (!stopped) {
      await Promise.all(walks.map((walk, i) => step(walk, i % 2 === 1 || rounds % 2 === 0 ? b : a)));
      rounds++;
    }
  })();

  const killed = await set.killPrimary();
  const roundsAtKill = rounds;
  // The sentinels agree on a new primary (down-after 1 s, then an election).
  await eventually(async () => (await set.primaryPort().catch(() => killed)) !== killed, 30_000, 100);
  // Writes resume: a query submitted now has its mapping on the promoted primary.
  const after = await untilPasses(
    async () => {
      const fresh = await submit(a.url, 'SELECT 1 -- sim:pages=1');
      expect(fresh.status).toBe(200);
      expect(await admin.get(keys.query(fresh.body.id))).toBe(owner(fresh.body.id)?.name);
      return fresh.body.id as string;
    },
    30_000,
    100,
  );
  expect(String(await admin.call('INFO', 'server'))).toContain(`tcp_port:${await set.primaryPort()}`);
  // A few more rounds on the promoted primary, then stop the load.
  const roundsAtPromotion = rounds;
  await eventually(() => rounds >= roundsAtPromotion + 3, 30_000, 20);
  stopped = true;
  await load;

  expect(rounds).toBeGreaterThan(roundsAtKill); // the load really ran across the failover
  expect(walks.flatMap((walk) => walk.failures)).toEqual([]);
  // Every statement request of every query reached its owner (other clusters saw at most the discovery
  // probe GET /v1/query/{id} of a replica that could not read Redis), and B can still cancel each one there.
  for (const walk of walks) {
    const home = owner(walk.id);
    for (const other of sims.filter((sim) => sim !== home)) {
      expect(other.recordsFor(walk.id).filter((record) => !record.path.startsWith('/v1/query/'))).toEqual([]);
    }
    const deleted = await request(viaOrigin(walk.next, b.url), { method: 'DELETE' });
    await deleted.body.dump();
    expect(deleted.statusCode).toBe(204);
  }
  expect(after).toMatch(/^\d{8}_\d{6}_\d{5}_\w+$/);
}, 120_000);
