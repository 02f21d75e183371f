#!/usr/bin/env node
// What a QueueStore call costs: round-trip latency (p50/p99) of admit→run, bind, renew, release and a
// dispatch of one entry against a local redis-server, and the CPU time per call of the memory store.
//
//   npm run build && node bench/queue-store.mjs [--iterations 2000]
//
// A measurement, not a test: nothing is asserted. Calls run one at a time (latency, not throughput). On
// the 2-core machine Redis runs on core 0 and this process on core 1, as in bench/run.mjs.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BIND, RELEASE, RENEW } from '../shared/dist/adapters/queue/redis-lua-entries.js';
import { ADMIT, DISPATCH } from '../shared/dist/adapters/queue/redis-lua-queue.js';
import { closeRedisClient, createRedisClient, MemoryQueueStore, RedisQueueStore } from '../shared/dist/index.js';
import { killStarted, pinSelf } from './lib/procs.mjs';
import { startRedis } from './lib/redis.mjs';

const { values } = parseArgs({ options: { iterations: { type: 'string', default: '2000' } } });
const ITERATIONS = Number(values.iterations);
const WARMUP = Math.min(500, ITERATIONS);
const LEASE_MS = 60_000;
// A realistic request: two candidate clusters, one admission check with both kinds of limit.
const CANDIDATES = [
  { cluster: 'blue', limit: 1_000_000 },
  { cluster: 'green', limit: undefined },
];
const ADMISSION = [
  { bucket: 'adhoc/per-user/alice', maxConcurrent: 1_000_000, maxPerSecond: 1e9, burst: 1e9, onExceed: 'Reject' },
];
const OPERATIONS = ['admit→run', 'bind', 'renew', 'release', 'dispatch 1'];

let clock = 1_700_000_000_000;
let sequence = 0;
const request = (overrides = {}) => ({
  id: `20250101_000000_${String(++sequence).padStart(8, '0')}_bench`,
  group: 'adhoc',
  priority: 0,
  shareKey: 'alice',
  candidates: CANDIDATES,
  admission: ADMISSION,
  maxQueued: 1_000_000,
  maxWaitMs: 300_000,
  leaseMs: LEASE_MS,
  payload: Buffer.alloc(2048, 7),
  info: { user: 'alice', source: 'bench', sql: 'SELECT 1', className: 'interactive' },
  now: ++clock,
  ...overrides,
});

/** One round of every operation on `store`; `time(name, call)` measures the calls that count. */
async function round(store, time) {
  const running = request();
  await time('admit→run', () => store.admit(running));
  const queryId = `${running.id}_trino`;
  await time('bind', () => store.bind(running.id, queryId, LEASE_MS, ++clock));
  await time('renew', () => store.renew(queryId, LEASE_MS, ++clock));
  await time('release', () => store.release(queryId, ++clock));
  // A queued entry (no candidates now), then handed over by a dispatch of one; cleanup is not timed.
  const queued = request({ group: 'etl', candidates: [] });
  await store.admit(queued);
  await time('dispatch 1', () => store.dispatch('etl', CANDIDATES, LEASE_MS, ++clock, 1));
  await store.complete(queued.id, Buffer.from('{}'), ++clock);
  await store.release(queued.id, ++clock);
  await store.forget(queued.id);
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function redisLatencies() {
  const dir = mkdtempSync(join(tmpdir(), 'junction-bench-queue-'));
  const redis = await startRedis(0, dir);
  const config = { url: redis.url, keyPrefix: 'bench:', commandTimeout: 2000 };
  const client = createRedisClient(config, { name: 'bench' });
  const store = new RedisQueueStore(client, config);
  const samples = new Map(OPERATIONS.map((name) => [name, []]));
  let server = new Map();
  try {
    for (let i = 0; i < WARMUP; i++) await round(store, (_, call) => call());
    // Every command from now on is logged with the microseconds Redis spent executing it.
    await client.call('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
    await client.call('CONFIG', 'SET', 'slowlog-max-len', String(ITERATIONS * 20));
    await client.call('SLOWLOG', 'RESET');
    for (let i = 0; i < ITERATIONS; i++) {
      await round(store, async (name, call) => {
        const started = process.hrtime.bigint();
        await call();
        samples.get(name).push(Number(process.hrtime.bigint() - started) / 1e3);
      });
    }
    server = serverTimes(await client.call('SLOWLOG', 'GET', '-1'));
  } finally {
    await store.close();
    await closeRedisClient(client);
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return new Map(
    [...samples].map(([name, list]) => {
      const sorted = list.sort((a, b) => a - b);
      return [name, { p50: percentile(sorted, 50), p99: percentile(sorted, 99), server: server.get(name) }];
    }),
  );
}

/**
 * Median execution µs per timed operation from SLOWLOG entries [id, time, µs, [EVALSHA, sha, numkeys,
 * …keys]]. The untimed calls of a round use the same scripts; their keys tell them apart (KEYS[11] is
 * the entry or holder key, KEYS[13] the group's entries).
 */
function serverTimes(log) {
  const sha = (lua) => createHash('sha1').update(lua).digest('hex');
  const scripts = new Map([
    [sha(ADMIT), 'admit→run'],
    [sha(BIND), 'bind'],
    [sha(RENEW), 'renew'],
    [sha(RELEASE), 'release'],
    [sha(DISPATCH), 'dispatch 1'],
  ]);
  const times = new Map(OPERATIONS.map((name) => [name, []]));
  for (const [, , micros, args] of log) {
    const name = scripts.get(String(args[1]));
    if (name === undefined) continue;
    if (name === 'admit→run' && !String(args[13]).endsWith('g:adhoc')) continue;
    if (name === 'release' && !String(args[11]).endsWith('_trino')) continue;
    times.get(name).push(Number(micros));
  }
  return new Map(
    [...times].map(([name, list]) => [
      name,
      percentile(
        list.sort((a, b) => a - b),
        50,
      ),
    ]),
  );
}

/** CPU µs per call of the memory store: each operation's calls summed with process.cpuUsage. */
async function memoryCpu() {
  const store = new MemoryQueueStore();
  const cpu = new Map(OPERATIONS.map((name) => [name, 0]));
  const timeCpu = async (name, call) => {
    const before = process.cpuUsage();
    await call();
    const used = process.cpuUsage(before);
    cpu.set(name, cpu.get(name) + used.user + used.system);
  };
  for (let i = 0; i < WARMUP; i++) await round(store, (_, call) => call());
  for (const name of OPERATIONS) cpu.set(name, 0);
  // Many rounds, so the microsecond resolution of cpuUsage averages out.
  const rounds = ITERATIONS * 10;
  for (let i = 0; i < rounds; i++) await round(store, timeCpu);
  return new Map([...cpu].map(([name, micros]) => [name, micros / rounds]));
}

pinSelf(1);
try {
  const latencies = await redisLatencies();
  const memory = await memoryCpu();
  const fmt = (micros) => (micros >= 1000 ? `${(micros / 1000).toFixed(2)} ms` : `${micros.toFixed(1)} µs`);
  console.log(`QueueStore, ${ITERATIONS} sequential calls per operation (Redis on core 0, client on core 1)\n`);
  console.log('| operation | Redis round trip p50 | p99 | inside Redis (median) | memory store CPU per call |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const name of OPERATIONS) {
    const { p50, p99, server } = latencies.get(name);
    console.log(`| ${name} | ${fmt(p50)} | ${fmt(p99)} | ${fmt(server)} | ${fmt(memory.get(name))} |`);
  }
  console.log(
    `\nload average during the run: ${loadavg()
      .map((load) => load.toFixed(2))
      .join(' ')}`,
  );
} finally {
  killStarted();
}
