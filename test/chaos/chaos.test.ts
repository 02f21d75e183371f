// The chaos suite (docs/reliability.md): three proxy processes sharing a real Redis in front of three
// simulated clusters, retrying clients running queries back to back, and one fault per scenario
// pulled mid-run. Each scenario prints a row (started, finished, failed, lost, longest stall) and
// asserts its goal. `make test` runs a short version; `make chaos` (CHAOS_FULL=1) the full one:
// 200 clients and 10-second Redis pauses and partitions. Rows go to CHAOS_REPORT when set.
import { writeFileSync } from 'node:fs';
import type { RedisClusterSet, RedisSentinelSet } from '../harness/redis-ha.js';
import { eventually } from '../harness/wait.js';
import { markdownTable, runLoad, type ScenarioRow } from './load.js';
import { ChaosRig } from './rig.js';

const FULL = process.env.CHAOS_FULL === '1';
const CONCURRENCY = FULL ? 200 : 40;
const OUTAGE_MS = FULL ? 10_000 : 3_000;
const RETRY_DEADLINE_MS = 60_000;
const TIMEOUT_MS = FULL ? 240_000 : 120_000;
const rows: ScenarioRow[] = [];

/** The fault lasts OUTAGE_MS: a fixed length of outage is the scenario itself, not a wait for an effect. */
const outage = () => new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));

async function scenario(
  name: string,
  fault: (rig: ChaosRig) => Promise<void>,
  mode: 'plain' | 'sentinel' | 'cluster' = 'plain',
): Promise<ScenarioRow> {
  const rig = await ChaosRig.start(mode);
  try {
    const row = await runLoad(name, {
      replicas: rig.replicaUrls,
      concurrency: CONCURRENCY,
      fault: () => fault(rig),
      retryDeadlineMs: RETRY_DEADLINE_MS,
    });
    rows.push(row);
    return row;
  } finally {
    await rig.close();
  }
}

afterAll(() => {
  if (rows.length === 0) return;
  const table = markdownTable(rows);
  process.stdout.write(`\nchaos (${FULL ? 'full' : 'short'}, ${CONCURRENCY} clients):\n${table}\n`);
  if (process.env.CHAOS_REPORT) writeFileSync(process.env.CHAOS_REPORT, JSON.stringify({ full: FULL, rows }, null, 2));
});

const expectNoneLost = (row: ScenarioRow) => {
  expect(row.reasons.lost).toEqual([]);
  expect(row.lost).toBe(0);
  expect(row.finished).toBeGreaterThan(CONCURRENCY);
};

test(
  'kill -9 of one proxy mid-run: clients move to another replica, no query is lost',
  async () => {
    const row = await scenario('kill -9 of one proxy', (rig) => rig.killReplica(0));
    expectNoneLost(row);
  },
  TIMEOUT_MS,
);

test(
  'SIGTERM rolling restart of all three proxies: every one exits 0, no query fails',
  async () => {
    const codes: (number | null)[] = [];
    const row = await scenario('SIGTERM rolling restart of all three proxies', async (rig) => {
      for (let i = 0; i < 3; i++) codes.push(await rig.restartReplica(i));
    });
    expect(codes).toEqual([0, 0, 0]);
    expectNoneLost(row);
    expect(row.reasons.failed).toEqual([]);
  },
  TIMEOUT_MS,
);

test(
  'Redis killed (SIGKILL, data lost) and restarted mid-run: routing goes on from caches and discovery',
  async () => {
    const row = await scenario('Redis killed and restarted (data lost)', async (rig) => {
      rig.redis.signal('SIGKILL');
      await outage();
      await rig.redis.restart();
    });
    expectNoneLost(row);
  },
  TIMEOUT_MS,
);

test(
  `Redis paused (SIGSTOP) for ${OUTAGE_MS / 1000} s: no query lost, no crash`,
  async () => {
    let alive = 0;
    const row = await scenario(`Redis paused (SIGSTOP) for ${OUTAGE_MS / 1000} s`, async (rig) => {
      rig.redis.signal('SIGSTOP');
      await outage();
      rig.redis.signal('SIGCONT');
      alive = rig.proxies.filter((proxy) => proxy?.child.exitCode === null).length;
    });
    expect(alive).toBe(3);
    expectNoneLost(row);
  },
  TIMEOUT_MS,
);

test(
  'a cluster dies mid-query: its running queries fail with a clean error naming it, nothing is lost',
  async () => {
    const row = await scenario('a cluster dies mid-query', async (rig) => {
      await rig.sims[0]?.close();
    });
    expectNoneLost(row);
    for (const reason of row.reasons.failed) expect(reason).toContain('"east"');
  },
  TIMEOUT_MS,
);

test(
  `a network partition between one proxy and Redis for ${OUTAGE_MS / 1000} s: no query lost`,
  async () => {
    const row = await scenario(`partition between one proxy and Redis for ${OUTAGE_MS / 1000} s`, async (rig) => {
      rig.relay.partition();
      await outage();
      rig.relay.heal();
    });
    expectNoneLost(row);
  },
  TIMEOUT_MS,
);

test(
  'Redis Sentinel: the primary SIGKILLed mid-run, a replica promoted — no query lost',
  async () => {
    let promotedAfterMs = 0;
    const row = await scenario(
      'Redis Sentinel: primary SIGKILLed, replica promoted',
      async (rig) => {
        const set = rig.topology as RedisSentinelSet;
        const killedAt = Date.now();
        const killed = await set.killPrimary();
        await eventually(async () => (await set.primaryPort().catch(() => killed)) !== killed, 60_000, 100);
        promotedAfterMs = Date.now() - killedAt;
      },
      'sentinel',
    );
    process.stdout.write(`sentinel: a new primary named ${promotedAfterMs} ms after the kill\n`);
    expectNoneLost(row);
  },
  TIMEOUT_MS,
);

test(
  `Redis Cluster: one of three primaries SIGKILLed for ${OUTAGE_MS / 1000} s and restarted — no query lost`,
  async () => {
    const row = await scenario(
      `Redis Cluster: one of three primaries down ${OUTAGE_MS / 1000} s`,
      async (rig) => {
        const cluster = rig.topology as RedisClusterSet;
        const port = cluster.nodes[0]?.port as number;
        await cluster.killNode(port);
        await outage();
        await cluster.restartNode(port);
      },
      'cluster',
    );
    expectNoneLost(row);
  },
  TIMEOUT_MS,
);
