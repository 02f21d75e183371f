// Query history in PostgreSQL end to end: a proxy configured with `history.store: postgres` (the URL
// from an environment variable) migrates the schema at start, records queries routed by a rule and by
// default, and the admin API finds them with filters and text search in the SQL.
import { request } from 'undici';
import type { RunningProxy } from '../../proxy/src/app.js';
import { SimTrino } from '../fixtures/sim-trino.js';
import { freePort } from '../harness/ports.js';
import { type PostgresServer, startPostgres } from '../harness/postgres.js';
import { clusterResource, groupResource, startInProcess, Workspace } from '../harness/proxy.js';
import { runQuery } from '../harness/trino-http.js';
import { untilPasses } from '../harness/wait.js';

let postgres: PostgresServer;
let sim: SimTrino;
let workspace: Workspace;
let proxy: RunningProxy;

beforeAll(async () => {
  postgres = await startPostgres();
  process.env['JUNCTION_TEST_HISTORY_URL'] = await postgres.createDatabase('history_e2e');
  sim = await SimTrino.start({ name: 'blue' });
  workspace = new Workspace();
  workspace.writeResources([
    clusterResource('blue', { url: sim.url, labels: { pool: 'adhoc' } }),
    groupResource('adhoc', {
      matchLabels: { pool: 'adhoc' },
      default: true,
      rules: [{ name: 'dashboards', condition: 'request.source == "superset"' }],
    }),
  ]);
  proxy = await startInProcess(
    workspace.config({
      history: { store: 'postgres', postgres: { urlEnv: 'JUNCTION_TEST_HISTORY_URL' }, flushInterval: '20ms' },
    }),
  );
  await proxy.health.firstRound;
});

afterAll(async () => {
  await proxy?.close();
  await sim?.close();
  await postgres?.stop();
  workspace?.remove();
  delete process.env['JUNCTION_TEST_HISTORY_URL'];
});

interface Answer {
  records: Array<{ id: string; routedBy: string; rule: string | null; state: string; sql: string; cluster: string }>;
  nextCursor: string | null;
}

async function history(query: string): Promise<Answer> {
  const response = await request(`${proxy.adminUrl}/api/v1/history${query}`);
  expect(response.statusCode).toBe(200);
  return (await response.body.json()) as Answer;
}

test('queries are recorded in PostgreSQL and found with filters and text search', async () => {
  const dashboard = await runQuery(proxy.url, 'SELECT revenue FROM sales -- sim:pages=2', {
    headers: { 'x-trino-source': 'superset' },
  });
  const adhoc = await runQuery(proxy.url, 'SELECT 1 -- sim:fail');
  expect([dashboard.state, adhoc.state]).toEqual(['FINISHED', 'FAILED']);
  await untilPasses(async () => {
    const { records } = await history('');
    expect(records.map((record) => [record.id, record.state])).toEqual([
      [adhoc.id, 'FAILED'],
      [dashboard.id, 'FINISHED'],
    ]);
  });
  const bySearch = await history('?q=REVENUE%20from');
  expect(bySearch.records).toEqual([
    expect.objectContaining({ id: dashboard.id, routedBy: 'rule', rule: 'dashboards', cluster: 'blue' }),
  ]);
  expect((await history('?state=failed')).records.map((record) => record.id)).toEqual([adhoc.id]);
  const paged = await history('?limit=1');
  expect(paged.records.map((record) => record.id)).toEqual([adhoc.id]);
  const next = await history(`?limit=1&cursor=${paged.nextCursor}`);
  expect(next.records.map((record) => record.id)).toEqual([dashboard.id]);
  expect(next.nextCursor).toBeNull();
});

test('a proxy whose PostgreSQL is down starts, routes, and counts the dropped events', async () => {
  process.env['JUNCTION_TEST_HISTORY_DOWN_URL'] = `postgres://junction:pw@127.0.0.1:${await freePort()}/none`;
  const down = await startInProcess(
    workspace.config({
      history: { store: 'postgres', postgres: { urlEnv: 'JUNCTION_TEST_HISTORY_DOWN_URL' }, flushInterval: '20ms' },
    }),
  );
  try {
    await down.health.firstRound;
    expect((await runQuery(down.url, 'SELECT 1')).state).toBe('FINISHED');
    await untilPasses(async () => {
      const text = await (await request(`${down.adminUrl}/metrics`)).body.text();
      expect(text).toMatch(/junction_history_dropped_total\{reason="store-error"\} [1-9]/);
    });
    expect((await request(`${down.adminUrl}/api/v1/history`)).statusCode).toBe(503);
  } finally {
    await down.close();
    delete process.env['JUNCTION_TEST_HISTORY_DOWN_URL'];
  }
});
