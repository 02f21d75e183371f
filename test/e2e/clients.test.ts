// The npm Trino clients run queries through the proxy to completion and cancel one; the
// clusters' own records prove where each request went.
import presto from 'presto-client';
import { BasicAuth, Trino } from 'trino-client';
import type { RunningProxy } from '../../proxy/src/app.js';
import { expectedRows, SimTrino } from '../fixtures/sim-trino.js';
import { clusterResource, eventually, groupResource, startInProcess, Workspace } from '../harness/proxy.js';

let blue: SimTrino;
let green: SimTrino;
let workspace: Workspace;
let proxy: RunningProxy;
let port: number;

beforeAll(async () => {
  blue = await SimTrino.start({ name: 'blue' });
  green = await SimTrino.start({ name: 'green' });
  workspace = new Workspace();
  workspace.writeResources([
    clusterResource('blue', { url: blue.url, labels: { pool: 'adhoc' } }),
    clusterResource('green', { url: green.url, labels: { pool: 'etl' } }),
    groupResource('adhoc', { matchLabels: { pool: 'adhoc' }, default: true }),
    groupResource('etl', {
      matchLabels: { pool: 'etl' },
      rules: [{ name: 'js', condition: 'request.source == "etl-js"' }],
    }),
  ]);
  proxy = await startInProcess(workspace.config());
  await proxy.health.firstRound;
  port = Number(new URL(proxy.url).port);
});

afterAll(async () => {
  await proxy.close();
  await Promise.all([blue.close(), green.close()]);
  workspace.remove();
});

describe('trino-client', () => {
  it('runs a query to completion through the proxy', async () => {
    const trino = Trino.create({ server: proxy.url, source: 'etl-js', auth: new BasicAuth('carol') });
    const rows: unknown[][] = [];
    let state = '';
    for await (const result of await trino.query('SELECT 1 -- sim:pages=4')) {
      rows.push(...(result.data ?? []));
      state = result.stats?.state ?? state;
    }
    expect(state).toBe('FINISHED');
    expect(rows).toEqual(expectedRows('green', 4));
    expect(blue.records.filter((r) => r.path.startsWith('/v1/statement'))).toHaveLength(0);
  });

  it('cancels a running query on the cluster that owns it', async () => {
    const trino = Trino.create({ server: proxy.url, auth: new BasicAuth('carol') });
    const iterator = await trino.query('SELECT 1 -- sim:pages=100 sim:pageDelayMs=50');
    const first = await iterator.next();
    const queryId = first.value.id as string;
    expect(blue.queryIds()).toContain(queryId);
    await trino.cancel(queryId);
    await eventually(async () => (await trino.queryInfo(queryId)).state === 'FAILED');
    expect(blue.recordsFor(queryId).some((r) => r.method === 'DELETE')).toBe(true);
    expect(green.recordsFor(queryId)).toHaveLength(0);
  });
});

describe('presto-client', () => {
  const client = () => new presto.Client({ host: '127.0.0.1', port, user: 'bob', engine: 'trino', checkInterval: 1 });

  it('runs a query to completion through the proxy', async () => {
    const rows: unknown[][] = [];
    let queryId = '';
    const state = await new Promise<string>((resolve, reject) => {
      client().execute({
        query: 'SELECT * FROM t -- sim:pages=3 sim:rows=2',
        state: (_error, id) => {
          queryId = id;
        },
        data: (_error, data) => rows.push(...data),
        success: (_error, stats) => resolve(stats.state),
        error: (error) => reject(new Error(error.message)),
      });
    });
    expect(state).toBe('FINISHED');
    expect(rows).toEqual(expectedRows('blue', 3, 2));
    expect(blue.recordsFor(queryId).length).toBeGreaterThan(3);
  });

  it('cancels a running query through the proxy', async () => {
    let queryId = '';
    let cancel = false;
    const outcome = await new Promise<string>((resolve) => {
      client().execute({
        query: 'SELECT 1 -- sim:pages=100 sim:pageDelayMs=50',
        state: (_error, id, stats) => {
          queryId = id;
          if (stats.state === 'RUNNING') cancel = true;
        },
        cancel: () => cancel,
        success: (_error, stats) => resolve(stats.state),
        error: (error) => resolve(error.message),
      });
    });
    expect(outcome).toBe('query fetch canceled by operation');
    expect(blue.recordsFor(queryId).some((r) => r.method === 'DELETE')).toBe(true);
  });
});
