// Query management on one proxy (in-memory store) in front of simulated clusters: a cluster's
// maxRunningQueries holds further queries in the gateway's queue, answered in the Trino protocol
// until a slot frees; order, priorities, fair turns, DELETE, limits and admission.
import { request } from 'undici';
import type { RunningProxy } from '../../proxy/src/app.js';
import { isQueuedQueryId } from '../../proxy/src/http/gateway-query-ids.js';
import { SimTrino } from '../fixtures/sim-trino.js';
import { clusterResource, eventually, groupResource, startInProcess, Workspace } from '../harness/proxy.js';
import { runQuery, submit } from '../harness/trino-http.js';

let sim: SimTrino;
let workspace: Workspace;
let proxy: RunningProxy;

interface Page {
  id: string;
  nextUri?: string;
  stats: { state: string; queued: boolean };
  error?: { errorName: string; errorType: string; message: string };
}

async function poll(uri: string, method = 'GET'): Promise<{ status: number; page: Page | undefined }> {
  const response = await request(uri, { method, headers: { 'x-trino-user': 'tester' } });
  const text = await response.body.text();
  return { status: response.statusCode, page: text === '' ? undefined : (JSON.parse(text) as Page) };
}

/** Polls a queued query until the cluster's own answer arrives (its id is no longer the gateway's). */
async function untilSent(first: Page): Promise<Page> {
  let page = first;
  while (isQueuedQueryId(page.id)) {
    const next = await poll(page.nextUri as string);
    expect(next.status).toBe(200);
    page = next.page as Page;
  }
  return page;
}

async function finish(page: Page): Promise<string> {
  let current = page;
  while (current.nextUri !== undefined) current = (await poll(current.nextUri)).page as Page;
  return current.stats.state;
}

async function restart(resources: object[], queue: Record<string, unknown> = {}): Promise<void> {
  await proxy?.close();
  workspace.writeResources(resources);
  proxy = await startInProcess(
    workspace.config({ queue: { pollWait: '100ms', sweepInterval: '50ms', dispatchInterval: '50ms', ...queue } }),
  );
  await proxy.health.firstRound;
  sim.resetConcurrency();
}

const limited = (limit: number, group: Record<string, unknown> = {}) => [
  clusterResource('solo', { url: sim.url, labels: { pool: 'adhoc' }, maxRunningQueries: limit }),
  groupResource('adhoc', { matchLabels: { pool: 'adhoc' }, default: true, ...group }),
];

beforeAll(async () => {
  sim = await SimTrino.start({ name: 'solo' });
  workspace = new Workspace();
});

afterAll(async () => {
  await proxy?.close();
  await sim?.close();
  workspace?.remove();
});

describe('a cluster at its maxRunningQueries', () => {
  beforeAll(() => restart(limited(1)));

  test('a second query waits in the gateway as QUEUED, then runs when the first ends', async () => {
    const first = await submit(proxy.url, 'SELECT 1 -- sim:pages=2');
    expect(isQueuedQueryId(first.body.id)).toBe(false);
    const second = await submit(proxy.url, 'SELECT 2');
    expect(second.status).toBe(200);
    const queued = second.body as Page;
    expect(isQueuedQueryId(queued.id)).toBe(true);
    expect(queued.stats).toMatchObject({ state: 'QUEUED', queued: true });
    expect(queued.nextUri).toMatch(new RegExp(`^${proxy.url}/v1/statement/queued/${queued.id}/y[0-9a-f]{32}/1$`));
    // Still waiting: each poll answers QUEUED again with the next token, and nothing reached the cluster.
    const again = await poll(queued.nextUri as string);
    expect(again.page).toMatchObject({ id: queued.id, stats: { state: 'QUEUED' } });
    expect(again.page?.nextUri).toMatch(/\/2$/);
    expect(sim.concurrency().live).toBe(1);

    expect(await finish(first.body as Page)).toBe('FINISHED');
    const sent = await untilSent(again.page as Page);
    expect(sim.queryIds()).toContain(sent.id);
    expect(await finish(sent)).toBe('FINISHED');
    expect(sim.concurrency().peak).toBeLessThanOrEqual(1);
  });

  test('many concurrent clients: every query finishes, never more than the limit at once', async () => {
    await restart(limited(2));
    const runs = await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        runQuery(proxy.url, `SELECT ${index} -- sim:pages=2`, { maxPages: 5000 }),
      ),
    );
    expect(runs.map((run) => run.state)).toEqual(Array(12).fill('FINISHED'));
    expect(runs.every((run) => run.rows.length > 0)).toBe(true);
    expect(sim.concurrency().peak).toBeLessThanOrEqual(2);
    await eventually(async () => (await queueView()).admitted === 0, 5_000);
  });

  test('DELETE of a queued query removes it: the cluster never sees it', async () => {
    await restart(limited(1));
    const running = await submit(proxy.url, 'SELECT 1 -- sim:pages=2');
    const queued = (await submit(proxy.url, 'SELECT 2')).body as Page;
    const before = sim.queryIds().length;
    expect((await poll(queued.nextUri as string, 'DELETE')).status).toBe(204);
    expect((await poll(queued.nextUri as string)).status).toBe(404);
    expect(await finish(running.body as Page)).toBe('FINISHED');
    await eventually(async () => (await queueView()).admitted === 0, 5_000);
    expect(sim.queryIds().length).toBe(before);
  });

  test('a URI with a wrong slug is refused', async () => {
    const running = await submit(proxy.url, 'SELECT 1 -- sim:pages=2');
    const queued = (await submit(proxy.url, 'SELECT 2')).body as Page;
    const forged = (queued.nextUri as string).replace(/\/y[0-9a-f]{32}\//, `/y${'0'.repeat(32)}/`);
    expect((await poll(forged)).status).toBe(404);
    expect((await poll(forged, 'DELETE')).status).toBe(404);
    expect((await poll(queued.nextUri as string, 'DELETE')).status).toBe(204);
    expect(await finish(running.body as Page)).toBe('FINISHED');
  });
});

describe('limits that refuse', () => {
  test('maxQueued: one more is a FAILED query naming the group and the limit', async () => {
    await restart(limited(1, { queue: { maxQueued: 1 } }));
    const running = await submit(proxy.url, 'SELECT 1 -- sim:pages=2');
    const queued = (await submit(proxy.url, 'SELECT 2')).body as Page;
    const refused = (await submit(proxy.url, 'SELECT 3')).body as Page;
    expect(refused.stats.state).toBe('FAILED');
    expect(refused.error).toMatchObject({ errorName: 'QUERY_QUEUE_FULL', errorType: 'INSUFFICIENT_RESOURCES' });
    expect(refused.error?.message).toContain('adhoc');
    expect(refused.error?.message).toContain('1');
    expect(refused.nextUri).toBeUndefined();
    expect((await poll(queued.nextUri as string, 'DELETE')).status).toBe(204);
    expect(await finish(running.body as Page)).toBe('FINISHED');
  });

  test('maxWaitSeconds: a query waiting longer fails with EXCEEDED_TIME_LIMIT', async () => {
    await restart(limited(1, { queue: { maxWaitSeconds: 1 } }));
    const running = await submit(proxy.url, 'SELECT 1 -- sim:pages=2');
    let page = (await submit(proxy.url, 'SELECT 2')).body as Page;
    while (page.nextUri !== undefined) page = (await poll(page.nextUri)).page as Page;
    expect(page.stats.state).toBe('FAILED');
    expect(page.error?.errorName).toBe('EXCEEDED_TIME_LIMIT');
    expect(await finish(running.body as Page)).toBe('FINISHED');
  });

  test('admission: a per-user concurrency limit rejects that user, not others', async () => {
    await restart([
      clusterResource('solo', { url: sim.url, labels: { pool: 'adhoc' } }),
      groupResource('adhoc', {
        matchLabels: { pool: 'adhoc' },
        default: true,
        admission: [{ name: 'per-user', key: 'User', maxConcurrent: 1 }],
      }),
    ]);
    const mine = await submit(proxy.url, 'SELECT 1 -- sim:pages=2', { 'x-trino-user': 'alice' });
    expect(mine.body.stats.state).not.toBe('FAILED');
    const refused = (await submit(proxy.url, 'SELECT 2', { 'x-trino-user': 'alice' })).body as Page;
    expect(refused.error?.errorName).toBe('QUERY_QUEUE_FULL');
    expect(refused.error?.message).toContain('per-user');
    const other = await submit(proxy.url, 'SELECT 3', { 'x-trino-user': 'bob' });
    expect(isQueuedQueryId(other.body.id)).toBe(false);
    expect(other.body.error).toBeUndefined();
    const groups = (await (await request(`${proxy.adminUrl}/api/v1/groups`)).body.json()) as Array<{
      name: string;
      admission: { limits: Array<{ name: string; admitted: number; keys: number }> };
    }>;
    expect(groups.find((group) => group.name === 'adhoc')?.admission.limits).toEqual([
      expect.objectContaining({ name: 'per-user', admitted: 2, keys: 2 }),
    ]);
    expect(await finish(mine.body as Page)).toBe('FINISHED');
    expect(await finish(other.body as Page)).toBe('FINISHED');
    // Alice's query ended, so she may run one again.
    const later = await submit(proxy.url, 'SELECT 4', { 'x-trino-user': 'alice' });
    expect(later.body.error).toBeUndefined();
    expect(await finish(later.body as Page)).toBe('FINISHED');
  });
});

describe('order', () => {
  /** Submits queued queries, frees the slot one query at a time and returns the SQL in the order they ran. */
  async function runOrder(entries: Array<{ sql: string; headers?: Record<string, string> }>): Promise<string[]> {
    const blocker = await submit(proxy.url, 'SELECT 0 -- sim:pages=2');
    let waiting: Array<{ sql: string; page: Page }> = [];
    for (const entry of entries)
      waiting.push({ sql: entry.sql, page: (await submit(proxy.url, entry.sql, entry.headers)).body as Page });
    expect(waiting.every(({ page }) => isQueuedQueryId(page.id))).toBe(true);
    const order: string[] = [];
    let running = blocker.body as Page;
    while (waiting.length > 0) {
      expect(await finish(running)).toBe('FINISHED');
      // The freed slot goes to exactly one waiting query: poll each (long polls) until one is sent.
      let sent: { sql: string; page: Page } | undefined;
      const deadline = Date.now() + 10_000;
      while (sent === undefined) {
        if (Date.now() > deadline) throw new Error(`no queued query was sent; still waiting: ${waiting.length}`);
        const next: Array<{ sql: string; page: Page }> = [];
        for (const entry of waiting) {
          const page = (await poll(entry.page.nextUri as string)).page as Page;
          if (sent === undefined && !isQueuedQueryId(page.id)) sent = { sql: entry.sql, page };
          else next.push({ sql: entry.sql, page });
        }
        waiting = next;
      }
      order.push(sent.sql);
      running = sent.page;
    }
    expect(await finish(running)).toBe('FINISHED');
    return order;
  }

  test('FIFO within a class; a higher class goes first; users take turns', async () => {
    await restart(
      limited(1, { queue: { priorityClasses: [{ name: 'interactive', condition: 'request.source == "cli"' }] } }),
    );
    const order = await runOrder([
      { sql: 'SELECT 1', headers: { 'x-trino-user': 'batch' } },
      { sql: 'SELECT 2', headers: { 'x-trino-user': 'batch' } },
      { sql: 'SELECT 3', headers: { 'x-trino-user': 'batch' } },
      { sql: 'SELECT 4', headers: { 'x-trino-user': 'alice' } },
      { sql: 'SELECT 5', headers: { 'x-trino-user': 'bob', 'x-trino-source': 'cli' } },
    ]);
    // bob's interactive query first; then batch and alice take turns, FIFO within batch.
    expect(order).toEqual(['SELECT 5', 'SELECT 1', 'SELECT 4', 'SELECT 2', 'SELECT 3']);
    expect(sim.concurrency().peak).toBeLessThanOrEqual(1);
  });
});

async function queueView(): Promise<{ admitted: number }> {
  const clusters = (await (await request(`${proxy.adminUrl}/api/v1/clusters`)).body.json()) as Array<{
    name: string;
    admittedQueries?: number;
  }>;
  return { admitted: clusters.find((cluster) => cluster.name === 'solo')?.admittedQueries ?? -1 };
}
