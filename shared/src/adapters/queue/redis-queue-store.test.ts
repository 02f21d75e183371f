// What only the Redis QueueStore can show: atomicity under real concurrency between replicas, one hash
// slot for every key, a TTL on every key, and recovery after a Redis restart.
import { type RedisQueueStoreFixture, redisQueueStores, request, T0 } from '../../../../test/harness/queue-stores.js';
import { untilPasses as eventually } from '../../../../test/harness/wait.js';
import type { AdmissionCheck, QueueStore } from '../../contract/queue-store.js';
import { redisKeys } from '../redis-client.js';
import { SCRIPTS } from './redis-queue-store.js';

const COMMAND_TIMEOUT_MS = 500;
const REJECT_BOUND_MS = COMMAND_TIMEOUT_MS + 1500;
const unlimited = [{ cluster: 'big', limit: undefined }];

/** CRC16/XMODEM, the hash Redis Cluster maps keys to slots with (of the hash tag when there is one). */
function keySlot(key: string): number {
  const open = key.indexOf('{');
  const close = open === -1 ? -1 : key.indexOf('}', open + 1);
  const hashed = close > open + 1 ? key.slice(open + 1, close) : key;
  let crc = 0;
  for (const byte of Buffer.from(hashed)) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}

const check = (overrides: Partial<AdmissionCheck>): AdmissionCheck => ({
  bucket: 'adhoc/per-user/alice',
  maxConcurrent: undefined,
  maxPerSecond: undefined,
  burst: 1,
  onExceed: 'Reject',
  ...overrides,
});

describe('RedisQueueStore', () => {
  const subject = redisQueueStores({ commandTimeout: COMMAND_TIMEOUT_MS });
  let fixture: RedisQueueStoreFixture;
  let replicas: [QueueStore, QueueStore];
  beforeAll(async () => {
    fixture = await subject.setup();
  });
  afterAll(() => fixture.close());
  beforeEach(() => {
    replicas = [fixture.open(), fixture.open()];
  });
  afterEach(() => fixture.release());

  async function keysWithPttl(): Promise<Map<string, number>> {
    const admin = fixture.admin();
    const found = new Map<string, number>();
    let cursor = '0';
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', `${fixture.config().keyPrefix}*`, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) found.set(key, await admin.pttl(key));
    } while (cursor !== '0');
    return found;
  }

  test('200 concurrent admits from two replicas at a limit-1 cluster: exactly one runs', async () => {
    const admits = Array.from({ length: 200 }, (_, i) =>
      (replicas[i % 2] as QueueStore).admit(request({ maxQueued: 1000, now: T0 + (i % 7) })),
    );
    const outcomes = await Promise.all(admits);
    expect(outcomes.filter((o) => o.outcome === 'run')).toEqual([{ outcome: 'run', cluster: 'blue' }]);
    expect(outcomes.filter((o) => o.outcome === 'queued')).toHaveLength(199);
    expect((await replicas[0].snapshot(T0 + 10)).queued).toEqual(new Map([['adhoc', [199]]]));
  });

  test('concurrent admits never pass a bucket: maxConcurrent, rate, and maxQueued', async () => {
    const concurrent = [check({ maxConcurrent: 3 })];
    const rate = [check({ bucket: 'adhoc/per-source/cli', maxPerSecond: 1, burst: 5 })];
    const fire = (n: number, overrides: Parameters<typeof request>[0]) =>
      Promise.all(Array.from({ length: n }, (_, i) => (replicas[i % 2] as QueueStore).admit(request(overrides))));
    const runs = (outcomes: Array<{ outcome: string }>) => outcomes.filter((o) => o.outcome === 'run').length;
    expect(runs(await fire(100, { admission: concurrent, candidates: unlimited }))).toBe(3);
    expect(runs(await fire(100, { admission: rate, candidates: unlimited }))).toBe(5);
    const queued = await fire(100, { group: 'small', maxQueued: 7, candidates: [] });
    expect(queued.filter((o) => o.outcome === 'queued')).toHaveLength(7);
  });

  test('50 concurrent dispatches of 10 entries with room for 10: each entry dispatched exactly once', async () => {
    for (let i = 0; i < 10; i++) await replicas[0].admit(request({ candidates: [], shareKey: `u${i % 3}` }));
    const candidates = [
      { cluster: 'blue', limit: 4 },
      { cluster: 'green', limit: 6 },
    ];
    const calls = Array.from({ length: 50 }, (_, i) =>
      (replicas[i % 2] as QueueStore).dispatch('adhoc', candidates, 30_000, T0 + 1, 1 + (i % 3)),
    );
    const dispatched = (await Promise.all(calls)).flat();
    expect(dispatched).toHaveLength(10);
    expect(new Set(dispatched.map((d) => d.id)).size).toBe(10);
    expect((await replicas[1].snapshot(T0 + 2)).running).toEqual(
      new Map([
        ['blue', 4],
        ['green', 6],
      ]),
    );
  });

  /** Every path that writes: run, queued, held back, dispatch, complete, fail, bind, renew, cancel, poll, sweep. */
  async function workload(store: QueueStore): Promise<void> {
    const limits = [
      check({ maxConcurrent: 3, onExceed: 'Queue' }),
      check({ bucket: 'adhoc/rate/x', maxPerSecond: 2, burst: 10 }),
    ];
    const run = request({ admission: limits });
    expect(await store.admit(run)).toEqual({ outcome: 'run', cluster: 'blue' });
    await store.bind(run.id, 'trino_1', 30_000, T0 + 1);
    await store.renew('trino_1', 30_000, T0 + 2);
    const entries = [request({ admission: limits }), request({ admission: limits, shareKey: 'bob', priority: 1 })];
    for (const entry of entries) expect(await store.admit(entry)).toEqual({ outcome: 'queued' });
    // Held back: alice's two queued entries and the running one fill her bucket.
    const held = request({ admission: limits, shareKey: 'dave', priority: 2 });
    expect(await store.admit(held)).toEqual({ outcome: 'queued' });
    await store.admit(request({ group: 'etl', candidates: [], shareKey: 'carol' }));
    const cancelled = request({ group: 'etl', candidates: [] });
    await store.admit(cancelled);
    await store.cancel(cancelled.id, T0 + 3);
    const sent = await store.dispatch('adhoc', [{ cluster: 'green', limit: 2 }], 30_000, T0 + 4);
    expect(sent.map((d) => d.id)).toEqual(entries.map((entry) => entry.id));
    expect(await store.complete(entries[0]?.id ?? '', Buffer.from([0, 255]), T0 + 5)).toBe(true);
    await store.poll(entries[0]?.id ?? '', T0 + 6);
    expect(await store.fail(held.id, 'X', 'y', T0 + 7)).toEqual({ cluster: undefined });
    await store.sweep({ abandonAfterMs: 300_000, dispatchTimeoutMs: 60_000, now: T0 + 8 });
  }

  test('every key the store creates carries the {queue} tag: one Redis Cluster slot', async () => {
    await workload(replicas[0]);
    const keys = [...(await keysWithPttl()).keys()];
    expect(keys.length).toBeGreaterThan(15);
    const slots = new Set(keys.map(keySlot));
    expect([...slots]).toEqual([keySlot('{queue}')]);
    for (const key of keys) expect(key.startsWith(redisKeys(fixture.config().keyPrefix).queue.base)).toBe(true);
  });

  test('the scripts build exactly the key names redisKeys documents', async () => {
    await workload(replicas[0]);
    const k = redisKeys(fixture.config().keyPrefix).queue;
    const kinds: Array<[RegExp, (rest: string) => string]> = [
      [/^e:(.*)$/s, (id) => k.entry(id)],
      [/^h:(.*)$/s, (id) => k.holder(id)],
      [/^s:(.*)$/s, (cluster) => k.slots(cluster)],
      [/^b:(.*)$/s, (bucket) => k.places(bucket)],
      [/^t:(.*)$/s, (bucket) => k.tokens(bucket)],
      [/^g:(.*)$/s, (group) => k.groupEntries(group)],
      [/^c:(.*)$/s, (group) => k.classes(group)],
    ];
    const fixed = [k.groups, k.clusters, k.buckets, k.active, k.deadlines, k.polls, k.dispatching, k.seq];
    const keys = [...(await keysWithPttl()).keys()];
    const expected = new Set([
      ...fixed,
      k.rotation('adhoc', 0),
      k.shareList('adhoc', 0, ''),
      k.rotation('etl', 0),
      k.shareList('etl', 0, 'carol'),
    ]);
    for (const key of keys) {
      const rest = key.slice(k.base.length);
      const kind = kinds.find(([pattern]) => pattern.test(rest));
      if (kind !== undefined) expect(kind[1](rest.slice(2))).toBe(key);
      else expect(expected).toContain(key);
    }
    const present = [
      ...fixed,
      k.holder('trino_1'),
      k.slots('blue'),
      k.slots('green'),
      k.places('adhoc/per-user/alice'),
      k.tokens('adhoc/rate/x'),
      k.groupEntries('adhoc'),
      k.classes('etl'),
      k.rotation('etl', 0),
      k.shareList('etl', 0, 'carol'),
    ];
    for (const key of present) expect(keys).toContain(key);
  });

  test('every key has a TTL, so nothing outlives every replica', async () => {
    await workload(replicas[0]);
    const ttls = await keysWithPttl();
    console.log(
      [...ttls]
        .map(([k, t]) => `${t}\t${k}`)
        .sort()
        .join('\n'),
    );
    const without = [...ttls].filter(([, pttl]) => pttl < 0).map(([key]) => key);
    expect(without).toEqual([]);
    // And none is eternal in practice: the longest is a queued entry's maxWait + lease + 15 min retention.
    expect(Math.max(...ttls.values())).toBeLessThanOrEqual(60_000 + 30_000 + 15 * 60_000);
  });

  test('the scripts never read the server clock: time is the caller’s', () => {
    for (const lua of Object.values(SCRIPTS)) {
      expect(lua).not.toMatch(/'TIME'/);
    }
  });

  test('while Redis is down calls reject promptly; afterwards the store and its subscriptions work again', async () => {
    const [store, other] = replicas;
    const heard: string[] = [];
    await store.subscribe((id) => heard.push(id));
    const before = request({ candidates: [] });
    await other.admit(before);
    await other.fail(before.id, 'X', 'before', T0);
    await eventually(() => expect(heard).toEqual([before.id]));
    await fixture.server.stop();
    try {
      const calls: Array<() => Promise<unknown>> = [
        () => store.admit(request()),
        () => store.dispatch('adhoc', unlimited, 1, T0),
        () => store.release('x', T0),
        () => store.sweep({ abandonAfterMs: 1, dispatchTimeoutMs: 1, now: T0 }),
        () => store.snapshot(T0),
      ];
      for (const call of calls) {
        const started = Date.now();
        await expect(call()).rejects.toThrow();
        expect(Date.now() - started).toBeLessThan(REJECT_BOUND_MS);
      }
    } finally {
      await fixture.server.restart();
    }
    // The restart lost every key and every loaded script; the next calls load them again.
    await eventually(() => expect(store.admit(request())).resolves.toEqual({ outcome: 'run', cluster: 'blue' }));
    await eventually(async () => {
      const after = request({ candidates: [] });
      await other.admit(after);
      await other.fail(after.id, 'X', 'after', T0);
      await eventually(() => expect(heard).toContain(after.id), 500);
    });
  });
});
