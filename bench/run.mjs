#!/usr/bin/env node
// Junction's benchmark: the same simulated Trino behind every target (direct, HAProxy, nginx,
// http-proxy, Junction in-memory / Redis / multi-cluster, optionally the reference Trino Gateway),
// the same Trino-shaped workloads, figures in bench/results/<timestamp>.json and a Markdown table.
//
//   node bench/run.mjs [--quick] [--targets a,b] [--workloads poll,submit] [--profile|--no-profile]
//   node bench/run.mjs --report bench/results/<file>.json      reprint the table of an earlier run
//
// CPU placement on a 2-core machine: core 0 runs the load generator (this process), the backend and
// Redis; core 1 runs only the proxy under test (taskset), so the proxy's CPU time is its own.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { batch, closedLoop, openLoop } from './lib/loadgen.mjs';
import {
  cpuSeconds,
  ensureDebianPackages,
  killStarted,
  peakRssBytes,
  pinSelf,
  resetPeakRss,
  spawnPinned,
  versionOf,
} from './lib/procs.mjs';
import { summarizeProfile } from './lib/profile.mjs';
import { startRedis } from './lib/redis.mjs';
import { markdownReport, profileReport } from './lib/report.mjs';
import {
  lifecycleWorkload,
  parseNextUri,
  pollWorkload,
  SQL_100K,
  streamWorkload,
  submitRequest,
  submitWorkload,
} from './lib/workloads.mjs';
import { direct } from './targets/direct.mjs';
import { haproxy } from './targets/haproxy.mjs';
import { httpProxyTarget } from './targets/http-proxy.mjs';
import { junctionTarget } from './targets/junction.mjs';
import { nginx } from './targets/nginx.mjs';
import { trinoGateway } from './targets/trino-gateway.mjs';

const REPO_ROOT = resolve(import.meta.dirname, '..');
const RESULTS_DIR = join(REPO_ROOT, 'bench/results');
const LOADGEN_CORE = 0;
const PROXY_CORE = 1;
const BACKEND_CLUSTERS = 4;

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    targets: { type: 'string' },
    workloads: { type: 'string' },
    profile: { type: 'boolean' },
    'no-profile': { type: 'boolean', default: false },
    report: { type: 'string' },
  },
});

if (args.report !== undefined) {
  const doc = JSON.parse(readFileSync(args.report, 'utf8'));
  process.stdout.write(`${markdownReport(doc)}\n\n${profileReport(doc.profiles)}\n`);
  process.exit(0);
}

const QUICK = args.quick;
/** Durations, concurrency and rates. The open-loop rates sit below every proxy's saturation here. */
const SETTINGS = {
  closed: {
    connections: 64,
    streamConnections: 8,
    warmupMs: QUICK ? 300 : 2000,
    durationMs: QUICK ? 800 : 8000,
  },
  open: {
    connections: 128,
    streamConnections: 16,
    warmupMs: QUICK ? 200 : 1000,
    durationMs: QUICK ? 800 : 8000,
    rates: { poll: 1500, submit: 800, lifecycle: 1200, stream: 20, 'submit-sql': 800, 'submit-sql-100k': 200 },
  },
  pollQueries: QUICK ? 200 : 2000,
  lifecyclePolls: 5,
  redisMappings: QUICK ? 20_000 : 100_000,
  rules: {
    configs: QUICK
      ? [
          [1, 10],
          [1000, 10],
          [1, 1000],
        ]
      : [
          [1, 10],
          [100, 10],
          [1000, 10],
          [1, 1000],
          [100, 1000],
          [1000, 1000],
        ],
    warmupMs: QUICK ? 500 : 2000,
    durationMs: QUICK ? 800 : 5000,
  },
  profile: args.profile ?? (!QUICK && !args['no-profile']),
  profileMs: QUICK ? 3000 : 8000,
};

const ALL_WORKLOADS = ['poll', 'submit', 'lifecycle', 'stream'];
/** Submissions that Junction routes with a rule on sql.* (its target restarts with that rule); not run by default. */
const SQL_WORKLOADS = ['submit-sql', 'submit-sql-100k'];
const ALL_TARGETS = [
  direct,
  haproxy,
  nginx,
  httpProxyTarget,
  junctionTarget('junction-memory', 'Junction, in-memory state, 1 cluster'),
  junctionTarget('junction-redis', 'Junction, Redis state (local LRU in front), 1 cluster', { redis: true }),
  junctionTarget(
    'junction-multi',
    `Junction, in-memory state, ${BACKEND_CLUSTERS} clusters (round-robin, sticky follow-ups)`,
    {
      ports: (ctx) => ctx.backendPorts,
    },
  ),
  trinoGateway,
];

const log = (message) => process.stderr.write(`[bench] ${message}\n`);

function pick(list, wanted, what) {
  if (wanted === undefined) return list;
  const names = wanted.split(',').map((s) => s.trim());
  for (const name of names) {
    if (!list.some((item) => (item.name ?? item) === name)) throw new Error(`unknown ${what} "${name}"`);
  }
  return list.filter((item) => names.includes(item.name ?? item));
}

async function main() {
  const started = Date.now();
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const targets = pick(ALL_TARGETS, args.targets, 'target');
  const workloads =
    args.workloads === undefined
      ? ALL_WORKLOADS
      : pick([...ALL_WORKLOADS, ...SQL_WORKLOADS], args.workloads, 'workload');
  if (!existsSync(join(REPO_ROOT, 'proxy/dist/main.js')))
    throw new Error('proxy/dist/main.js missing: run `npm run build`');
  ensureDebianPackages(
    { haproxy: 'haproxy', nginx: 'nginx', 'redis-server': 'redis-server', taskset: 'util-linux' },
    log,
  );
  pinSelf(LOADGEN_CORE);
  const dir = mkdtempSync(join(tmpdir(), 'junction-bench-'));
  mkdirSync(RESULTS_DIR, { recursive: true });

  const doc = {
    startedAt: new Date(started).toISOString(),
    mode: QUICK ? 'quick' : 'full',
    machine: machineInfo(),
    versions: versions(),
    settings: {
      ...SETTINGS,
      pinning: `load generator, backend and Redis on core ${LOADGEN_CORE}; proxy under test on core ${PROXY_CORE} (taskset)`,
      backend: 'bench/backend.mjs: raw net HTTP/1.1, precomputed bodies, unique query ids per cluster',
    },
    targets: [],
    results: [],
    failures: [],
  };

  log(`mode ${doc.mode}; targets ${targets.map((t) => t.name).join(', ')}; workloads ${workloads.join(', ')}`);
  const backend = await spawnPinned(
    'backend',
    LOADGEN_CORE,
    process.execPath,
    [join(REPO_ROOT, 'bench/backend.mjs'), '--clusters', String(BACKEND_CLUSTERS)],
    { ready: (out) => /^\{"ports".*\}$/m.exec(out)?.[0] },
  );
  const backendPorts = JSON.parse(backend.readyValue).ports;
  let redis;
  const needsRedis = targets.some((t) => t.name === 'junction-redis');
  if (needsRedis) redis = await startRedis(LOADGEN_CORE, dir);
  const ctx = { backendPorts, core: PROXY_CORE, dir, repoRoot: REPO_ROOT, redis, log };
  const backendPids = [backend.pid];
  const sidePids = redis === undefined ? [] : [redis.pid];

  try {
    for (const target of targets) {
      const entry = { name: target.name, describe: target.describe, status: 'ok' };
      doc.targets.push(entry);
      const skip = target.skipReason?.(ctx);
      if (skip !== undefined) {
        entry.status = 'skipped';
        entry.reason = skip;
        log(`${target.name}: skipped — ${skip}`);
        continue;
      }
      let running;
      try {
        log(`${target.name}: starting`);
        running = await target.start(ctx);
        entry.version = running.version;
      } catch (error) {
        entry.status = 'failed';
        entry.reason = `did not start: ${error.message.split('\n').slice(0, 6).join(' | ')}`;
        doc.failures.push(`${target.name}: ${entry.reason}`);
        log(entry.reason);
        continue;
      }
      try {
        for (const workload of workloads) {
          const result = SQL_WORKLOADS.includes(workload)
            ? await measureWithSqlRule(target, ctx, running, workload, { backendPids, sidePids })
            : await measure(target.name, running, workload, { backendPids, sidePids });
          doc.results.push(result);
          const problems = problemsOf(result);
          if (problems.length > 0) doc.failures.push(`${target.name}/${workload}: ${problems.join('; ')}`);
        }
        if (target.name === 'junction-redis' && redis !== undefined) {
          doc.redisMemory = await redisMemory(running, redis);
        }
      } catch (error) {
        entry.status = 'failed';
        entry.reason = error.message;
        doc.failures.push(`${target.name}: ${error.message}`);
        log(`${target.name}: ${error.stack}`);
      } finally {
        await running.stop();
      }
    }

    if (targets.some((t) => t.name.startsWith('junction')) && args.targets === undefined) {
      doc.rules = await rulesScaling(ctx, doc);
      doc.rulesVerdict = rulesVerdict(doc.rules);
    }
    if (SETTINGS.profile) doc.profiles = await profiles(ctx, stamp, doc);
    doc.backendCheck = backendCheck(doc);
  } finally {
    await backend.stop();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  addRatios(doc);
  doc.durationSeconds = Math.round((Date.now() - started) / 1000);
  const file = join(RESULTS_DIR, `${stamp}.json`);
  writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
  process.stdout.write(`\n${markdownReport(doc)}\n`);
  if (doc.profiles !== undefined) process.stdout.write(`\n${profileReport(doc.profiles)}\n`);
  process.stdout.write(`\nresults: ${file} (${doc.durationSeconds} s)\n`);
  if (doc.failures.length > 0) {
    process.stderr.write(
      `\nbench FAILED: ${doc.failures.length} problem(s):\n${doc.failures.map((f) => `  - ${f}`).join('\n')}\n`,
    );
    return 1;
  }
  return 0;
}

/** Submits `count` queries through the target and returns their {id, slug, token} for polling. */
async function submitQueries(port, count) {
  const host = `127.0.0.1:${port}`;
  const queries = [];
  const data = submitRequest(host);
  const tally = await batch({
    host: '127.0.0.1',
    port,
    connections: 32,
    count,
    workload: {
      next: () => ({ data, wantBody: true }),
      done: (_request, status, body) => {
        const uri = status === 200 ? parseNextUri(body) : undefined;
        if (uri !== undefined) queries.push({ ...uri, token: 1 });
      },
    },
  });
  if (queries.length !== count) {
    throw new Error(
      `setup: ${queries.length}/${count} submissions answered with a nextUri (${tally.firstError ?? 'no error text'})`,
    );
  }
  return queries;
}

/** A SQL workload: on a Junction target, a second instance with a rule on sql.catalogs; elsewhere plain submits. */
async function measureWithSqlRule(target, ctx, running, workload, pids) {
  if (target.variant === undefined) return measure(target.name, running, workload, pids);
  const withRule = await target.variant({ sqlRule: true }).start(ctx);
  try {
    return await measure(target.name, withRule, workload, pids);
  } finally {
    await withRule.stop();
  }
}

function makeWorkload(name, port, queries) {
  const host = `127.0.0.1:${port}`;
  if (name === 'poll') return pollWorkload(host, queries);
  if (name === 'submit') return submitWorkload(host);
  if (name === 'submit-sql') return submitWorkload(host, undefined, name);
  if (name === 'submit-sql-100k') return submitWorkload(host, SQL_100K, name);
  if (name === 'lifecycle') return lifecycleWorkload(host, SETTINGS.lifecyclePolls);
  if (name === 'stream') return streamWorkload(host, queries);
  throw new Error(`unknown workload ${name}`);
}

/** CPU seconds of every party over one load window. */
function cpuMeter(running, { backendPids, sidePids }) {
  let start;
  const read = () => ({
    at: performance.now(),
    proxy: cpuSeconds(running.pids()),
    backend: cpuSeconds(backendPids),
    side: cpuSeconds(sidePids),
    loadgen: process.cpuUsage(),
  });
  return {
    onWindow(edge) {
      if (edge === 'start') {
        resetPeakRss(running.pids());
        start = read();
      } else this.result = { start, end: read() };
    },
    summary(requests) {
      const { start: s, end: e } = this.result;
      const seconds = (e.at - s.at) / 1000;
      const per10k = (cpu) => (requests > 0 ? (cpu * 10_000) / requests : null);
      const loadgen = (e.loadgen.user + e.loadgen.system - s.loadgen.user - s.loadgen.system) / 1e6;
      return {
        proxySeconds: round(e.proxy - s.proxy),
        proxySecondsPer10k: round(per10k(e.proxy - s.proxy)),
        proxyCoreBusy: round((e.proxy - s.proxy) / seconds),
        backendSecondsPer10k: round(per10k(e.backend - s.backend)),
        backendCoreBusy: round((e.backend - s.backend) / seconds),
        redisCoreBusy: sidePids.length === 0 ? undefined : round((e.side - s.side) / seconds),
        loadgenCoreBusy: round(loadgen / seconds),
      };
    },
  };
}

async function measure(targetName, running, workload, pids) {
  const port = running.port;
  const queries = workload === 'poll' || workload === 'stream' ? await submitQueries(port, SETTINGS.pollQueries) : [];
  const stream = workload === 'stream';
  const closedMeter = cpuMeter(running, pids);
  const closed = await closedLoop({
    host: '127.0.0.1',
    port,
    workload: makeWorkload(workload, port, queries),
    connections: stream ? SETTINGS.closed.streamConnections : SETTINGS.closed.connections,
    warmupMs: SETTINGS.closed.warmupMs,
    durationMs: SETTINGS.closed.durationMs,
    onWindow: (edge) => closedMeter.onWindow(edge),
  });
  closed.cpu = closedMeter.summary(closed.requests);
  closed.peakRssBytes = peakRssBytes(running.pids());
  const openMeter = cpuMeter(running, pids);
  const open = await openLoop({
    host: '127.0.0.1',
    port,
    workload: makeWorkload(workload, port, queries),
    rate: openRate(workload, closed),
    connections: stream ? SETTINGS.open.streamConnections : SETTINGS.open.connections,
    warmupMs: SETTINGS.open.warmupMs,
    durationMs: SETTINGS.open.durationMs,
    onWindow: (edge) => openMeter.onWindow(edge),
  });
  open.cpu = openMeter.summary(open.requests);
  open.peakRssBytes = peakRssBytes(running.pids());
  log(
    `${targetName.padEnd(16)} ${workload.padEnd(9)} ` +
      `${stream ? `${closed.megabytesPerSecond.toFixed(0)} MB/s` : `${closed.requestsPerSecond} req/s`}` +
      ` | p50 ${open.latency.p50Ms} p99 ${open.latency.p99Ms} p99.9 ${open.latency.p999Ms} ms @${open.targetRate}/s` +
      ` | proxy ${(closed.cpu.proxyCoreBusy * 100).toFixed(0)}% core, ${closed.cpu.proxySecondsPer10k} s/10k` +
      ` | backend ${(closed.cpu.backendCoreBusy * 100).toFixed(0)}%` +
      (closed.errors + closed.non2xx + open.errors + open.non2xx > 0
        ? ` | ERRORS ${closed.firstError ?? open.firstError}`
        : ''),
  );
  return { target: targetName, workload, closed, open };
}

/**
 * The fixed rate of the latency run: the workload's common rate, or half of what this target
 * managed closed-loop when that is lower — latency is only meaningful below saturation.
 */
function openRate(workload, closed) {
  const common = SETTINGS.open.rates[workload];
  const capacity = closed.requestsPerSecond;
  return capacity > 0 && common > capacity * 0.5 ? Math.max(1, Math.floor(capacity * 0.5)) : common;
}

function problemsOf(result) {
  const problems = [];
  for (const [phase, r] of [
    ['closed loop', result.closed],
    ['open loop', result.open],
  ]) {
    const bad = r.errors + r.non2xx + (r.warmupErrors ?? 0);
    if (bad > 0)
      problems.push(
        `${phase}: ${bad} failed requests (first: ${r.firstError}; statuses ${JSON.stringify(r.statuses)})`,
      );
    if (r.unfinished > 0) problems.push(`${phase}: ${r.unfinished} requests never answered`);
    if (r.requests === 0) problems.push(`${phase}: no request completed`);
  }
  return problems;
}

/** 100k (quick: 20k) submissions through Junction with Redis; INFO memory before and after. */
async function redisMemory(running, redis) {
  const before = redis.info();
  const keysBefore = redis.dbsize();
  const port = running.port;
  const data = submitRequest(`127.0.0.1:${port}`);
  const tally = await batch({
    host: '127.0.0.1',
    port,
    connections: 64,
    count: SETTINGS.redisMappings,
    timeoutMs: 300_000,
    workload: { next: () => ({ data, wantBody: false }), done() {} },
  });
  const after = redis.info();
  const keysAfter = redis.dbsize();
  const mappings = keysAfter - keysBefore;
  const sampleKey = redis.randomKey(`${running.keyPrefix}q:*`);
  const result = {
    submissions: SETTINGS.redisMappings,
    failedSubmissions: tally.errors + tally.non2xx + tally.unfinished,
    mappings,
    usedMemoryDelta: after.used_memory - before.used_memory,
    bytesPerMapping: mappings > 0 ? (after.used_memory - before.used_memory) / mappings : null,
    sampleKey,
    memoryUsageOfOneKey: sampleKey === undefined ? undefined : redis.memoryUsage(sampleKey),
    redisVersion: after.redis_version,
  };
  log(`redis: ${mappings} mappings, ${result.bytesPerMapping?.toFixed(1)} bytes each`);
  return result;
}

/** Submission cost against the number of CEL rules and of clusters (Junction, in-memory). */
async function rulesScaling(ctx, doc) {
  const rows = [];
  for (const [rules, clusters] of SETTINGS.rules.configs) {
    const name = `junction-rules-${rules}x${clusters}`;
    const target = junctionTarget(name, `${rules} rules, ${clusters} clusters`, { rules, clusterCount: clusters });
    let running;
    try {
      running = await target.start(ctx);
      const meter = cpuMeter(running, { backendPids: [], sidePids: [] });
      const r = await closedLoop({
        host: '127.0.0.1',
        port: running.port,
        workload: submitWorkload(`127.0.0.1:${running.port}`),
        connections: SETTINGS.closed.connections,
        warmupMs: SETTINGS.rules.warmupMs,
        durationMs: SETTINGS.rules.durationMs,
        onWindow: (edge) => meter.onWindow(edge),
      });
      const cpu = meter.summary(r.requests);
      const row = {
        rules,
        clusters,
        requestsPerSecond: r.requestsPerSecond,
        cpuMicrosPerRequest: r.requests > 0 ? (cpu.proxySeconds * 1e6) / r.requests : null,
        proxyCoreBusy: cpu.proxyCoreBusy,
        errors: r.errors + r.non2xx + r.warmupErrors,
      };
      rows.push(row);
      log(`${name.padEnd(26)} ${row.requestsPerSecond} req/s, ${row.cpuMicrosPerRequest?.toFixed(0)} µs CPU/request`);
      if (row.errors > 0) doc.failures.push(`${name}: ${row.errors} failed requests (first: ${r.firstError})`);
    } catch (error) {
      doc.failures.push(`${name}: ${error.message.split('\n')[0]}`);
      log(`${name}: ${error.message}`);
    } finally {
      await running?.stop();
    }
  }
  return rows;
}

function rulesVerdict(rows) {
  const cost = (rules, clusters) => rows.find((r) => r.rules === rules && r.clusters === clusters)?.cpuMicrosPerRequest;
  const lines = [];
  const verdict = {};
  for (const rules of [...new Set(rows.map((r) => r.rules))]) {
    const small = cost(rules, 10);
    const large = cost(rules, 1000);
    if (small && large) {
      const growth = large / small;
      verdict[`clusters@${rules}`] = growth;
      lines.push(
        `${rules} rule(s): 10 → 1000 clusters costs ${growth.toFixed(2)}× per request ` +
          `(${growth <= 1.25 ? 'flat' : 'NOT flat'}: flat means ≤ 1.25×).`,
      );
    }
  }
  for (const clusters of [...new Set(rows.map((r) => r.clusters))]) {
    const one = cost(1, clusters);
    const many = cost(1000, clusters);
    if (one && many) {
      const extraPerRule = (many - one) / 999;
      verdict[`rules@${clusters}`] = { extraMicrosPerRule: extraPerRule };
      const mid = cost(100, clusters);
      const linear =
        mid === undefined
          ? ''
          : `; at 100 rules predicted ${(one + extraPerRule * 99).toFixed(0)} µs by a straight line, measured ${mid.toFixed(0)} µs`;
      lines.push(
        `${clusters} clusters: 1 → 1000 rules adds ${extraPerRule.toFixed(2)} µs of proxy CPU per rule per submission${linear}.`,
      );
    }
  }
  return { ...verdict, lines };
}

/** `--cpu-prof` runs of Junction (in-memory) under poll and submit, and submit with 1000 clusters. */
async function profiles(ctx, stamp, doc) {
  const out = {};
  const profileDir = join(RESULTS_DIR, 'profiles');
  mkdirSync(profileDir, { recursive: true });
  const runs = [
    { key: 'poll', workload: 'poll', options: {}, describe: 'Junction in-memory, 1 cluster' },
    { key: 'submit', workload: 'submit', options: {}, describe: 'Junction in-memory, 1 cluster, 1 rule' },
    {
      key: 'submit-1000-clusters',
      workload: 'submit',
      options: { clusterCount: 1000 },
      describe: 'Junction in-memory, 1000 clusters in the default group, 1 rule',
    },
  ];
  for (const { key, workload, options, describe } of runs) {
    const name = `${stamp}-${key}.cpuprofile`;
    const target = junctionTarget(`junction-profile-${key}`, 'profiled', {
      ...options,
      cpuProfile: { dir: profileDir, name },
    });
    let running;
    try {
      running = await target.start(ctx);
      const queries = workload === 'poll' ? await submitQueries(running.port, SETTINGS.pollQueries) : [];
      const r = await closedLoop({
        host: '127.0.0.1',
        port: running.port,
        workload: makeWorkload(workload, running.port, queries),
        connections: SETTINGS.closed.connections,
        warmupMs: 1000,
        durationMs: SETTINGS.profileMs,
      });
      await running.stop();
      running = undefined;
      out[key] = summarizeProfile(join(profileDir, name), { requests: r.requests + queries.length });
      out[key].describe = describe;
      out[key].requestsPerSecondWhileProfiled = r.requestsPerSecond;
      log(`profile ${key}: ${join(profileDir, name)}`);
    } catch (error) {
      out[key] = { error: error.message.split('\n')[0] };
      doc.failures.push(`profile ${key}: ${error.message.split('\n')[0]}`);
    } finally {
      await running?.stop();
    }
  }
  return out;
}

/** Is the backend ever the bottleneck? Its busiest share of core 0 across all closed-loop runs. */
function backendCheck(doc) {
  const proxied = doc.results.filter((r) => r.target !== 'direct');
  if (proxied.length === 0) return undefined;
  const busiest = proxied.reduce((a, b) => (b.closed.cpu.backendCoreBusy > a.closed.cpu.backendCoreBusy ? b : a));
  const perReq = proxied
    .filter((r) => r.workload === 'poll')
    .map((r) => r.closed.cpu.backendSecondsPer10k)
    .filter((v) => v !== null);
  return (
    `busiest at ${(busiest.closed.cpu.backendCoreBusy * 100).toFixed(0)}% of a core ` +
    `(${busiest.target}/${busiest.workload}); ` +
    (perReq.length > 0
      ? `${(Math.min(...perReq) * 100).toFixed(1)}–${(Math.max(...perReq) * 100).toFixed(1)} µs CPU per poll request. `
      : '') +
    'Behind a proxy the proxy core is the one at 100%, never the backend.'
  );
}

function addRatios(doc) {
  const find = (target, workload) => doc.results.find((r) => r.target === target && r.workload === workload);
  for (const r of doc.results) {
    const d = find('direct', r.workload);
    const h = find('haproxy', r.workload);
    const metric = (x) => (r.workload === 'stream' ? x?.closed.megabytesPerSecond : x?.closed.requestsPerSecond);
    const div = (a, b) => (a === undefined || b === undefined || b === null || b === 0 ? null : round(a / b));
    r.ratios = {
      throughputVsDirect: div(metric(r), metric(d)),
      throughputVsHaproxy: div(metric(r), metric(h)),
      p50VsDirect: div(r.open.latency.p50Ms, d?.open.latency.p50Ms),
      p99VsDirect: div(r.open.latency.p99Ms, d?.open.latency.p99Ms),
      p50VsHaproxy: div(r.open.latency.p50Ms, h?.open.latency.p50Ms),
      p99VsHaproxy: div(r.open.latency.p99Ms, h?.open.latency.p99Ms),
      cpuVsHaproxy:
        r.target === 'direct' ? null : div(r.closed.cpu.proxySecondsPer10k, h?.closed.cpu.proxySecondsPer10k),
    };
  }
}

function machineInfo() {
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    loadAverageAtStart: loadavg(),
  };
}

function versions() {
  const pkg = (name) => {
    try {
      return JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
    } catch {
      return undefined;
    }
  };
  const git = spawnSync('git', ['-C', REPO_ROOT, 'describe', '--always', '--dirty'], {
    encoding: 'utf8',
  }).stdout.trim();
  return {
    node: process.version,
    junction: git || undefined,
    undici: pkg('undici'),
    'http-proxy': pkg('http-proxy'),
    ioredis: pkg('ioredis'),
    haproxy: versionOf('haproxy', ['-v']),
    nginx: versionOf('nginx', ['-v']),
    redis: versionOf('redis-server', ['--version']),
  };
}

function round(value) {
  return value === null || value === undefined ? value : Math.round(value * 10_000) / 10_000;
}

process.on('SIGINT', () => {
  killStarted();
  process.exit(130);
});

main().then(
  (code) => process.exit(code),
  (error) => {
    killStarted();
    process.stderr.write(`bench FAILED: ${error.stack ?? error}\n`);
    process.exit(1);
  },
);
