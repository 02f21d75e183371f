// The recorder batches and bounds what it buffers; QueryHistory cuts SQL by bytes, leaves it out when
// asked, and records a query's first page with rows once.
import { MemoryHistoryStore, silentLogger } from '@junction/shared';
import { Registry } from 'prom-client';
import { cutSql, historyRoutedBy, QueryHistory } from './query-history.js';
import { HistoryRecorder } from './recorder.js';

function setup(options: { bufferSize?: number; batchSize?: number; recordSql?: boolean } = {}) {
  const store = new MemoryHistoryStore({ maxRecords: 100 });
  const metrics = new Registry();
  const recorder = new HistoryRecorder({
    store,
    batchSize: options.batchSize ?? 100,
    flushIntervalMs: 3_600_000,
    bufferSize: options.bufferSize ?? 100,
    metrics,
    logger: silentLogger(),
  }).start();
  let now = 1_000;
  const history = new QueryHistory({
    recorder,
    replica: 'proxy-a',
    recordSql: options.recordSql ?? true,
    sqlMaxBytes: 8,
    now: () => now,
  });
  const advance = (ms: number) => {
    now += ms;
  };
  return { store, metrics, recorder, history, advance };
}

const submission = {
  headers: { 'x-trino-user': 'alice', 'x-trino-source': 'cli', 'x-trino-client-tags': 'a,b' },
  body: Buffer.from('SELECT 12345'),
  submittedAt: 1_000,
  group: 'adhoc',
  by: 'cookie',
  rule: undefined,
};
const page = (fields: string) => Buffer.from(`{"id":"q1",${fields}}`);

test('a routed query: submission, first rows once, end — folded by the store', async () => {
  const { store, recorder, history, advance } = setup();
  history.routed(submission, 'q1', 'blue', page('"nextUri":"http://gw/n","stats":{"state":"QUEUED"}'));
  const poll = history.follow('q1');
  advance(30);
  poll.rows?.();
  advance(30);
  poll.rows?.();
  advance(40);
  poll.ended({ state: 'FINISHED' });
  await recorder.flush();
  expect(await store.get('q1')).toEqual({
    id: 'q1',
    queryId: 'q1',
    user: 'alice',
    source: 'cli',
    clientTags: ['a', 'b'],
    group: 'adhoc',
    cluster: 'blue',
    routedBy: 'sticky',
    submittedAt: 1_000,
    queuedMs: 0,
    firstPageAt: 1_030,
    endedAt: 1_100,
    state: 'FINISHED',
    replica: 'proxy-a',
    sql: 'SELECT 1',
    sqlTruncated: true,
  });
});

test('a first answer that is already the last page ends the record', async () => {
  const { store, recorder, history } = setup({ recordSql: false });
  const last = page('"columns":[],"data":[[1]],"stats":{"state":"FAILED"},"error":{"errorName":"SYNTAX_ERROR"}');
  history.routed(submission, 'q1', 'blue', last);
  await recorder.flush();
  const record = await store.get('q1');
  expect(record).toMatchObject({ state: 'FAILED', errorName: 'SYNTAX_ERROR', firstPageAt: 1_000, endedAt: 1_000 });
  expect(record?.sql).toBeUndefined();
});

test('a full buffer drops and counts; what fits is written', async () => {
  const { store, metrics, recorder, history } = setup({ bufferSize: 2, batchSize: 3 });
  history.ended('a', { state: 'FINISHED' });
  history.ended('b', { state: 'FINISHED' });
  history.ended('c', { state: 'FINISHED' });
  await recorder.flush();
  const text = await metrics.metrics();
  expect(text).toMatch(/junction_history_dropped_total\{reason="buffer-full"\} 1/);
  expect(text).toMatch(/junction_history_written_total 2/);
  expect((await store.list({ limit: 10 })).records.map((record) => record.id)).toEqual(['b', 'a']);
});

test('SQL is cut by UTF-8 bytes, never inside a character', () => {
  expect(cutSql(Buffer.from('SELECT 1'), 8)).toEqual({ sql: 'SELECT 1' });
  expect(cutSql(Buffer.from("SELECT 'é'"), 9)).toEqual({ sql: "SELECT '", sqlTruncated: true });
  expect(cutSql(Buffer.from('€€'), 4)).toEqual({ sql: '€', sqlTruncated: true });
  expect(cutSql(Buffer.from('SELECT'), 0)).toEqual({ sql: '', sqlTruncated: true });
});

test('routing reasons: sticky owners are one kind', () => {
  expect(['prefix', 'query-id', 'cookie', 'oauth2-id'].map(historyRoutedBy)).toEqual(Array(4).fill('sticky'));
  expect(['rule', 'header', 'default', 'external'].map(historyRoutedBy)).toEqual([
    'rule',
    'header',
    'default',
    'external',
  ]);
});
