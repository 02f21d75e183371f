// The npm Trino clients against a cluster at its maxRunningQueries: the second of two concurrent
// queries waits in the gateway (the clients see QUEUED), then finishes with the right rows; a query
// cancelled while queued never reaches the cluster.
import presto from 'presto-client';
import { BasicAuth, Trino } from 'trino-client';
import type { RunningProxy } from '../../proxy/src/app.js';
import { isQueuedQueryId } from '../../proxy/src/http/gateway-query-ids.js';
import { expectedRows, SimTrino } from '../fixtures/sim-trino.js';
import { clusterResource, eventually, groupResource, startInProcess, Workspace } from '../harness/proxy.js';

let sim: SimTrino;
let workspace: Workspace;
let proxy: RunningProxy;
let port: number;

beforeAll(async () => {
  sim = await SimTrino.start({ name: 'solo' });
  workspace = new Workspace();
  workspace.writeResources([
    clusterResource('solo', { url: sim.url, labels: { pool: 'adhoc' }, maxRunningQueries: 1 }),
    groupResource('adhoc', { matchLabels: { pool: 'adhoc' }, default: true }),
  ]);
  proxy = await startInProcess(workspace.config({ queue: { pollWait: '200ms' } }));
  await proxy.health.firstRound;
  port = Number(new URL(proxy.url).port);
});

afterAll(async () => {
  await proxy.close();
  await sim.close();
  workspace.remove();
});

/** Runs a query with trino-client, recording the state and id of every page. */
async function trinoRun(sql: string): Promise<{ rows: unknown[][]; states: string[]; ids: string[] }> {
  const trino = Trino.create({ server: proxy.url, auth: new BasicAuth('carol') });
  const rows: unknown[][] = [];
  const states: string[] = [];
  const ids: string[] = [];
  for await (const result of await trino.query(sql)) {
    rows.push(...(result.data ?? []));
    states.push(result.stats?.state ?? '');
    ids.push(result.id);
  }
  return { rows, states, ids };
}

/** Runs a query with presto-client, recording the state and id of every page. */
function prestoRun(
  sql: string,
  cancelWhenQueued = false,
): Promise<{ rows: unknown[][]; states: string[]; ids: string[]; end: string }> {
  const client = new presto.Client({ host: '127.0.0.1', port, user: 'bob', engine: 'trino', checkInterval: 1 });
  const rows: unknown[][] = [];
  const states: string[] = [];
  const ids: string[] = [];
  let cancel = false;
  return new Promise((resolve) => {
    client.execute({
      query: sql,
      state: (_error, id, stats) => {
        ids.push(id);
        states.push(stats.state);
        if (cancelWhenQueued && stats.state === 'QUEUED') cancel = true;
      },
      cancel: () => cancel,
      data: (_error, data) => rows.push(...data),
      success: (_error, stats) => resolve({ rows, states, ids, end: stats.state }),
      error: (error) => resolve({ rows, states, ids, end: error.message }),
    });
  });
}

/** How many submissions admission queued so far (the metric query management keeps). */
async function queuedSoFar(): Promise<number> {
  const text = await (await fetch(`${proxy.adminUrl}/metrics`)).text();
  const line = text
    .split('\n')
    .find((row) => row.startsWith('junction_queue_admissions_total{group="adhoc",outcome="queued"}'));
  return Number(line?.split(' ').pop() ?? 0);
}

test('trino-client: the second of two concurrent queries waits in the gateway, then finishes with its rows', async () => {
  const before = await queuedSoFar();
  const [first, second] = await Promise.all([
    trinoRun('SELECT 1 -- sim:pages=3 sim:pageDelayMs=100'),
    trinoRun('SELECT 2 -- sim:pages=2'),
  ]);
  // trino-client yields only pages with data, so the QUEUED phase shows in the gateway's count.
  expect(await queuedSoFar()).toBe(before + 1);
  expect([first.states.at(-1), second.states.at(-1)]).toEqual(['FINISHED', 'FINISHED']);
  expect(first.rows).toEqual(expectedRows('solo', 3));
  expect(second.rows).toEqual(expectedRows('solo', 2));
  expect(sim.concurrency().peak).toBeLessThanOrEqual(1);
});

test('presto-client: the same, through its own polling loop', async () => {
  sim.resetConcurrency();
  const [first, second] = await Promise.all([
    prestoRun('SELECT 1 -- sim:pages=3 sim:pageDelayMs=100 sim:rows=2'),
    prestoRun('SELECT 2 -- sim:pages=2 sim:rows=2'),
  ]);
  expect([first.end, second.end]).toEqual(['FINISHED', 'FINISHED']);
  const waited = [first, second].find((run) => isQueuedQueryId(run.ids[0] as string));
  expect(waited?.states[0]).toBe('QUEUED');
  expect(first.rows).toEqual(expectedRows('solo', 3, 2));
  expect(second.rows).toEqual(expectedRows('solo', 2, 2));
  expect(sim.concurrency().peak).toBeLessThanOrEqual(1);
});

test('cancelling a queued query (presto-client and trino-client) never reaches the cluster', async () => {
  const trino = Trino.create({ server: proxy.url, auth: new BasicAuth('carol') });
  const blocker = await (await trino.query('SELECT 1 -- sim:pages=100 sim:pageDelayMs=50')).next();
  const before = sim.queryIds().length;

  const cancelled = await prestoRun('SELECT 2', true);
  expect(cancelled.end).toBe('query fetch canceled by operation');
  expect(isQueuedQueryId(cancelled.ids[0] as string)).toBe(true);

  // trino-client's cancel(id) is DELETE /v1/query/<id>; the id is the one the POST answered.
  const queued = (await (
    await fetch(`${proxy.url}/v1/statement`, { method: 'POST', headers: { 'x-trino-user': 'carol' }, body: 'SELECT 3' })
  ).json()) as { id: string };
  expect(isQueuedQueryId(queued.id)).toBe(true);
  await trino.cancel(queued.id);
  const info = await fetch(`${proxy.url}/v1/query/${queued.id}`, { headers: { 'x-trino-user': 'carol' } });
  expect(info.status).toBe(404);

  await trino.cancel(blocker.value.id);
  await eventually(async () => (await trino.queryInfo(blocker.value.id)).state === 'FAILED');
  expect(sim.queryIds().length).toBe(before);
});
