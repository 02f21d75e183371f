#!/usr/bin/env node
// What query management costs through a real Junction process (proxy/dist/main.js, memory and Redis):
//   1. proxy CPU per poll of a queued query (a QUEUED page answered by Junction) against a sticky
//      poll of a running query (forwarded to its cluster), same closed loop, same connections;
//   2. hand-over: the time from a client freeing the slot (DELETE of the running query) to the
//      queued query's parked poll answering with the cluster's page — release, dispatch, the POST to
//      the cluster and the wake-up of the poll together (p50/p99 over --rounds).
//
//   npm run build && node bench/queue.mjs [--rounds 200] [--seconds 3] [--connections 32]
//   (figures also in bench/results/queue-<timestamp>.json; `make bench` runs it, `make bench-quick` briefly)
//
// A measurement, not a test: nothing is asserted. The backend (bench/backend.mjs), Redis and this load
// generator run on core 0, the proxy alone on core 1, as in bench/run.mjs.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { closedLoop } from './lib/loadgen.mjs';
import { cpuSeconds, killStarted, pinSelf, spawnPinned, waitForHttp } from './lib/procs.mjs';
import { startRedis } from './lib/redis.mjs';
import { getRequest } from './lib/workloads.mjs';

const REPO_ROOT = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
  },
});
const ROUNDS = Number(values.rounds);
const DURATION_MS = Number(values.seconds) * 1000;
const CONNECTIONS = Number(values.connections);
const SQL = 'SELECT count(*) FROM tpch.tiny.lineitem';
const HEADERS = { 'x-trino-user': 'bench', 'x-trino-source': 'bench' };

function resources(ports) {
  const cluster = (name, port, pool, extra = {}) => ({
    apiVersion: 'junction.dev/v1alpha1',
    kind: 'TrinoCluster',
    metadata: { name, labels: { pool } },
    spec: { url: `http://127.0.0.1:${port}`, healthCheck: { type: 'None' }, ...extra },
  });
  const group = (name, pool, extra = {}) => ({
    apiVersion: 'junction.dev/v1alpha1',
    kind: 'RoutingGroup',
    metadata: { name },
    spec: { clusterSelector: { matchLabels: { pool } }, ...extra },
  });
  return [
    cluster('free', ports[0], 'free'),
    cluster('limited', ports[1], 'limited', { maxRunningQueries: 1 }),
    group('free', 'free', { default: true }),
    group('limited', 'limited', { queue: { maxQueued: 100_000, fairShare: 'None' } }),
  ]
    .map((doc) => JSON.stringify(doc))
    .join('\n---\n');
}

async function startJunction(dir, name, ports, { redisUrl, pollWait }) {
  const resourcesFile = join(dir, `${name}-resources.yaml`);
  writeFileSync(resourcesFile, resources(ports));
  const config = {
    server: { host: '127.0.0.1', port: 0, drainTimeout: '2s' },
    admin: { host: '127.0.0.1', port: 0 },
    resources: { files: [resourcesFile] },
    logging: { level: 'warn' },
    queue: { pollWait },
    ...(redisUrl === undefined ? {} : { redis: { url: redisUrl, keyPrefix: `bench-${name}:` } }),
  };
  const configFile = join(dir, `${name}-gateway.json`);
  writeFileSync(configFile, JSON.stringify(config));
  const proc = await spawnPinned(
    name,
    1,
    process.execPath,
    [join(REPO_ROOT, 'proxy/dist/main.js'), '--config', configFile],
    {
      ready: (out) => /junction proxy listening on (\S+) \(admin (\S+)\)/.exec(out)?.slice(1),
      cwd: REPO_ROOT,
      timeoutMs: 60_000,
    },
  );
  const [url, adminUrl] = proc.readyValue;
  await waitForHttp(`${adminUrl}/readyz`, 30_000);
  return { url, pid: proc.pid, pool: new Pool(url, { connections: 8 }), stop: () => proc.stop('SIGTERM', 15_000) };
}

async function post(junction, group) {
  const headers = group === undefined ? HEADERS : { ...HEADERS, 'x-trino-routing-group': group };
  const response = await junction.pool.request({ method: 'POST', path: '/v1/statement', headers, body: SQL });
  const body = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`POST /v1/statement: ${response.statusCode} ${body}`);
  return body;
}

async function get(junction, uri, method = 'GET') {
  const response = await junction.pool.request({ method, path: new URL(uri).pathname, headers: HEADERS });
  return { status: response.statusCode, body: await response.body.text() };
}

const nextUriOf = (body) => /"nextUri":"([^"]+)"/.exec(body)?.[1];
/** A nextUri of a query Junction holds in its queue (gateway ids end in `_jq…`). */
const isGatewayQueued = (uri) => /\/v1\/statement\/queued\/[^/]+_jq[a-z2-7]+\//.test(uri ?? '');

/** A closed loop of polls, each following the nextUri its previous answer gave. */
function followingPolls(host, uris) {
  const state = uris.map((uri) => new URL(uri).pathname);
  let next = 0;
  return {
    name: 'poll',
    next() {
      const slot = next;
      next = (next + 1) % state.length;
      return { data: getRequest(host, state[slot]), wantBody: true, slot };
    },
    done(request, status, body) {
      const uri = status === 200 ? nextUriOf(body ?? '') : undefined;
      if (uri !== undefined) state[request.slot] = new URL(uri).pathname;
    },
  };
}

async function cpuPerPoll(junction, uris) {
  const { host, port } = new URL(junction.url);
  let before = 0;
  let after = 0;
  const window = await closedLoop({
    host: host.split(':')[0],
    port: Number(port),
    workload: followingPolls(host, uris),
    connections: CONNECTIONS,
    warmupMs: 500,
    durationMs: DURATION_MS,
    onWindow: (phase) => {
      if (phase === 'start') before = cpuSeconds([junction.pid]);
      else after = cpuSeconds([junction.pid]);
    },
  });
  const used = after - before;
  return {
    requests: window.requests,
    errors: window.errors + window.non2xx,
    cpuSecondsPer10k: (used / window.requests) * 1e4,
  };
}

async function pollCosts(dir, ports, redisUrl, label) {
  const junction = await startJunction(dir, `queue-poll-${label}`, ports, { redisUrl, pollWait: 0 });
  try {
    const sticky = [];
    for (let i = 0; i < CONNECTIONS; i++) sticky.push(nextUriOf(await post(junction)));
    await post(junction, 'limited'); // takes the one slot and keeps it
    const queued = [];
    for (let i = 0; i < CONNECTIONS; i++) queued.push(nextUriOf(await post(junction, 'limited')));
    if (!queued.every(isGatewayQueued)) throw new Error('submissions did not queue');
    return { sticky: await cpuPerPoll(junction, sticky), queued: await cpuPerPoll(junction, queued) };
  } finally {
    await junction.pool.close();
    await junction.stop();
  }
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function handover(dir, ports, redisUrl, label) {
  const junction = await startJunction(dir, `queue-handover-${label}`, ports, { redisUrl, pollWait: '10s' });
  const samples = [];
  try {
    for (let round = 0; round < ROUNDS + 20; round++) {
      const holder = nextUriOf(await post(junction, 'limited'));
      const waiting = nextUriOf(await post(junction, 'limited'));
      if (!isGatewayQueued(waiting)) throw new Error(`round ${round}: the second query did not queue`);
      const answered = get(junction, waiting).then((answer) => ({ ...answer, at: performance.now() }));
      // Let the poll park in the proxy first (the measured path is the wake-up of a parked poll).
      await new Promise((done) => setTimeout(done, 20));
      const freedAt = performance.now();
      await get(junction, holder, 'DELETE');
      const answer = await answered;
      if (answer.status !== 200 || isGatewayQueued(nextUriOf(answer.body))) {
        throw new Error(`round ${round}: the parked poll did not get the cluster's page: ${answer.body.slice(0, 200)}`);
      }
      if (round >= 20) samples.push(answer.at - freedAt);
      await get(junction, nextUriOf(answer.body), 'DELETE');
    }
  } finally {
    await junction.pool.close();
    await junction.stop();
  }
  const sorted = samples.sort((a, b) => a - b);
  return { rounds: sorted.length, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), maxMs: sorted.at(-1) };
}

pinSelf(0);
const dir = mkdtempSync(join(tmpdir(), 'junction-bench-queue-'));
try {
  const backend = await spawnPinned(
    'backend',
    0,
    process.execPath,
    [join(REPO_ROOT, 'bench/backend.mjs'), '--clusters', '2'],
    { ready: (out) => /^\{"ports".*\}$/m.exec(out)?.[0] },
  );
  const ports = JSON.parse(backend.readyValue).ports;
  const redis = await startRedis(0, dir);
  const rows = [];
  for (const [label, redisUrl] of [
    ['memory', undefined],
    ['redis', redis.url],
  ]) {
    const polls = await pollCosts(dir, ports, redisUrl, label);
    const times = await handover(dir, ports, redisUrl, label);
    rows.push({ label, polls, times });
    console.error(`[bench-queue] ${label}: ${JSON.stringify({ polls, times })}`);
  }
  const ms = (value) => value.toFixed(2);
  console.log(
    `\nquery management through proxy/dist/main.js, ${CONNECTIONS} connections, ${DURATION_MS / 1000} s per loop\n`,
  );
  console.log(
    '| state | sticky poll CPU s/10k | queued poll CPU s/10k | queued ÷ sticky | hand-over p50 ms | p99 ms | max ms |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const { label, polls, times } of rows) {
    const ratio = polls.queued.cpuSecondsPer10k / polls.sticky.cpuSecondsPer10k;
    console.log(
      `| ${label} | ${polls.sticky.cpuSecondsPer10k.toFixed(3)} | ${polls.queued.cpuSecondsPer10k.toFixed(3)} | ${ratio.toFixed(2)}× | ${ms(times.p50Ms)} | ${ms(times.p99Ms)} | ${ms(times.maxMs)} |`,
    );
  }
  const results = join(REPO_ROOT, 'bench/results');
  mkdirSync(results, { recursive: true });
  const file = join(results, `queue-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      { connections: CONNECTIONS, seconds: DURATION_MS / 1000, rounds: ROUNDS, loadavg: loadavg(), rows },
      null,
      2,
    ),
  );
  console.log(
    `\nresults: ${file}\nerrors: ${rows.map((row) => `${row.label} ${row.polls.sticky.errors}+${row.polls.queued.errors}`).join(', ')}; hand-over rounds: ${ROUNDS}; load average: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  // Like bench/run.mjs: no speed checks, but a loop that saw errors fails the run.
  if (rows.some((row) => row.polls.sticky.errors + row.polls.queued.errors > 0)) process.exitCode = 1;
} finally {
  killStarted();
  rmSync(dir, { recursive: true, force: true });
}
