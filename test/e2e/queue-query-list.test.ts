// End detection by the cluster's query list, across two proxy processes sharing a real Redis: a
// client that never polls its running query to the end nor deletes it would hold the cluster's only
// slot for the whole clientTimeout (5 minutes here). Once the cluster forgets the query, or lists it
// FAILED because it was killed on the coordinator, the slot comes back and the queued query runs.
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
import { followToEnd, submit, viaOrigin } from '../harness/trino-http.js';

let redis: RedisServer;
let sim: SimTrino;
let workspace: Workspace;
let replicas: ProxyProcess[];

interface Page {
  id: string;
  nextUri?: string;
  stats: { state: string };
}

function config(name: string): string {
  return workspace.writeConfig(
    workspace.config({
      redis: { url: redis.url, keyPrefix: 'queue-query-list:' },
      queue: { clientTimeout: '5m', pollWait: '200ms', reconcileInterval: '200ms', reconcileGrace: '500ms' },
      logging: { level: 'warn' },
    }),
    `${name}.yaml`,
  );
}

/** Polls a queued query through `origin` until the cluster's own answer arrives. */
async function untilSent(first: Page, origin: string): Promise<Page> {
  let page = first;
  await eventually(
    async () => {
      const response = await request(viaOrigin(page.nextUri as string, origin), {
        headers: { 'x-trino-user': 'tester' },
      });
      expect(response.statusCode).toBe(200);
      page = (await response.body.json()) as Page;
      return !isQueuedQueryId(page.id);
    },
    20_000,
    0,
  );
  return page;
}

/** The reconciliation's releases of `reason`, summed over the replicas. */
async function listReleases(reason: 'done' | 'unlisted'): Promise<number> {
  let total = 0;
  for (const proxy of replicas) {
    const text = await (await request(`${proxy.adminUrl}/metrics`)).body.text();
    const line = new RegExp(`^junction_queue_query_list_releases_total\\{[^}]*reason="${reason}"[^}]*\\} (\\d+)$`, 'm');
    total += Number(line.exec(text)?.[1] ?? 0);
  }
  return total;
}

beforeAll(async () => {
  redis = await startRedis();
  sim = await SimTrino.start({ name: 'solo' });
  workspace = new Workspace();
  workspace.writeResources([
    clusterResource('solo', { url: sim.url, labels: { pool: 'adhoc' }, maxRunningQueries: 1 }),
    groupResource('adhoc', { matchLabels: { pool: 'adhoc' }, default: true }),
  ]);
  replicas = await Promise.all(['a', 'b'].map((name) => spawnProxy(config(name))));
  await Promise.all(
    replicas.map((proxy) =>
      eventually(async () => (await request(`${proxy.adminUrl}/readyz`)).statusCode === 200, 15_000, 100),
    ),
  );
}, 60_000);

afterAll(async () => {
  await Promise.all((replicas ?? []).map((proxy) => proxy.stop()));
  await sim?.close();
  await redis?.stop();
  workspace?.remove();
});

test('a query its cluster forgot gives its slot back long before clientTimeout', async () => {
  const [a, b] = replicas as [ProxyProcess, ProxyProcess];
  const abandoned = (await submit(a.url, 'SELECT 1 -- sim:pages=3')).body as Page;
  expect(isQueuedQueryId(abandoned.id)).toBe(false);
  const waiting = (await submit(b.url, 'SELECT 2')).body as Page;
  expect(isQueuedQueryId(waiting.id)).toBe(true);
  // The client of the first query is gone: it never polls again and never deletes.
  expect(sim.forget(abandoned.id)).toBe(true);
  const sent = await untilSent(waiting, b.url);
  expect(sim.queryIds()).toContain(sent.id);
  expect(await followToEnd(sent.nextUri)).toBe('FINISHED');
  // One slot, freed once: the release counts on whichever replica freed it, not on both.
  await eventually(async () => (await listReleases('unlisted')) === 1, 5_000);
  expect(await listReleases('done')).toBe(0);
}, 60_000);

test('a query killed on the coordinator itself (listed FAILED) gives its slot back', async () => {
  const [a, b] = replicas as [ProxyProcess, ProxyProcess];
  const killed = (await submit(b.url, 'SELECT 3 -- sim:pages=3')).body as Page;
  expect(isQueuedQueryId(killed.id)).toBe(false);
  const waiting = (await submit(a.url, 'SELECT 4')).body as Page;
  expect(isQueuedQueryId(waiting.id)).toBe(true);
  expect((await request(`${sim.url}/v1/query/${killed.id}`, { method: 'DELETE' })).statusCode).toBe(204);
  const sent = await untilSent(waiting, a.url);
  expect(await followToEnd(sent.nextUri)).toBe('FINISHED');
  await eventually(async () => (await listReleases('done')) === 1, 5_000);
}, 60_000);
