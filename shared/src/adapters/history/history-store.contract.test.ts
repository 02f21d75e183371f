// The HistoryStore contract, run against every implementation: folding a query's events into one
// record (in any order, across replicas), aliases of queued queries, bounds, filters and paging.
import {
  type HistoryStoreFixture,
  type HistoryStoreSubject,
  memoryHistoryStores,
  postgresHistoryStores,
  redisHistoryStores,
} from '../../../../test/harness/history-stores.js';
import { HistoryCursorError, type HistoryRecord, type HistoryStore } from '../../contract/history.js';

const T0 = 1_733_000_000_000;

function submitted(id: string, overrides: Partial<HistoryRecord> = {}): HistoryRecord {
  return {
    id,
    queryId: id,
    user: 'alice',
    source: 'trino-cli',
    clientTags: ['adhoc', 'team-a'],
    group: 'adhoc',
    cluster: 'blue',
    routedBy: 'default',
    submittedAt: T0,
    queuedMs: 0,
    state: 'RUNNING',
    replica: 'proxy-0',
    sql: 'SELECT 1',
    ...overrides,
  };
}

async function all(store: HistoryStore, filter: Record<string, unknown> = {}): Promise<HistoryRecord[]> {
  return [...(await store.list({ limit: 1000, ...filter })).records];
}

function historyContract(subject: HistoryStoreSubject): void {
  describe(`HistoryStore contract: ${subject.name}`, () => {
    let fixture: HistoryStoreFixture;
    let store: HistoryStore;
    beforeAll(async () => {
      fixture = await subject.setup();
    });
    afterAll(() => fixture.close());
    beforeEach(async () => {
      store = await fixture.open();
    });
    afterEach(() => fixture.release());

    test('a submission and its end fold into one record; the record reads back as written', async () => {
      await store.append([submitted('q1')]);
      await store.append([
        { id: 'q1', firstPageAt: T0 + 40 },
        { id: 'q1', firstPageAt: T0 + 90 },
      ]);
      await store.append([{ id: 'q1', endedAt: T0 + 100, state: 'FAILED', errorName: 'SYNTAX_ERROR' }]);
      const expected = {
        ...submitted('q1'),
        firstPageAt: T0 + 40,
        endedAt: T0 + 100,
        state: 'FAILED',
        errorName: 'SYNTAX_ERROR',
      };
      await expect(store.get('q1')).resolves.toEqual(expected);
      await expect(all(store)).resolves.toEqual([expected]);
      await expect(store.get('nope')).resolves.toBeUndefined();
    });

    test('the first end wins: a DELETE after the last page does not rewrite FINISHED', async () => {
      await store.append([submitted('q1'), { id: 'q1', endedAt: T0 + 5, state: 'FINISHED' }]);
      await store.append([{ id: 'q1', endedAt: T0 + 9, state: 'CANCELED', errorName: 'USER_CANCELED' }]);
      await expect(store.get('q1')).resolves.toMatchObject({ state: 'FINISHED', endedAt: T0 + 5 });
      expect((await store.get('q1'))?.errorName).toBeUndefined();
    });

    test('a queued query: gateway id and cluster id name one record, also when its end came first', async () => {
      const queued = submitted('20250101_000000_00001_jqaaaaaaaaaa', {
        queryId: undefined,
        gatewayId: '20250101_000000_00001_jqaaaaaaaaaa',
        cluster: undefined,
        routedBy: 'queue',
        state: 'QUEUED',
      });
      const first = await fixture.open();
      const second = await fixture.open();
      await first.append([queued]);
      // Another replica saw the end on the cluster before the dispatching replica's event arrived.
      await second.append([{ id: 'c1', endedAt: T0 + 500, state: 'FINISHED' }]);
      await first.append([{ id: queued.id, queryId: 'c1', cluster: 'blue', queuedMs: 300, state: 'RUNNING' }]);
      await second.append([{ id: 'c1', firstPageAt: T0 + 400 }]);
      const record = {
        ...queued,
        queryId: 'c1',
        cluster: 'blue',
        queuedMs: 300,
        firstPageAt: T0 + 400,
        endedAt: T0 + 500,
        state: 'FINISHED',
      };
      await expect(second.get('c1')).resolves.toEqual(record);
      await expect(first.get(queued.id)).resolves.toEqual(record);
      await expect(all(second)).resolves.toEqual([record]);
    });

    test('bounded: beyond maxRecords the oldest records go first', async () => {
      const small = await fixture.open(3);
      for (let i = 1; i <= 5; i++) await small.append([submitted(`q${i}`, { submittedAt: T0 + i })]);
      await small.append([{ id: 'q4', endedAt: T0 + 10, state: 'FINISHED' }]);
      expect((await all(small)).map((record) => record.id)).toEqual(['q5', 'q4', 'q3']);
      await expect(small.get('q1')).resolves.toBeUndefined();
    });

    test('filters: user, source, group, cluster, state, time range, text in the SQL', async () => {
      await store.append([
        submitted('a', { user: 'alice', sql: 'SELECT * FROM orders', submittedAt: T0 + 1 }),
        submitted('b', { user: 'bob', source: 'airflow', group: 'etl', cluster: 'green', submittedAt: T0 + 2 }),
        submitted('c', { sql: 'select count(*) from ORDERS o', submittedAt: T0 + 3, state: 'FAILED' }),
        { id: 'orphan', endedAt: T0 + 4, state: 'FINISHED' },
      ]);
      const ids = async (filter: Record<string, unknown>) => (await all(store, filter)).map((record) => record.id);
      await expect(ids({})).resolves.toEqual(['orphan', 'c', 'b', 'a']);
      await expect(ids({ user: 'bob' })).resolves.toEqual(['b']);
      await expect(ids({ source: 'airflow' })).resolves.toEqual(['b']);
      await expect(ids({ group: 'adhoc', cluster: 'blue' })).resolves.toEqual(['c', 'a']);
      await expect(ids({ state: 'FAILED' })).resolves.toEqual(['c']);
      await expect(ids({ since: T0 + 2 })).resolves.toEqual(['c', 'b']);
      await expect(ids({ until: T0 + 2 })).resolves.toEqual(['b', 'a']);
      await expect(ids({ since: T0 + 2, until: T0 + 2 })).resolves.toEqual(['b']);
      await expect(ids({ text: 'orders' })).resolves.toEqual(['c', 'a']);
      await expect(ids({ text: '100%_' })).resolves.toEqual([]);
      await expect(ids({ user: 'alice', text: 'COUNT' })).resolves.toEqual(['c']);
    });

    test('paging by cursor visits every match once, newest first', async () => {
      for (let i = 1; i <= 7; i++) {
        await store.append([submitted(`q${i}`, { user: i % 2 === 0 ? 'even' : 'odd', submittedAt: T0 + i })]);
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let round = 0; round < 10; round++) {
        const page = await store.list({ user: 'odd', limit: 2, ...(cursor === undefined ? {} : { cursor }) });
        seen.push(...page.records.map((record) => record.id));
        cursor = page.nextCursor;
        if (cursor === undefined) break;
      }
      expect(seen).toEqual(['q7', 'q5', 'q3', 'q1']);
      const exact = await store.list({ user: 'even', limit: 3 });
      expect(exact.records.map((record) => record.id)).toEqual(['q6', 'q4', 'q2']);
    });

    test('a cursor the store did not hand out is refused', async () => {
      await expect(store.list({ limit: 1, cursor: 'not a cursor' })).rejects.toBeInstanceOf(HistoryCursorError);
    });

    test('SQL and tags survive the round trip unchanged', async () => {
      const sql = 'SELECT \'ünïcødé\', "quoted" -- comment\n/* \\ backslash */';
      await store.append([submitted('u', { sql, sqlTruncated: true, clientTags: [] })]);
      const record = await store.get('u');
      expect(record?.sql).toBe(sql);
      expect(record?.sqlTruncated).toBe(true);
      expect(record?.clientTags ?? []).toEqual([]);
    });
  });
}

historyContract(memoryHistoryStores);
historyContract(redisHistoryStores);
historyContract(postgresHistoryStores);
