// Junction in front of two real Trino 476 coordinators (blue, green), driven by real clients: the Trino
// CLI, the JDBC driver, the Python `trino` package, and the npm trino-client and presto-client. The
// coordinators start once for the whole file. Every claim about where a query ran is checked in the
// coordinators' own system.runtime.queries. Installs: scripts/trino/ensure-trino.sh and ensure-clients.sh.
import { request } from 'undici';
import type { RunningProxy } from '../../proxy/src/app.js';
import {
  clusterResource,
  eventually,
  groupResource,
  type ProxyProcess,
  spawnProxy,
  startInProcess,
  Workspace,
} from '../harness/proxy.js';
import { type RedisServer, startRedis } from '../harness/redis.js';
import { benchBackendPages, simTrinoPages, startBenchBackend } from '../harness/sim-backend-pages.js';
import { runQuery, submit } from '../harness/trino-http.js';
import {
  type Page,
  PHASES,
  type PhaseShapes,
  pageDifferences,
  phasesOf,
  readShapesFile,
  SHAPES_FILE,
  shapesByPhase,
  writeShapesFile,
} from '../harness/trino-pages.js';
import { startTrinoClusters, type TrinoServer } from '../harness/trino-server.js';
import {
  findClients,
  type Identity,
  jdbcUrl,
  runCli,
  runJdbc,
  runPrestoClient,
  runPython,
  runTrinoClient,
  spawnCli,
  spawnJdbc,
  waitForExit,
} from './clients.js';
import { markerRanOn, type QueryRecord, ranOn, recordsOfId, recordsOfMarker, uniqueMarker } from './coordinators.js';
import { recordTrinoPages } from './recorded-pages.js';
import { type Front, startRoundRobinFront } from './round-robin-front.js';

const START_TIMEOUT_MS = 300_000;
const TEST_TIMEOUT_MS = 180_000;
const COUNT_SQL = 'SELECT count(*) FROM tpch.tiny.lineitem';
const PAGES_SQL = 'SELECT * FROM tpch.sf1.orders LIMIT 50000';
// Runs for minutes unless cancelled (count(*) alone would be answered from tpch metadata at once).
const LONG_SQL = (marker: string) => `SELECT sum(quantity) FROM tpch.sf100.lineitem WHERE comment <> '${marker}'`;
const ETL = { 'X-Trino-Routing-Group': 'etl' };

let clusters: TrinoServer[] = [];
let blue: TrinoServer;
let green: TrinoServer;
let workspace: Workspace;
let gateway: RunningProxy;

const healthCheck = { type: 'Info', intervalSeconds: 1, timeoutSeconds: 5, failureThreshold: 3 };

/** blue serves the default group "adhoc"; green serves "etl", chosen by header or by the rules. */
function routingResources(overrides: { blue?: object; green?: object } = {}): object[] {
  return [
    clusterResource('blue', { url: blue.url, labels: { pool: 'adhoc' }, healthCheck, ...overrides.blue }),
    clusterResource('green', { url: green.url, labels: { pool: 'etl' }, healthCheck, ...overrides.green }),
    groupResource('adhoc', { matchLabels: { pool: 'adhoc' }, default: true }),
    groupResource('etl', {
      matchLabels: { pool: 'etl' },
      rules: [
        { name: 'etl-source', condition: 'request.source == "etl-cli"' },
        { name: 'etl-user', condition: 'request.user == "etl-user"' },
        { name: 'nightly-tag', condition: '"nightly" in request.clientTags' },
        { name: 'system-runtime', condition: '"system.runtime" in sql.schemas' },
      ],
    }),
  ];
}

beforeAll(async () => {
  findClients(); // fail fast, with the install hint, before two JVMs start
  clusters = await startTrinoClusters(['blue', 'green']);
  [blue, green] = clusters as [TrinoServer, TrinoServer];
  workspace = new Workspace();
  workspace.writeResources(routingResources());
  gateway = await startInProcess(workspace.config());
  await gateway.health.firstRound;
}, START_TIMEOUT_MS);

afterAll(async () => {
  await gateway?.close();
  await Promise.all(clusters.map((cluster) => cluster.stop()));
  workspace?.remove();
}, 60_000);

/** Rows keyed by orderkey; LIMIT without ORDER BY returns a different 50000 rows on every run. */
function byOrderKey(rows: Array<string | unknown[]>, separator = ','): Map<string, string> {
  const keyed = new Map<string, string>();
  for (const row of rows) {
    if (typeof row === 'string') keyed.set(row.split(separator)[0]!, row);
    else keyed.set(String(row[0]), JSON.stringify(row));
  }
  return keyed;
}

/**
 * Trino picks which 50000 orders a LIMIT returns by split timing, so two direct runs differ too (measured).
 * Identical therefore means: 50000 distinct orders each way, and every order both runs returned is
 * byte-for-byte the same row.
 */
function expectSameOrders(viaGateway: Map<string, string>, direct: Map<string, string>): void {
  expect(viaGateway.size).toBe(50_000);
  expect(direct.size).toBe(50_000);
  let shared = 0;
  for (const [key, row] of viaGateway) {
    if (!direct.has(key)) continue;
    shared += 1;
    if (direct.get(key) !== row) expect(row).toBe(direct.get(key));
  }
  expect(shared).toBeGreaterThan(1_000);
}

async function waitForState(marker: string, state: string): Promise<QueryRecord> {
  let found: QueryRecord | undefined;
  await eventually(
    async () => {
      found = (await recordsOfMarker(clusters, marker)).find((record) => record.state === state);
      return found !== undefined;
    },
    60_000,
    250,
  );
  return found!;
}

describe('the coordinators', () => {
  test('two clusters start on distinct ports and report themselves started', async () => {
    expect(clusters.map((cluster) => cluster.name)).toEqual(['blue', 'green']);
    expect(new Set(clusters.map((cluster) => cluster.port)).size).toBe(2);
    for (const cluster of clusters) {
      const response = await request(`${cluster.url}/v1/info`);
      const info = (await response.body.json()) as { starting: boolean; nodeVersion: { version: string } };
      expect(info.starting).toBe(false);
      expect(info.nodeVersion.version).toBe('476');
    }
  });

  test('http-server.process-forwarded=true: nextUri follows X-Forwarded-Proto and X-Forwarded-Host', async () => {
    const first = await submit(blue.url, 'SELECT 1', {
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'gateway.example:8443',
    });
    expect(first.body.nextUri).toMatch(/^https:\/\/gateway\.example:8443\/v1\/statement\/queued\//);
    await runQuery(blue.url, `CALL system.runtime.kill_query('${first.body.id}', 'test done')`);
  });

  test(
    'X-Forwarded-Prefix is honoured in nextUri on every page and in infoUri (docs/adr/0005)',
    async () => {
      const forwarded = {
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'gateway.example:8443',
        'x-forwarded-prefix': '/junction/blue',
      };
      const first = await submit(blue.url, 'SELECT * FROM tpch.tiny.nation', forwarded);
      const seen: string[] = [first.body.nextUri, first.body.infoUri];
      let next: string | undefined = first.body.nextUri;
      // Follow the pages straight to blue (stripping what a prefix-routing gateway would strip).
      while (next !== undefined) {
        const path = new URL(next).pathname.replace(/^\/junction\/blue/, '');
        const response = await request(`${blue.url}${path}`, { headers: { 'x-trino-user': 'tester', ...forwarded } });
        const page = JSON.parse(await response.body.text()) as { nextUri?: string; partialCancelUri?: string };
        next = page.nextUri;
        if (next) seen.push(next);
        if (page.partialCancelUri) seen.push(page.partialCancelUri);
      }
      console.log(`X-Forwarded-Prefix: /junction/blue ->\n  ${seen.join('\n  ')}`);
      expect(seen.length).toBeGreaterThan(2);
      for (const uri of seen) expect(uri).toMatch(/^https:\/\/gateway\.example:8443\/junction\/blue\/(v1|ui)\//);
      expect(first.body.nextUri).toMatch(/\/junction\/blue\/v1\/statement\/queued\/\d{8}_\d{6}_\d{5}_\w{5}\//);
    },
    TEST_TIMEOUT_MS,
  );
});

// The simulated backends stand in for Trino in every other suite and in the benchmark; here their pages
// are held to what this Trino answers, phase by phase (keys and JSON types; values differ). The same
// check runs without Trino against test/fixtures/trino-476-shapes.json (test/fixtures/trino-shapes.test.ts);
// UPDATE_TRINO_SHAPES=1 rewrites that file from this recording.
describe('the simulated backends answer with the pages Trino 476 sends', () => {
  let real: Page[] = [];
  let live: PhaseShapes = {};

  beforeAll(async () => {
    real = await recordTrinoPages(blue.url);
    live = shapesByPhase(real);
    if (process.env['UPDATE_TRINO_SHAPES'] === '1') {
      writeShapesFile('476', real);
      console.log(`UPDATE_TRINO_SHAPES=1: wrote ${SHAPES_FILE} from ${real.length} pages`);
    }
  }, TEST_TIMEOUT_MS);

  test('Trino answered with a page of every phase', () => {
    expect(phasesOf(real)).toEqual([...PHASES]);
  });

  test('SimTrino: every page has the fields and JSON types of a Trino page of its phase', async () => {
    expect(pageDifferences(live, await simTrinoPages())).toEqual([]);
  });

  test('bench/backend.mjs: every page has the fields and JSON types of a Trino page of its phase', async () => {
    const backend = await startBenchBackend();
    try {
      expect(pageDifferences(live, await benchBackendPages(backend.url))).toEqual([]);
    } finally {
      await backend.stop();
    }
  });

  // Which fields a page lacks can differ from run to run (a cancel lands earlier, the CTAS has no page
  // between queued and its row count); a field or JSON type the file has never seen means it is stale.
  test('test/fixtures/trino-476-shapes.json knows every field and JSON type Trino sent', () => {
    const file = readShapesFile();
    expect(file.trino).toBe('476');
    expect(pageDifferences(file.phases, real, { onlyUnknown: true })).toEqual([]);
  });
});

describe('every client through Junction gets what it gets from the coordinator directly', () => {
  test(
    'Trino CLI: count, 50000 orders, and CREATE TABLE / INSERT / SELECT on memory',
    async () => {
      expect(await runCli(gateway.url, COUNT_SQL)).toEqual(['60175']);
      expect(await runCli(blue.url, COUNT_SQL)).toEqual(['60175']);
      expectSameOrders(byOrderKey(await runCli(gateway.url, PAGES_SQL)), byOrderKey(await runCli(blue.url, PAGES_SQL)));

      const table = `memory.default.${uniqueMarker('cli')}`;
      const lines = await runCli(
        gateway.url,
        `CREATE TABLE ${table} (id bigint, name varchar); INSERT INTO ${table} VALUES (1, 'one'), (2, 'two'); ` +
          `SELECT id, name FROM ${table} ORDER BY id`,
      );
      expect(lines).toEqual(['1,one', '2,two']);
      // The table lives where the default group sent it, and only there.
      expect((await runQuery(blue.url, `SELECT count(*) FROM ${table}`)).rows).toEqual([[2]]);
      expect((await runQuery(green.url, `SELECT count(*) FROM ${table}`)).error?.message).toMatch(/does not exist/);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'JDBC: count, 50000 orders, and CREATE TABLE / INSERT / SELECT on memory',
    async () => {
      const [viaCount] = await runJdbc(gateway.url, [COUNT_SQL]);
      expect(viaCount!.rows).toEqual(['60175']);
      expect(await ranOn(clusters, viaCount!.id)).toEqual(['blue']);
      expect((await runJdbc(blue.url, [COUNT_SQL]))[0]!.rows).toEqual(['60175']);
      const [viaPages] = await runJdbc(gateway.url, [PAGES_SQL]);
      const [directPages] = await runJdbc(blue.url, [PAGES_SQL]);
      expectSameOrders(byOrderKey(viaPages!.rows, '\t'), byOrderKey(directPages!.rows, '\t'));

      // As etl-user, so the rule sends the DDL to green.
      const table = `memory.default.${uniqueMarker('jdbc')}`;
      const [created, inserted, selected] = await runJdbc(
        gateway.url,
        [
          `CREATE TABLE ${table} (id bigint, name varchar)`,
          `INSERT INTO ${table} VALUES (1, 'one'), (2, 'two')`,
          `SELECT id, name FROM ${table} ORDER BY id`,
        ],
        { user: 'etl-user' },
      );
      expect(inserted!.updateCount).toBe(2);
      expect(selected!.rows).toEqual(['1\tone', '2\ttwo']);
      for (const query of [created!, inserted!, selected!]) expect(await ranOn(clusters, query.id)).toEqual(['green']);
      expect((await runQuery(green.url, `SELECT count(*) FROM ${table}`)).rows).toEqual([[2]]);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'Python trino: count and 50000 orders',
    async () => {
      const [count, pages] = await runPython(gateway.url, [COUNT_SQL, PAGES_SQL]);
      const [directCount, directPages] = await runPython(blue.url, [COUNT_SQL, PAGES_SQL]);
      expect(count!.rows).toEqual([[60175]]);
      expect(count!.rows).toEqual(directCount!.rows);
      expectSameOrders(byOrderKey(pages!.rows), byOrderKey(directPages!.rows));
      expect(await ranOn(clusters, pages!.id)).toEqual(['blue']);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'npm trino-client: count and 50000 orders',
    async () => {
      const count = await runTrinoClient(gateway.url, COUNT_SQL);
      expect(count.rows).toEqual([[60175]]);
      expect(count.rows).toEqual((await runTrinoClient(blue.url, COUNT_SQL)).rows);
      const pages = await runTrinoClient(gateway.url, PAGES_SQL);
      expect(pages.state).toBe('FINISHED');
      expectSameOrders(byOrderKey(pages.rows), byOrderKey((await runTrinoClient(blue.url, PAGES_SQL)).rows));
      expect(await ranOn(clusters, pages.id)).toEqual(['blue']);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'npm presto-client: count and 50000 orders',
    async () => {
      const count = await runPrestoClient(gateway.url, COUNT_SQL);
      expect(count.rows).toEqual([[60175]]);
      expect(count.rows).toEqual((await runPrestoClient(blue.url, COUNT_SQL)).rows);
      const pages = await runPrestoClient(gateway.url, PAGES_SQL);
      expect(pages.state).toBe('FINISHED');
      expectSameOrders(byOrderKey(pages.rows), byOrderKey((await runPrestoClient(blue.url, PAGES_SQL)).rows));
      expect(await ranOn(clusters, pages.id)).toEqual(['blue']);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('routing to the expected coordinator', () => {
  const cliLandsOn = async (identity: Identity) => {
    const marker = uniqueMarker('route_cli');
    expect(await runCli(gateway.url, `SELECT '${marker}'`, identity)).toEqual([marker]);
    return markerRanOn(clusters, marker);
  };

  test(
    'CLI: the default group, a rule on request.source, a rule on request.clientTags',
    async () => {
      expect(await cliLandsOn({})).toEqual(['blue']);
      expect(await cliLandsOn({ source: 'etl-cli' })).toEqual(['green']);
      expect(await cliLandsOn({ clientTags: ['team-a', 'nightly'] })).toEqual(['green']);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'JDBC: the default group, a rule on request.user, a rule on request.clientTags',
    async () => {
      const idOf = async (identity: Identity) => (await runJdbc(gateway.url, ['SELECT 1'], identity))[0]!.id;
      expect(await ranOn(clusters, await idOf({}))).toEqual(['blue']);
      expect(await ranOn(clusters, await idOf({ user: 'etl-user' }))).toEqual(['green']);
      expect(await ranOn(clusters, await idOf({ clientTags: ['nightly'] }))).toEqual(['green']);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'a rule on sql.schemas: tpch.tiny.nation on blue, system.runtime.nodes on green, qualified or by session',
    async () => {
      const idOf = async (sql: string, headers: Record<string, string> = {}) => {
        const run = await runQuery(gateway.url, sql, { headers });
        expect(run.error).toBeUndefined();
        return run.id;
      };
      expect(await ranOn(clusters, await idOf('SELECT count(*) FROM tpch.tiny.nation'))).toEqual(['blue']);
      expect(await ranOn(clusters, await idOf('SELECT count(*) FROM system.runtime.nodes'))).toEqual(['green']);
      const runtime = { 'X-Trino-Catalog': 'system', 'X-Trino-Schema': 'runtime' };
      expect(await ranOn(clusters, await idOf('SELECT count(*) FROM nodes', runtime))).toEqual(['green']);
      const tiny = { 'X-Trino-Catalog': 'tpch', 'X-Trino-Schema': 'tiny' };
      expect(await ranOn(clusters, await idOf('SELECT count(*) FROM nation', tiny))).toEqual(['blue']);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'X-Trino-Routing-Group from Python, trino-client and presto-client',
    async () => {
      const [plain] = await runPython(gateway.url, ['SELECT 1']);
      const [routed] = await runPython(gateway.url, ['SELECT 1'], { headers: ETL });
      expect(await ranOn(clusters, plain!.id)).toEqual(['blue']);
      expect(await ranOn(clusters, routed!.id)).toEqual(['green']);
      expect(await ranOn(clusters, (await runTrinoClient(gateway.url, 'SELECT 1', { headers: ETL })).id)).toEqual([
        'green',
      ]);
      expect(await ranOn(clusters, (await runPrestoClient(gateway.url, 'SELECT 1', { headers: ETL })).id)).toEqual([
        'green',
      ]);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('cancel reaches the owning coordinator', () => {
  test(
    'CLI: Ctrl-C (SIGINT) on a running query leaves it FAILED with USER_CANCELED on blue',
    async () => {
      const marker = uniqueMarker('cancel_cli');
      const cli = spawnCli(gateway.url, LONG_SQL(marker));
      const exited = waitForExit(cli, 120_000);
      const running = await waitForState(marker, 'RUNNING');
      expect(running.cluster).toBe('blue');
      cli.kill('SIGINT');
      await exited;
      const done = await waitForState(marker, 'FAILED');
      expect(done).toMatchObject({ cluster: 'blue', errorCode: 'USER_CANCELED' });
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'JDBC: Statement.cancel() on a running query leaves it FAILED with USER_CANCELED on green',
    async () => {
      const marker = uniqueMarker('cancel_jdbc');
      const jdbc = spawnJdbc(jdbcUrl(gateway.url, { clientTags: ['nightly'] }), 'cancel', [LONG_SQL(marker)]);
      const exited = waitForExit(jdbc, 120_000);
      const running = await waitForState(marker, 'RUNNING');
      expect(running.cluster).toBe('green');
      jdbc.stdin?.end('cancel\n');
      const { code, stdout } = await exited;
      expect(code).toBe(0);
      expect(stdout).toContain(`#query ${running.queryId}`);
      expect(stdout).toMatch(/#cancelled /);
      const done = await waitForState(marker, 'FAILED');
      expect(done).toMatchObject({ cluster: 'green', queryId: running.queryId, errorCode: 'USER_CANCELED' });
    },
    TEST_TIMEOUT_MS,
  );
});

describe('the web UI through the gateway', () => {
  test(
    '/ui/query.html?<id> and /ui/api/query/<id> reach the coordinator that ran the query',
    async () => {
      const { id } = await runTrinoClient(gateway.url, 'SELECT 1', { headers: ETL });
      expect(await ranOn(clusters, id)).toEqual(['green']);
      // The test clusters use Trino's insecure form login; its token is only valid on the issuing cluster.
      const login = await request(`${gateway.url}/ui/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...ETL },
        body: 'username=ui-user&password=&redirectPath=',
      });
      await login.body.dump();
      const setCookie = login.headers['set-cookie'];
      const cookie = String(Array.isArray(setCookie) ? setCookie[0] : setCookie).split(';')[0]!;
      expect(cookie).toMatch(/^Trino-UI-Token=/);
      const direct = await request(`${blue.url}/ui/api/query/${id}`, { headers: { cookie } });
      await direct.body.dump();
      expect(direct.statusCode).not.toBe(200); // blue neither accepts green's token nor knows the query

      const info = await request(`${gateway.url}/ui/api/query/${id}`, { headers: { cookie } });
      expect(info.statusCode).toBe(200);
      expect(((await info.body.json()) as { queryId: string }).queryId).toBe(id);
      const page = await request(`${gateway.url}/ui/query.html?${id}`, { headers: { cookie } });
      expect(page.statusCode).toBe(200);
      expect(await page.body.text()).toMatch(/<html/i);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('two proxy processes sharing Redis behind a round-robin front', () => {
  let redis: RedisServer;
  let replicas: Workspace;
  let a: ProxyProcess;
  let b: ProxyProcess;
  let front: Front;

  beforeAll(async () => {
    redis = await startRedis();
    replicas = new Workspace();
    replicas.writeResources([
      clusterResource('blue', { url: blue.url, labels: { pool: 'shared' }, healthCheck }),
      clusterResource('green', { url: green.url, labels: { pool: 'shared' }, healthCheck }),
      groupResource('shared', { matchLabels: { pool: 'shared' }, default: true, strategy: 'RoundRobin' }),
    ]);
    const config = replicas.config({ redis: { url: redis.url, keyPrefix: 'real-trino:' } });
    [a, b] = await Promise.all([
      spawnProxy(replicas.writeConfig(config, 'a.yaml')),
      spawnProxy(replicas.writeConfig(config, 'b.yaml')),
    ]);
    for (const proxy of [a, b]) {
      await eventually(async () => (await request(`${proxy.adminUrl}/readyz`)).statusCode === 200, 20_000, 100);
    }
    front = await startRoundRobinFront(replicas.dir, [a.url, b.url]);
  }, 60_000);

  afterAll(async () => {
    await front?.stop();
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
    replicas?.remove();
  }, 30_000);

  const metric = async (proxy: ProxyProcess, pattern: RegExp): Promise<number> => {
    const text = await (await request(`${proxy.adminUrl}/metrics`)).body.text();
    let sum = 0;
    for (const line of text.split('\n')) if (pattern.test(line)) sum += Number(line.split(' ').at(-1));
    return sum;
  };
  const served = (proxy: ProxyProcess) => metric(proxy, /^junction_requests_total\{/);

  test(
    'every client completes 50000 orders while its requests alternate between the replicas',
    async () => {
      const before = [await served(a), await served(b)];
      const ids: string[] = [];
      const check = (rows: Array<string | unknown[]>, separator?: string) =>
        expect(byOrderKey(rows, separator).size).toBe(50_000);

      check(await runCli(front.url, PAGES_SQL));
      const [jdbc] = await runJdbc(front.url, [PAGES_SQL]);
      check(jdbc!.rows, '\t');
      const [python] = await runPython(front.url, [PAGES_SQL]);
      check(python!.rows);
      const node = await runTrinoClient(front.url, PAGES_SQL);
      check(node.rows);
      const prestoRun = await runPrestoClient(front.url, PAGES_SQL);
      check(prestoRun.rows);
      ids.push(jdbc!.id, python!.id, node.id, prestoRun.id);
      for (const id of ids) expect(await ranOn(clusters, id)).toHaveLength(1);

      const after = [await served(a), await served(b)];
      console.log(`requests served during the run: A ${after[0]! - before[0]!}, B ${after[1]! - before[1]!}`);
      expect(after[0]! - before[0]!).toBeGreaterThan(10);
      expect(after[1]! - before[1]!).toBeGreaterThan(10);
      // Follow-ups on the other replica found the owner in Redis, never by asking the clusters.
      const remote = (await metric(a, /outcome="remote"/)) + (await metric(b, /outcome="remote"/));
      expect(remote).toBeGreaterThan(0);
      expect((await metric(a, /outcome="discovered"/)) + (await metric(b, /outcome="discovered"/))).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('drain and blue/green with real Trino', () => {
  /** Submits through the gateway and reads pages until the query is RUNNING; the rest is read later. */
  async function startLongRead(sql: string) {
    const first = await submit(gateway.url, sql);
    let next: string | undefined = first.body.nextUri;
    let rows = 0;
    for (let page = 0; page < 50 && next !== undefined; page++) {
      const body = JSON.parse(await (await request(next, { headers: { 'x-trino-user': 'tester' } })).body.text());
      rows += body.data?.length ?? 0;
      next = body.nextUri;
      if (rows > 0) break;
    }
    expect(rows).toBeGreaterThan(0);
    expect(next).toBeDefined();
    return {
      id: first.body.id as string,
      async finish(): Promise<number> {
        while (next !== undefined) {
          const body = JSON.parse(await (await request(next, { headers: { 'x-trino-user': 'tester' } })).body.text());
          if (body.error) throw new Error(body.error.message);
          rows += body.data?.length ?? 0;
          next = body.nextUri;
        }
        return rows;
      },
    };
  }

  async function newQueriesLandOn(name: string): Promise<void> {
    await eventually(
      async () => {
        const run = await runQuery(gateway.url, 'SELECT 1');
        return run.state === 'FINISHED' && (await ranOn(clusters, run.id))[0] === name;
      },
      30_000,
      200,
    );
  }

  test(
    'drain: a query running on blue keeps running there while new queries go to green',
    async () => {
      const long = await startLongRead('SELECT * FROM tpch.tiny.lineitem');
      expect(await ranOn(clusters, long.id)).toEqual(['blue']);
      workspace.writeResources(routingResources({ blue: { enabled: false }, green: { labels: { pool: 'adhoc' } } }));
      await newQueriesLandOn('green');
      expect((await recordsOfId(clusters, long.id))[0]!.state).not.toMatch(/FINISHED|FAILED/);
      expect(await long.finish()).toBe(60_175);
      expect(await recordsOfId(clusters, long.id)).toMatchObject([{ cluster: 'blue', state: 'FINISHED' }]);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'blue/green by relabeling: the running query finishes on blue, new ones go to green',
    async () => {
      workspace.writeResources(routingResources());
      await newQueriesLandOn('blue');
      const long = await startLongRead('SELECT * FROM tpch.tiny.lineitem');
      expect(await ranOn(clusters, long.id)).toEqual(['blue']);
      workspace.writeResources(
        routingResources({ blue: { labels: { pool: 'retired' } }, green: { labels: { pool: 'adhoc' } } }),
      );
      await newQueriesLandOn('green');
      expect(await long.finish()).toBe(60_175);
      expect(await recordsOfId(clusters, long.id)).toMatchObject([{ cluster: 'blue', state: 'FINISHED' }]);
    },
    TEST_TIMEOUT_MS,
  );
});
