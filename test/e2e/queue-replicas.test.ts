// Query management across replicas: two proxy processes share a real Redis in front of a cluster
// with maxRunningQueries 1. However the clients spread their requests over the replicas, the
// cluster never runs two queries at once and every query finishes; a replica killed with queued
// queries in hand loses none of them.
import { request } from 'undici';
import { isQueuedQueryId } from '../../proxy/src/http/gateway-query-ids.js';
import { SimTrino } from '../fixtures/sim-trino.js';
import {
  clusterResource,
  eventually,
  groupResource,
  type ProxyProcess,
  spawnProxy,
  Workspace,
} from '../harness/proxy.js';
import { type RedisServer, startRedis } from '../harness/redis.js';
import { runQuery, submit, viaOrigin } from '../harness/trino-http.js';

let redis: RedisServer;
let sim: SimTrino;
let workspace: Workspace;
let replicas: ProxyProcess[];

function config(name: string): string {
  const file = workspace.writeConfig(
    workspace.config({
      redis: { url: redis.url, keyPrefix: 'queue-replicas:' },
      queue: { pollWait: '200ms', sweepInterval: '100ms' },
      logging: { level: 'warn' },
    }),
    `${name}.yaml`,
  );
  return file;
}

async function ready(proxy: ProxyProcess): Promise<void> {
  await eventually(async () => (await request(`${proxy.adminUrl}/readyz`)).statusCode === 200, 15_000, 100);
}

beforeAll(async () => {
  redis = await startRedis();
  sim = await SimTrino.start({ name: 'solo' });
  workspace = new Workspace();
  workspace.writeResources([
    clusterResource('solo', { url: sim.url, labels: { pool: 'adhoc' }, maxRunningQueries: 1 }),
    groupResource('adhoc', { matchLabels: { pool: 'adhoc' }, default: true }),
  ]);
  replicas = await Promise.all(['a', 'b', 'c'].map((name) => spawnProxy(config(name))));
  await Promise.all(replicas.map(ready));
}, 60_000);

afterAll(async () => {
  await Promise.all(replicas.map((proxy) => proxy.stop()));
  await sim?.close();
  await redis?.stop();
  workspace?.remove();
});

test('30 concurrent queries over three replicas: one at a time on the cluster, every one finishes with its rows', async () => {
  sim.resetConcurrency();
  const urls = replicas.map((proxy) => proxy.url);
  const runs = await Promise.all(
    Array.from({ length: 30 }, (_, index) =>
      runQuery(urls[index % 3] as string, `SELECT ${index} -- sim:pages=2`, {
        // Every page through the next replica: no replica sees a query from start to end.
        pollVia: (uri, page) => viaOrigin(uri, urls[(index + page + 1) % 3] as string),
        maxPages: 10_000,
      }),
    ),
  );
  expect(runs.map((run) => run.state)).toEqual(Array(30).fill('FINISHED'));
  expect(runs.every((run) => run.rows.length === 6)).toBe(true);
  expect(runs.filter((run) => isQueuedQueryId(run.id)).length).toBeGreaterThan(0);
  expect(sim.concurrency().peak).toBe(1);
}, 120_000);

test('kill -9 of the replica that queued them: another replica answers and runs every queued query', async () => {
  const [doomed, survivor] = replicas as [ProxyProcess, ProxyProcess];
  const blocker = await submit(survivor.url, 'SELECT 0 -- sim:pages=2');
  const queued = await Promise.all([1, 2, 3].map((n) => submit(doomed.url, `SELECT ${n}`)));
  expect(queued.every((answer) => isQueuedQueryId(answer.body.id))).toBe(true);
  doomed.child.kill('SIGKILL');
  await doomed.stop();

  // The blocker ends; the clients keep polling the nextUris they have, through the survivor.
  const [, ...states] = await Promise.all([
    runFrom(blocker.body.nextUri, survivor.url),
    ...queued.map((answer) => runFrom(answer.body.nextUri, survivor.url)),
  ]);
  expect(states).toEqual(['FINISHED', 'FINISHED', 'FINISHED']);
  replicas[0] = await spawnProxy(config('a'));
  await ready(replicas[0]);
}, 60_000);

/** Follows nextUri from a page already fetched, always through `origin`. */
async function runFrom(nextUri: string | undefined, origin: string): Promise<string> {
  let next = nextUri;
  let state = '';
  while (next !== undefined) {
    const response = await request(viaOrigin(next, origin), { headers: { 'x-trino-user': 'tester' } });
    expect(response.statusCode).toBe(200);
    const page = (await response.body.json()) as { nextUri?: string; stats: { state: string } };
    next = page.nextUri;
    state = page.stats.state;
  }
  return state;
}
