// A cluster that dies under a running query: the next poll finds nothing listening, and the client gets
// the query's FAILED last page naming the cluster — at once, instead of a 502 it would retry until its
// own timeout. A query management slot the query held comes back with it.
import { request } from 'undici';
import type { RunningProxy } from '../../proxy/src/app.js';
import { SimTrino } from '../fixtures/sim-trino.js';
import { clusterResource, eventually, groupResource, startInProcess, Workspace } from '../harness/proxy.js';
import { submit } from '../harness/trino-http.js';

let doomed: SimTrino;
let workspace: Workspace;
let proxy: RunningProxy;

beforeAll(async () => {
  doomed = await SimTrino.start({ name: 'doomed' });
  workspace = new Workspace();
  workspace.writeResources([
    clusterResource('doomed', {
      url: doomed.url,
      labels: { pool: 'adhoc' },
      maxRunningQueries: 5,
      healthCheck: { type: 'None' },
    }),
    groupResource('adhoc', { matchLabels: { pool: 'adhoc' }, default: true }),
  ]);
  proxy = await startInProcess(workspace.config());
});

afterAll(async () => {
  await proxy.close();
  await doomed.close();
  workspace.remove();
});

async function admitted(): Promise<number> {
  const clusters = (await (await fetch(`${proxy.adminUrl}/api/v1/clusters`)).json()) as Array<{
    name: string;
    admittedQueries: number;
  }>;
  return clusters.find((cluster) => cluster.name === 'doomed')?.admittedQueries ?? -1;
}

test('a poll after the cluster stopped listening gets a FAILED page with the query id, and the slot is freed', async () => {
  const first = await submit(proxy.url, 'SELECT 1 -- sim:pages=5');
  const queryId = first.body.id as string;
  expect(first.body.nextUri).toBeDefined();
  expect(await admitted()).toBe(1);

  await doomed.close();
  const poll = await request(first.body.nextUri as string, { headers: { 'x-trino-user': 'alice' } });
  expect(poll.statusCode).toBe(200);
  const page = (await poll.body.json()) as {
    id: string;
    nextUri?: string;
    stats: { state: string };
    error: { errorName: string; errorType: string; message: string };
  };
  expect(page.id).toBe(queryId);
  expect(page.nextUri).toBeUndefined();
  expect(page.stats.state).toBe('FAILED');
  expect(page.error).toMatchObject({ errorName: 'UPSTREAM_UNREACHABLE', errorType: 'EXTERNAL' });
  expect(page.error.message).toContain('"doomed"');
  await eventually(async () => (await admitted()) === 0, 10_000, 50);
});

test('the refused connection took the cluster out of routing at once: new requests get 503 JSON', async () => {
  const response = await request(`${proxy.url}/v1/info`);
  expect(response.statusCode).toBe(503);
  expect(((await response.body.json()) as { error: { name: string } }).error.name).toBe('NO_HEALTHY_CLUSTER');
});
