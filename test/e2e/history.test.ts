// Query history end to end: a proxy over real sockets in front of simulated clusters records every
// query it routes — by a rule, by default, through its queue — with how it was routed and how it
// ended, and the admin API reads them back with filters and paging. When the store (Redis) is down,
// routing goes on and the dropped events are counted.
import { join } from 'node:path';
import { GatewayConfig, loadGatewayConfig } from '@junction/shared';
import { request } from 'undici';
import type { RunningProxy } from '../../proxy/src/app.js';
import { isQueuedQueryId } from '../../proxy/src/http/gateway-query-ids.js';
import { SimTrino } from '../fixtures/sim-trino.js';
import { clusterResource, eventually, groupResource, REPO_ROOT, startInProcess, Workspace } from '../harness/proxy.js';
import { type RedisServer, startRedis } from '../harness/redis.js';
import { followToEnd, runQuery, submit, viaOrigin } from '../harness/trino-http.js';
import { untilPasses } from '../harness/wait.js';

/** A record as the history API shows it. */
interface Row {
  id: string;
  queryId: string | null;
  gatewayId: string | null;
  user: string;
  source: string;
  clientTags: string[];
  group: string;
  cluster: string;
  routedBy: string;
  rule: string | null;
  submittedAt: string;
  queuedMs: number;
  firstPageMs: number | null;
  endedAt: string | null;
  state: string;
  errorName: string | null;
  replica: string;
  sql: string | null;
  sqlTruncated: boolean;
}

/** A history answer: a page of rows, one row, or an error. */
interface Answer extends Partial<Row> {
  records: Row[];
  nextCursor: string | null;
  error: { code: number; message: string; parameter?: string };
}

async function admin(proxy: RunningProxy, path: string): Promise<{ status: number; body: Answer }> {
  const response = await request(`${proxy.adminUrl}${path}`);
  return { status: response.statusCode, body: (await response.body.json()) as Answer };
}

async function history(proxy: RunningProxy, query = ''): Promise<Row[]> {
  const { status, body } = await admin(proxy, `/api/v1/history${query}`);
  expect(status).toBe(200);
  return body.records;
}

let sims: SimTrino[];
let workspace: Workspace;

beforeAll(async () => {
  sims = await Promise.all(['blue', 'green'].map((name) => SimTrino.start({ name })));
  workspace = new Workspace();
});

afterAll(async () => {
  await Promise.all(sims.map((sim) => sim.close()));
  workspace.remove();
});

function resources(): object[] {
  const [blue, green] = sims as [SimTrino, SimTrino];
  return [
    clusterResource('blue', { url: blue.url, labels: { pool: 'adhoc' } }),
    clusterResource('green', { url: green.url, labels: { pool: 'etl' }, maxRunningQueries: 1 }),
    groupResource('adhoc', { matchLabels: { pool: 'adhoc' }, default: true }),
    groupResource('etl', {
      matchLabels: { pool: 'etl' },
      rules: [{ name: 'airflow', condition: 'request.source == "airflow"' }],
    }),
    groupResource('nowhere', {
      matchLabels: { pool: 'none' },
      rules: [{ name: 'lost', condition: 'request.source == "lost"' }],
    }),
  ];
}

describe('history in memory', () => {
  let proxy: RunningProxy;
  const airflow = { 'x-trino-user': 'bob', 'x-trino-source': 'airflow', 'x-trino-client-tags': 'nightly, etl' };
  const ids: { [name: string]: string } = {};

  beforeAll(async () => {
    workspace.writeResources(resources());
    proxy = await startInProcess(
      workspace.config({
        queue: { pollWait: '100ms', dispatchInterval: '50ms', sweepInterval: '50ms' },
        history: { flushInterval: '20ms', sqlMaxBytes: 40 },
      }),
    );
    await proxy.health.firstRound;

    const plain = await runQuery(proxy.url, 'SELECT 1 -- sim:pages=2', { headers: { 'x-trino-user': 'alice' } });
    expect(plain.state).toBe('FINISHED');
    ids['plain'] = plain.id;
    const failed = await runQuery(proxy.url, 'SELECT 4 -- sim:fail', { headers: { 'x-trino-user': 'alice' } });
    expect(failed.state).toBe('FAILED');
    ids['failed'] = failed.id;

    // green takes one query at a time: the rule-routed query holds it, the next one waits in the gateway.
    const byRule = await submit(proxy.url, 'SELECT 2 -- sim:pages=3', airflow);
    ids['rule'] = byRule.body.id;
    const queued = await submit(proxy.url, `SELECT 3 /* ${'x'.repeat(60)} */`, airflow);
    expect(isQueuedQueryId(queued.body.id)).toBe(true);
    ids['queued'] = queued.body.id;
    expect(await followToEnd(byRule.body.nextUri, airflow)).toBe('FINISHED');
    expect(await followToEnd(queued.body.nextUri, airflow)).toBe('FINISHED');
  });

  afterAll(() => proxy.close());

  test('each query reads back with how it was routed and how it ended', async () => {
    const records = await untilPasses(async () => {
      const all = await history(proxy);
      expect(all).toHaveLength(4);
      expect(all.every((record) => record.endedAt !== null)).toBe(true);
      return all;
    });
    // Newest first (by submission).
    expect(records.map((record) => record.id)).toEqual([ids['queued'], ids['rule'], ids['failed'], ids['plain']]);
    const [queued, byRule, failed, plain] = records as [Row, Row, Row, Row];
    expect(plain).toMatchObject({
      queryId: ids['plain'],
      gatewayId: null,
      user: 'alice',
      group: 'adhoc',
      cluster: 'blue',
      routedBy: 'default',
      rule: null,
      queuedMs: 0,
      state: 'FINISHED',
      errorName: null,
      sql: 'SELECT 1 -- sim:pages=2',
      sqlTruncated: false,
    });
    expect(plain.replica.length).toBeGreaterThan(0);
    expect(plain.firstPageMs).toEqual(expect.any(Number));
    expect(Date.parse(plain.endedAt as string)).toBeGreaterThanOrEqual(Date.parse(plain.submittedAt));
    expect(failed).toMatchObject({ state: 'FAILED', errorName: 'GENERIC_INTERNAL_ERROR', cluster: 'blue' });
    expect(byRule).toMatchObject({
      queryId: ids['rule'],
      user: 'bob',
      source: 'airflow',
      clientTags: ['nightly', 'etl'],
      group: 'etl',
      cluster: 'green',
      routedBy: 'rule',
      rule: 'airflow',
      state: 'FINISHED',
    });
    expect(queued).toMatchObject({
      gatewayId: ids['queued'],
      group: 'etl',
      cluster: 'green',
      routedBy: 'queue',
      rule: 'airflow',
      state: 'FINISHED',
      sqlTruncated: true,
    });
    expect(queued.sql).toBe(`SELECT 3 /* ${'x'.repeat(28)}`);
    expect(queued.queuedMs).toEqual(expect.any(Number));
    expect(queued.queryId).not.toBeNull();
    expect(sims[1]?.queryIds()).toContain(queued.queryId);
    // One record, found by either of its ids.
    await expect(admin(proxy, `/api/v1/history/${queued.queryId}`)).resolves.toEqual({ status: 200, body: queued });
    await expect(admin(proxy, `/api/v1/history/${ids['queued']}`)).resolves.toEqual({ status: 200, body: queued });
  });

  test('filters and paging', async () => {
    const idsOf = async (query: string) => (await history(proxy, query)).map((record) => record.id);
    await expect(idsOf('?user=alice')).resolves.toEqual([ids['failed'], ids['plain']]);
    await expect(idsOf('?source=airflow&cluster=green')).resolves.toEqual([ids['queued'], ids['rule']]);
    await expect(idsOf('?group=etl&state=finished')).resolves.toEqual([ids['queued'], ids['rule']]);
    await expect(idsOf('?state=FAILED')).resolves.toEqual([ids['failed']]);
    await expect(idsOf('?q=SIM:FAIL')).resolves.toEqual([ids['failed']]);
    await expect(idsOf(`?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).resolves.toEqual(
      [],
    );
    await expect(idsOf('?until=2000-01-01T00:00:00Z')).resolves.toEqual([]);
    const first = await admin(proxy, '/api/v1/history?limit=3');
    expect(first.body.records).toHaveLength(3);
    const rest = await admin(proxy, `/api/v1/history?limit=3&cursor=${first.body.nextCursor}`);
    expect(rest.body.records.map((record: Row) => record.id)).toEqual([ids['plain']]);
    expect(rest.body.nextCursor).toBeNull();
  });

  test.each([
    ['?limit=abc', 'limit'],
    ['?limit=0', 'limit'],
    ['?since=yesterday', 'since'],
    ['?since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z', 'since'],
    ['?usr=alice', 'usr'],
    ['?user=', 'user'],
    ['?state=FINI$HED', 'state'],
    ['?cursor=not-ours', 'cursor'],
  ])('%s → 400 naming %s', async (query, parameter) => {
    const { status, body } = await admin(proxy, `/api/v1/history${query}`);
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 400, parameter });
    expect(body.error.message).toContain(parameter);
  });

  test('a submission the gateway refuses is recorded under the id its client saw', async () => {
    const refused = await submit(proxy.url, 'SELECT 5', { 'x-trino-user': 'gina', 'x-trino-source': 'lost' });
    expect(refused.body.error.errorName).toBe('NO_HEALTHY_CLUSTER');
    const [record] = await untilPasses(async () => {
      const records = await history(proxy, '?user=gina');
      expect(records).toHaveLength(1);
      return records;
    });
    expect(record).toMatchObject({
      id: refused.body.id,
      gatewayId: refused.body.id,
      queryId: null,
      source: 'lost',
      state: 'FAILED',
      errorName: 'NO_HEALTHY_CLUSTER',
      sql: 'SELECT 5',
    });
    expect(record?.endedAt).not.toBeNull();
  });

  test('a query killed with DELETE /v1/query/<id> ends FAILED with USER_CANCELED', async () => {
    const running = await submit(proxy.url, 'SELECT 6 -- sim:pages=50', { 'x-trino-user': 'hank' });
    const killed = await request(`${proxy.url}/v1/query/${running.body.id}`, {
      method: 'DELETE',
      headers: { 'x-trino-user': 'hank' },
    });
    await killed.body.dump();
    await untilPasses(async () => {
      const [record] = await history(proxy, '?user=hank');
      expect(record).toMatchObject({ id: running.body.id, state: 'FAILED', errorName: 'USER_CANCELED' });
    });
  });

  test('an unknown query is 404 JSON', async () => {
    const { status, body } = await admin(proxy, '/api/v1/history/20250101_000000_00000_nopee');
    expect(status).toBe(404);
    expect(body.error.message).toContain('20250101_000000_00000_nopee');
  });
});

describe('history in Redis, and Redis going away', () => {
  let redis: RedisServer;
  let proxy: RunningProxy;
  let other: RunningProxy;

  beforeAll(async () => {
    redis = await startRedis();
    workspace.writeResources(resources());
    const replica = () =>
      startInProcess(
        workspace.config({
          redis: { url: redis.url, keyPrefix: 'history-e2e:', commandTimeout: '200ms' },
          queue: { pollWait: '100ms', dispatchInterval: '50ms', sweepInterval: '50ms' },
          history: { flushInterval: '20ms', recordSql: false },
        }),
      );
    [proxy, other] = await Promise.all([replica(), replica()]);
    for (const each of [proxy, other]) {
      await eventually(async () => (await request(`${each.adminUrl}/readyz`)).statusCode === 200);
    }
  });

  afterAll(async () => {
    await Promise.all([proxy.close(), other.close()]);
    await redis.stop();
  });

  test('replicas share one record per query: submitted on one, polled and ended through the other', async () => {
    const airflow = { 'x-trino-user': 'frank', 'x-trino-source': 'airflow' };
    const viaOther = (uri: string) => viaOrigin(uri, other.url);
    const running = await submit(proxy.url, 'SELECT 1 -- sim:pages=2', airflow);
    const queued = await submit(proxy.url, 'SELECT 2 -- sim:pages=2', airflow);
    expect(isQueuedQueryId(queued.body.id)).toBe(true);
    expect(await followToEnd(viaOther(running.body.nextUri), airflow)).toBe('FINISHED');
    // The queued query's URIs are the gateway's: every replica answers them.
    let next: string | undefined = viaOther(queued.body.nextUri);
    while (next !== undefined) {
      const page = (await (await request(next, { headers: airflow })).body.json()) as { nextUri?: string };
      next = page.nextUri === undefined ? undefined : viaOther(page.nextUri);
    }
    await untilPasses(async () => {
      const records = await history(other, '?user=frank');
      expect(records.map((record) => [record.id, record.routedBy, record.state])).toEqual([
        [queued.body.id, 'queue', 'FINISHED'],
        [running.body.id, 'rule', 'FINISHED'],
      ]);
      expect(records.every((record) => record.firstPageMs !== null && record.cluster === 'green')).toBe(true);
    });
  });

  const metric = async (name: string) => {
    const text = await (await request(`${proxy.adminUrl}/metrics`)).body.text();
    const line = text.split('\n').find((entry) => entry.startsWith(name));
    return Number(line?.split(' ').pop() ?? Number.NaN);
  };

  test('records go to Redis; while it is down queries still run and dropped events are counted', async () => {
    const before = await runQuery(proxy.url, 'SELECT 1', { headers: { 'x-trino-user': 'carol' } });
    await untilPasses(async () => {
      const [record] = await history(proxy, '?user=carol');
      expect(record).toMatchObject({ id: before.id, state: 'FINISHED', sql: null });
    });
    expect(await metric('junction_history_written_total')).toBeGreaterThan(0);
    expect(await metric('junction_history_dropped_total{reason="store-error"}')).toBe(0);

    await redis.stop();
    for (let i = 0; i < 3; i++) {
      const run = await runQuery(proxy.url, 'SELECT 2 -- sim:pages=2', { headers: { 'x-trino-user': 'dave' } });
      expect(run.state).toBe('FINISHED');
    }
    await eventually(async () => (await metric('junction_history_dropped_total{reason="store-error"}')) >= 3);
    expect((await admin(proxy, '/api/v1/history')).status).toBe(503);

    await redis.restart();
    await untilPasses(
      async () => {
        const run = await runQuery(proxy.url, 'SELECT 3', { headers: { 'x-trino-user': 'erin' } });
        const records = await untilPasses(() => history(proxy, '?user=erin'), 2_000);
        expect(records.map((record) => record.id)).toContain(run.id);
      },
      20_000,
      200,
    );
  });
});

test("docs/history.md's example config loads, writing out the defaults", () => {
  const example = loadGatewayConfig(join(REPO_ROOT, 'examples/history/gateway.yaml'));
  expect(example.history).toEqual(GatewayConfig.parse({}).history);
  expect(example.resources?.files).toEqual([join(REPO_ROOT, 'examples/queueing/resources.yaml')]);
});
