// Query management in front of one real Trino 476 coordinator limited to one running query: while a
// long query holds the slot, the Trino CLI, JDBC, Python `trino`, trino-client and presto-client each
// submit a query that waits in the gateway (the coordinator never sees it), then runs and returns its
// rows once the slot frees. Real clients send Accept-Encoding and Trino compresses its pages, so this
// is also where the end of a query is seen through a gzip page. Evidence: the coordinator's own
// system.runtime.queries and the gateway's admin API.
import type { RunningProxy } from '../../proxy/src/app.js';
import { isQueuedQueryId } from '../../proxy/src/http/gateway-query-ids.js';
import { clusterResource, eventually, groupResource, startInProcess, Workspace } from '../harness/proxy.js';
import { runQuery, submit } from '../harness/trino-http.js';
import { startTrinoClusters, type TrinoServer } from '../harness/trino-server.js';
import {
  findClients,
  runCli,
  runJdbc,
  runPrestoClient,
  runPython,
  runTrinoClient,
  spawnCli,
  startPythonCancellable,
  waitForExit,
} from './clients.js';
import { type QueryRecord, recordsOfMarker, uniqueMarker } from './coordinators.js';

const START_TIMEOUT_MS = 300_000;
const TEST_TIMEOUT_MS = 240_000;
// Runs for minutes unless killed (count(*) alone would be answered from tpch metadata at once).
const LONG_SQL = (marker: string) => `SELECT sum(quantity) FROM tpch.sf100.lineitem WHERE comment <> '${marker}'`;
const SHORT_SQL = (marker: string) => `SELECT count(*) FROM tpch.tiny.nation WHERE name <> '${marker}'`;

let solo: TrinoServer;
let workspace: Workspace;
let gateway: RunningProxy;

beforeAll(async () => {
  findClients();
  [solo] = (await startTrinoClusters(['solo'])) as [TrinoServer];
  workspace = new Workspace();
  workspace.writeResources([
    clusterResource('solo', {
      url: solo.url,
      labels: { pool: 'adhoc' },
      maxRunningQueries: 1,
      healthCheck: { type: 'Info', intervalSeconds: 1, timeoutSeconds: 5, failureThreshold: 3 },
    }),
    groupResource('adhoc', { matchLabels: { pool: 'adhoc' }, default: true }),
  ]);
  gateway = await startInProcess(
    workspace.config({ queue: { pollWait: '500ms', reconcileInterval: '1s', reconcileGrace: '5s' } }),
  );
  await gateway.health.firstRound;
}, START_TIMEOUT_MS);

afterAll(async () => {
  await gateway?.close();
  await solo?.stop();
  workspace?.remove();
}, 60_000);

async function admitted(): Promise<number> {
  const clusters = (await (await fetch(`${gateway.adminUrl}/api/v1/clusters`)).json()) as Array<{
    name: string;
    admittedQueries: number;
  }>;
  return clusters.find((cluster) => cluster.name === 'solo')?.admittedQueries ?? -1;
}

async function queued(): Promise<string[]> {
  const view = (await (await fetch(`${gateway.adminUrl}/api/v1/queue`)).json()) as { queries: { sql: string }[] };
  return view.queries.map((entry) => entry.sql);
}

async function waitForRecord(marker: string, state: string): Promise<QueryRecord> {
  let found: QueryRecord | undefined;
  await eventually(
    async () => {
      found = (await recordsOfMarker([solo], marker)).find((record) => record.state === state);
      return found !== undefined;
    },
    120_000,
    250,
  );
  return found!;
}

/** Starts a long CLI query and waits until it runs on the coordinator, holding the one slot. */
async function holdTheSlot(): Promise<{ record: QueryRecord; exited: ReturnType<typeof waitForExit> }> {
  const marker = uniqueMarker('hold');
  const cli = spawnCli(gateway.url, LONG_SQL(marker));
  const exited = waitForExit(cli, 200_000);
  const record = await waitForRecord(marker, 'RUNNING');
  await eventually(async () => (await admitted()) === 1, 30_000, 100);
  return { record, exited };
}

/** Kills the query on the coordinator itself: the client then reads a (compressed) FAILED page. */
async function killOnCoordinator(queryId: string): Promise<void> {
  const run = await runQuery(solo.url, `CALL system.runtime.kill_query(query_id => '${queryId}', message => 'test')`);
  if (run.error) throw new Error(`kill_query: ${run.error.message}`);
}

test(
  'five real clients wait in the gateway while the slot is taken, then each runs and returns its rows',
  async () => {
    const hold = await holdTheSlot();
    const markers = ['cli', 'jdbc', 'python', 'trino_client', 'presto_client'].map((name) => uniqueMarker(name));
    const [cli, jdbc, python, trinoClient, prestoClient] = markers.map(SHORT_SQL) as [
      string,
      string,
      string,
      string,
      string,
    ];
    const runs = Promise.all([
      runCli(gateway.url, cli),
      runJdbc(gateway.url, [jdbc]),
      runPython(gateway.url, [python]),
      runTrinoClient(gateway.url, trinoClient),
      runPrestoClient(gateway.url, prestoClient),
    ]);
    runs.catch(() => undefined);
    await eventually(async () => (await queued()).length === 5, 60_000, 100);
    expect((await queued()).sort()).toEqual([cli, jdbc, python, trinoClient, prestoClient].sort());
    for (const marker of markers) expect(await recordsOfMarker([solo], marker)).toEqual([]);

    // The holder's end is seen only through its FAILED page: the CLI asks for gzip and Trino sends it.
    await killOnCoordinator(hold.record.queryId);
    expect((await hold.exited).code).not.toBe(0);
    const [cliRows, jdbcRuns, pythonRuns, trinoRun, prestoRun] = await runs;
    expect(cliRows).toEqual(['25']);
    expect(jdbcRuns[0]?.rows).toEqual(['25']);
    expect(pythonRuns[0]?.rows).toEqual([[25]]);
    expect(trinoRun.rows).toEqual([[25]]);
    expect(prestoRun.rows).toEqual([[25]]);
    expect([trinoRun.state, prestoRun.state]).toEqual(['FINISHED', 'FINISHED']);

    // Each ran on the coordinator exactly once, and the clients' ids tell which id they keep.
    const records = await Promise.all(markers.map((marker) => waitForRecord(marker, 'FINISHED')));
    const jdbcRecord = records[1]!;
    expect(jdbcRuns[0]?.id).toBe(jdbcRecord.queryId);
    expect(isQueuedQueryId(pythonRuns[0]?.id ?? '')).toBe(true);
    expect(trinoRun.id).toBe(records[3]?.queryId);
    // Every slot came back through terminal pages (no client DELETE, no timeout).
    await eventually(async () => (await admitted()) === 0 && (await queued()).length === 0, 30_000, 100);
  },
  TEST_TIMEOUT_MS,
);

test(
  'a query cancelled while queued never reaches the coordinator: Python (cursor.cancel) and the CLI (Ctrl-C)',
  async () => {
    const hold = await holdTheSlot();
    const pythonMarker = uniqueMarker('cancel_python');
    const python = startPythonCancellable(gateway.url, SHORT_SQL(pythonMarker));
    await eventually(async () => (await queued()).length === 1, 60_000, 100);
    const cancelled = await python.cancel();
    expect(isQueuedQueryId(cancelled.id ?? '')).toBe(true);
    expect(cancelled.error).not.toBeNull();
    await eventually(async () => (await queued()).length === 0, 30_000, 100);

    const cliMarker = uniqueMarker('cancel_cli');
    const cli = spawnCli(gateway.url, SHORT_SQL(cliMarker));
    const exited = waitForExit(cli, 120_000);
    await eventually(async () => (await queued()).length === 1, 60_000, 100);
    cli.kill('SIGINT');
    await exited;
    await eventually(async () => (await queued()).length === 0, 30_000, 100);

    await killOnCoordinator(hold.record.queryId);
    await hold.exited;
    await eventually(async () => (await admitted()) === 0, 30_000, 100);
    expect(await recordsOfMarker([solo], pythonMarker)).toEqual([]);
    expect(await recordsOfMarker([solo], cliMarker)).toEqual([]);
  },
  TEST_TIMEOUT_MS,
);

test(
  "a query its client abandoned is freed once Trino's query list shows it ended (killed on the coordinator)",
  async () => {
    const marker = uniqueMarker('abandoned');
    const first = await submit(gateway.url, LONG_SQL(marker), { 'x-trino-user': 'leaver' });
    expect(first.body.nextUri).toBeDefined();
    // One poll, as every client makes: Trino lists a query only once its first queued URI was read.
    const poll = await fetch(first.body.nextUri as string, { headers: { 'x-trino-user': 'leaver' } });
    await poll.arrayBuffer();
    const record = await waitForRecord(marker, 'RUNNING');
    expect(await admitted()).toBe(1);
    // The client never polls again; its lease (clientTimeout, 5 minutes) would hold the slot that long.
    await killOnCoordinator(record.queryId);
    await waitForRecord(marker, 'FAILED');
    await eventually(async () => (await admitted()) === 0, 30_000, 200);
  },
  TEST_TIMEOUT_MS,
);
