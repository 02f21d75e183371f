// docs/queueing.md's example, run as written: examples/queueing/resources.yaml in front of a
// simulated cluster (its URL replaced by the sim's): two slow queries run, the third waits.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import type { RunningProxy } from '../../proxy/src/app.js';
import { isQueuedQueryId } from '../../proxy/src/http/gateway-query-ids.js';
import { SimTrino } from '../fixtures/sim-trino.js';
import { REPO_ROOT, startInProcess, Workspace } from '../harness/proxy.js';
import { submit } from '../harness/trino-http.js';

let sim: SimTrino;
let workspace: Workspace;
let proxy: RunningProxy;

beforeAll(async () => {
  sim = await SimTrino.start({ name: 'blue' });
  workspace = new Workspace();
  const example = readFileSync(join(REPO_ROOT, 'examples/queueing/resources.yaml'), 'utf8');
  expect(example).toContain('http://127.0.0.1:18081');
  writeFileSync(workspace.resourcesFile, example.replace('http://127.0.0.1:18081', sim.url));
  proxy = await startInProcess(workspace.config());
  await proxy.health.firstRound;
});

afterAll(async () => {
  await proxy?.close();
  await sim?.close();
  workspace?.remove();
});

test('three slow queries: two run, the third is QUEUED and listed; DELETE removes it', async () => {
  const answers = [];
  for (const n of [1, 2, 3])
    answers.push(await submit(proxy.url, `SELECT ${n} -- sim:pages=20 sim:pageDelayMs=500`, { 'x-trino-user': 'me' }));
  expect(answers.map((answer) => isQueuedQueryId(answer.body.id))).toEqual([false, false, true]);
  const third = answers[2]?.body as { id: string; nextUri: string; stats: { state: string; queued: boolean } };
  expect(third.stats).toMatchObject({ state: 'QUEUED', queued: true });
  expect(third.nextUri.startsWith(`${proxy.url}/v1/statement/queued/${third.id}/`)).toBe(true);

  const queue = (await (await request(`${proxy.adminUrl}/api/v1/queue`)).body.json()) as {
    queries: Array<{ id: string; group: string; priorityClass: string; user: string }>;
  };
  expect(queue.queries).toEqual([
    expect.objectContaining({ id: third.id, group: 'adhoc', priorityClass: 'default', user: 'me' }),
  ]);
  const clusters = (await (await request(`${proxy.adminUrl}/api/v1/clusters`)).body.json()) as Array<
    Record<string, unknown>
  >;
  expect(clusters[0]).toMatchObject({ name: 'blue', admittedQueries: 2, maxRunningQueries: 2 });

  const cancelled = await request(third.nextUri, { method: 'DELETE', headers: { 'x-trino-user': 'me' } });
  expect(cancelled.statusCode).toBe(204);
  for (const answer of answers.slice(0, 2)) {
    const deleted = await request(answer.body.nextUri, { method: 'DELETE', headers: { 'x-trino-user': 'me' } });
    expect(deleted.statusCode).toBe(204);
  }
  expect(sim.queryIds()).toHaveLength(2);
});
