// The QueueStore contract, part 1 (slots, queue order, sweep, leases), run against every implementation;
// part 2 (admission, entry life, reads, subscribe) is queue-store-admission.contract.test.ts.
import {
  haRedisQueueStores,
  memoryQueueStores,
  type QueueStoreSubject,
  redisQueueStores,
  request,
  T0,
} from '../../../../test/harness/queue-stores.js';
import type { QueueStore } from '../../contract/queue-store.js';
import { QUEUE_DISPATCH_TIMEOUT, QUEUE_WAIT_EXCEEDED } from './queue-rules.js';

const SWEEP = { abandonAfterMs: 300_000, dispatchTimeoutMs: 60_000 };
const blue1 = [{ cluster: 'blue', limit: 1 }];

function slotsAndOrderContract(subject: QueueStoreSubject): void {
  describe(`QueueStore contract (slots, order, sweep, leases): ${subject.name}`, () => {
    let fixture: Awaited<ReturnType<QueueStoreSubject['setup']>>;
    let store: QueueStore;
    beforeAll(async () => {
      fixture = await subject.setup();
    }, 60_000);
    afterAll(() => fixture.close());
    beforeEach(() => {
      store = fixture.open();
    });
    afterEach(() => fixture.release());

    /** Queues entries behind one running query on `blue` (limit 1); returns the running query's id. */
    async function fill(): Promise<string> {
      const running = request();
      await expect(store.admit(running)).resolves.toEqual({ outcome: 'run', cluster: 'blue' });
      return running.id;
    }

    test('limit 1: the second query queues; after release, dispatch hands it the slot', async () => {
      const first = await fill();
      const second = request();
      await expect(store.admit(second)).resolves.toEqual({ outcome: 'queued' });
      await expect(store.dispatch('adhoc', blue1, 30_000, T0 + 1)).resolves.toEqual([]);
      await expect(store.release(first, T0 + 2)).resolves.toEqual({ cluster: 'blue' });
      await expect(store.release(first, T0 + 2)).resolves.toEqual({ cluster: undefined });
      const dispatched = await store.dispatch('adhoc', blue1, 30_000, T0 + 3);
      expect(dispatched).toEqual([{ id: second.id, cluster: 'blue', payload: second.payload, enqueuedAt: T0 }]);
      await expect(store.poll(second.id, T0 + 4)).resolves.toEqual({
        state: 'dispatching',
        group: 'adhoc',
        cluster: 'blue',
        enqueuedAt: T0,
      });
      await expect(store.dispatch('adhoc', blue1, 30_000, T0 + 5)).resolves.toEqual([]);
      expect((await store.snapshot(T0 + 5)).running).toEqual(new Map([['blue', 1]]));
    });

    test('the first candidate with room is taken; none with room, or none at all, queues', async () => {
      const candidates = [
        { cluster: 'blue', limit: 1 },
        { cluster: 'green', limit: 2 },
      ];
      const outcomes = [];
      for (let i = 0; i < 3; i++) outcomes.push(await store.admit(request({ candidates })));
      expect(outcomes).toEqual([
        { outcome: 'run', cluster: 'blue' },
        { outcome: 'run', cluster: 'green' },
        { outcome: 'run', cluster: 'green' },
      ]);
      await expect(store.admit(request({ candidates }))).resolves.toEqual({ outcome: 'queued' });
      await expect(store.admit(request({ group: 'etl', candidates: [] }))).resolves.toEqual({ outcome: 'queued' });
      await expect(store.admit(request({ group: 'zero', candidates: [{ cluster: 'z', limit: 0 }] }))).resolves.toEqual({
        outcome: 'queued',
      });
      expect((await store.snapshot(T0)).running).toEqual(
        new Map([
          ['blue', 1],
          ['green', 2],
        ]),
      );
    });

    test('unlimited candidates always have room, and every query on them is counted', async () => {
      const candidates = [{ cluster: 'big', limit: undefined }];
      for (let i = 0; i < 25; i++) {
        await expect(store.admit(request({ candidates }))).resolves.toEqual({ outcome: 'run', cluster: 'big' });
      }
      expect((await store.snapshot(T0)).running).toEqual(new Map([['big', 25]]));
    });

    test('FIFO within a class and a share key', async () => {
      await fill();
      const queued = [request(), request(), request(), request()];
      for (const entry of queued) await store.admit(entry);
      const first = await store.dispatch('adhoc', [{ cluster: 'green', limit: 1 }], 30_000, T0 + 1);
      expect(first.map((d) => d.id)).toEqual([queued[0]?.id]);
      const rest = await store.dispatch('adhoc', [{ cluster: 'green', limit: 10 }], 30_000, T0 + 2);
      expect(rest.map((d) => d.id)).toEqual(queued.slice(1).map((entry) => entry.id));
    });

    test('classes: a newcomer of a higher class overtakes queued lower ones; same or lower never does', async () => {
      const running = await fill();
      const low = request({ priority: 1 });
      await store.admit(low);
      // The slot is free again, but nobody has dispatched yet: exactly when a newcomer could jump the line.
      await store.release(running, T0 + 1);
      await expect(store.admit(request({ priority: 1, now: T0 + 2 }))).resolves.toEqual({ outcome: 'queued' });
      await expect(store.admit(request({ priority: 2, now: T0 + 2 }))).resolves.toEqual({ outcome: 'queued' });
      const urgent = request({ priority: 0, now: T0 + 3 });
      await expect(store.admit(urgent)).resolves.toEqual({ outcome: 'run', cluster: 'blue' });
      await store.release(urgent.id, T0 + 4);
      // Queued in class 2 first, then class 1, then class 0 again: dispatch serves 0, 1, 2.
      const top = request({ priority: 0, now: T0 + 5 });
      await store.admit(request({ priority: 0, now: T0 + 5, candidates: [] }));
      await store.admit(top);
      const order = await store.dispatch('adhoc', [{ cluster: 'blue', limit: 10 }], 30_000, T0 + 6);
      expect(order.map((d) => d.id).slice(0, 2)).not.toContain(low.id);
      expect(order.map((d) => d.id)[2]).toBe(low.id);
      expect(order).toHaveLength(5);
    });

    test('fair share: with 50 queued for A and 1 for B, B is among the next two dispatched', async () => {
      await fill();
      const a = [];
      for (let i = 0; i < 50; i++) a.push(request({ shareKey: 'alice' }));
      for (const entry of a) await store.admit(entry);
      const b = request({ shareKey: 'bob', now: T0 + 1 });
      await store.admit(b);
      const next = [];
      for (let i = 0; i < 2; i++)
        next.push(...(await store.dispatch('adhoc', [{ cluster: `c${i}`, limit: 1 }], 1, T0)));
      expect(next.map((d) => d.id)).toContain(b.id);
      expect(next.map((d) => d.id)).toContain(a[0]?.id);
      // Turns alternate between keys that still have entries, FIFO within each.
      const c = [request({ shareKey: 'carol' }), request({ shareKey: 'carol' })];
      for (const entry of c) await store.admit(entry);
      const more = await store.dispatch('adhoc', [{ cluster: 'big', limit: undefined }], 1, T0, 5);
      expect(more.map((d) => d.id)).toEqual([a[1]?.id, c[0]?.id, a[2]?.id, c[1]?.id, a[3]?.id]);
    });

    test('dispatch stops when no candidate has room and honours max', async () => {
      await fill();
      for (let i = 0; i < 5; i++) await store.admit(request());
      await expect(store.dispatch('adhoc', [{ cluster: 'green', limit: 2 }], 1, T0)).resolves.toHaveLength(2);
      await expect(store.dispatch('adhoc', [{ cluster: 'green', limit: 9 }], 1, T0, 1)).resolves.toHaveLength(1);
      await expect(store.dispatch('adhoc', [{ cluster: 'green', limit: 9 }], 1, T0, 0)).resolves.toEqual([]);
      await expect(store.dispatch('adhoc', [], 1, T0)).resolves.toEqual([]);
      await expect(store.dispatch('nobody', blue1, 1, T0)).resolves.toEqual([]);
      expect((await store.snapshot(T0)).queued).toEqual(new Map([['adhoc', [2]]]));
    });

    test('maxWait: sweep fails an entry that waited too long, and the poll reports it', async () => {
      await fill();
      const late = request({ maxWaitMs: 10_000 });
      await store.admit(late);
      await expect(store.sweep({ ...SWEEP, now: T0 + 9_999 })).resolves.toMatchObject({ expired: 0 });
      await expect(store.sweep({ ...SWEEP, now: T0 + 10_000 })).resolves.toEqual({
        freed: [],
        expired: 1,
        abandoned: 0,
        stuck: 0,
      });
      await expect(store.poll(late.id, T0 + 10_001)).resolves.toEqual({
        state: 'failed',
        group: 'adhoc',
        errorName: QUEUE_WAIT_EXCEEDED,
        message: expect.stringMatching(/"adhoc".*maxWait of 10 s/),
        enqueuedAt: T0,
      });
      await expect(store.queuedGroups()).resolves.toEqual([]);
      await expect(store.list(undefined, 10)).resolves.toEqual([]);
      await expect(store.dispatch('adhoc', [{ cluster: 'green', limit: 5 }], 1, T0 + 10_002)).resolves.toEqual([]);
    });

    test('abandonment: entries nobody polled for abandonAfterMs are removed', async () => {
      await fill();
      const polled = request();
      const forgotten = request();
      await store.admit(polled);
      await store.admit(forgotten);
      await store.poll(polled.id, T0 + 5_000);
      const options = { ...SWEEP, abandonAfterMs: 10_000 };
      await expect(store.sweep({ ...options, now: T0 + 9_999 })).resolves.toMatchObject({ abandoned: 0 });
      await expect(store.sweep({ ...options, now: T0 + 10_000 })).resolves.toMatchObject({ abandoned: 1 });
      await expect(store.poll(forgotten.id, T0 + 10_001)).resolves.toBeUndefined();
      await expect(store.list('adhoc', 10)).resolves.toEqual([expect.objectContaining({ id: polled.id })]);
      // A released answer nobody fetched goes the same way.
      const [dispatched] = await store.dispatch('adhoc', [{ cluster: 'green', limit: 1 }], 60_000, T0 + 10_002);
      expect(dispatched?.id).toBe(polled.id);
      await expect(store.sweep({ ...options, now: T0 + 15_000 - 1 })).resolves.toMatchObject({ abandoned: 0 });
      await expect(store.complete(polled.id, Buffer.from('{}'), T0 + 10_003)).resolves.toBe(true);
      // Its last poll was at T0 + 5 s: while dispatching it is never abandoned, once released it is.
      await expect(store.sweep({ ...options, now: T0 + 15_000 })).resolves.toMatchObject({ abandoned: 1 });
      await expect(store.poll(polled.id, T0 + 15_001)).resolves.toBeUndefined();
    });

    test('a dispatch its replica never completed fails as stuck and gives its slot back', async () => {
      await fill();
      const entry = request();
      await store.admit(entry);
      await store.dispatch('adhoc', [{ cluster: 'green', limit: 1 }], 120_000, T0 + 1_000);
      const options = { ...SWEEP, dispatchTimeoutMs: 5_000 };
      await expect(store.sweep({ ...options, now: T0 + 5_999 })).resolves.toMatchObject({ stuck: 0 });
      await expect(store.sweep({ ...options, now: T0 + 6_000 })).resolves.toEqual({
        freed: ['green'],
        expired: 0,
        abandoned: 0,
        stuck: 1,
      });
      await expect(store.poll(entry.id, T0 + 6_001)).resolves.toMatchObject({
        state: 'failed',
        errorName: QUEUE_DISPATCH_TIMEOUT,
        message: expect.stringContaining('"green"'),
      });
      await expect(store.complete(entry.id, Buffer.from('late'), T0 + 6_002)).resolves.toBe(false);
      expect((await store.snapshot(T0 + 6_002)).running).toEqual(new Map([['blue', 1]]));
    });

    test('leases: a slot not renewed frees itself; renew keeps it', async () => {
      const kept = request({ candidates: [{ cluster: 'blue', limit: 2 }] });
      const lost = request({ candidates: [{ cluster: 'blue', limit: 2 }] });
      await store.admit(kept);
      await store.admit(lost);
      await store.renew(kept.id, 30_000, T0 + 20_000);
      await expect(store.sweep({ ...SWEEP, now: T0 + 29_999 })).resolves.toMatchObject({ freed: [] });
      // Expired is not counted even before a sweep has removed it.
      expect((await store.snapshot(T0 + 30_000)).running).toEqual(new Map([['blue', 1]]));
      await expect(store.sweep({ ...SWEEP, now: T0 + 30_000 })).resolves.toMatchObject({ freed: ['blue'] });
      await store.renew(lost.id, 30_000, T0 + 30_001);
      await expect(store.release(lost.id, T0 + 30_001)).resolves.toEqual({ cluster: undefined });
      await expect(store.sweep({ ...SWEEP, now: T0 + 49_999 })).resolves.toMatchObject({ freed: [] });
      expect((await store.snapshot(T0 + 49_999)).running).toEqual(new Map([['blue', 1]]));
      // A lease that ran out cannot be renewed back: its place may already be someone else's.
      await store.renew(kept.id, 30_000, T0 + 50_000);
      expect((await store.snapshot(T0 + 50_001)).running).toEqual(new Map());
      await expect(store.sweep({ ...SWEEP, now: T0 + 50_001 })).resolves.toMatchObject({ freed: ['blue'] });
    });

    test("bind moves the slot to the cluster's query id; release by the old id is then a no-op", async () => {
      const check = { bucket: 'adhoc/user/alice', maxConcurrent: 5, maxPerSecond: undefined, burst: 1 };
      const query = request({ admission: [{ ...check, onExceed: 'Reject' }] });
      await store.admit(query);
      await store.bind(query.id, 'trino_query_1', 60_000, T0 + 10_000);
      await expect(store.release(query.id, T0 + 10_001)).resolves.toEqual({ cluster: undefined });
      const snapshot = await store.snapshot(T0 + 69_999);
      expect(snapshot.running).toEqual(new Map([['blue', 1]]));
      expect(snapshot.buckets).toEqual(new Map([['adhoc/user/alice', 1]]));
      await store.bind(query.id, 'trino_query_2', 60_000, T0 + 10_002);
      await store.renew('trino_query_1', 60_000, T0 + 60_000);
      await expect(store.release('trino_query_1', T0 + 100_000)).resolves.toEqual({ cluster: 'blue' });
      await expect(store.release('trino_query_1', T0 + 100_001)).resolves.toEqual({ cluster: undefined });
      const after = await store.snapshot(T0 + 100_001);
      expect(after.running).toEqual(new Map());
      expect(after.buckets).toEqual(new Map());
      // An expired lease is not moved by bind either.
      const expired = request({ leaseMs: 1_000 });
      await store.admit(expired);
      await store.bind(expired.id, 'trino_query_3', 60_000, T0 + 1_000);
      await expect(store.release('trino_query_3', T0 + 1_001)).resolves.toEqual({ cluster: undefined });
      await expect(store.release(expired.id, T0 + 1_001)).resolves.toEqual({ cluster: 'blue' });
    });

    test("tracked lists a cluster's bound, live queries by bind time; renew keeps the time", async () => {
      const three = [{ cluster: 'blue', limit: 3 }];
      const [late, early, unbound] = [request({ candidates: three }), request({ candidates: three }), request()];
      for (const query of [late, early, unbound]) await store.admit({ ...query, candidates: three });
      await store.admit(request({ candidates: [{ cluster: 'green', limit: 1 }] }));
      await store.bind(early.id, 'trino_early', 30_000, T0 + 1_000);
      await store.bind(late.id, 'trino_late', 30_000, T0 + 2_000);
      await store.renew('trino_early', 30_000, T0 + 3_000);
      await expect(store.tracked('blue', T0 + 3_000)).resolves.toEqual([
        { queryId: 'trino_early', since: T0 + 1_000 },
        { queryId: 'trino_late', since: T0 + 2_000 },
      ]);
      await expect(store.tracked('green', T0 + 3_000)).resolves.toEqual([]);
      // The late one's lease ran out (not yet swept): no longer counted, so not tracked.
      await expect(store.tracked('blue', T0 + 32_000)).resolves.toEqual([
        { queryId: 'trino_early', since: T0 + 1_000 },
      ]);
      await store.release('trino_early', T0 + 32_001);
      await expect(store.tracked('blue', T0 + 32_001)).resolves.toEqual([]);
    });

    test('a dispatched entry is bound like a direct run once its POST was answered', async () => {
      await fill();
      const entry = request();
      await store.admit(entry);
      await store.dispatch('adhoc', [{ cluster: 'green', limit: 1 }], 30_000, T0 + 1);
      await expect(store.complete(entry.id, Buffer.from('answer'), T0 + 2)).resolves.toBe(true);
      await expect(store.complete(entry.id, Buffer.from('again'), T0 + 3)).resolves.toBe(false);
      await store.bind(entry.id, 'trino_dispatched', 30_000, T0 + 3);
      await expect(store.release(entry.id, T0 + 4)).resolves.toEqual({ cluster: undefined });
      await expect(store.release('trino_dispatched', T0 + 5)).resolves.toEqual({ cluster: 'green' });
      await expect(store.poll(entry.id, T0 + 6)).resolves.toEqual({
        state: 'released',
        group: 'adhoc',
        cluster: 'green',
        response: Buffer.from('answer'),
        enqueuedAt: T0,
        releasedAt: T0 + 2,
      });
      await store.forget(entry.id);
      await expect(store.poll(entry.id, T0 + 7)).resolves.toBeUndefined();
    });
  });
}

slotsAndOrderContract(memoryQueueStores);
slotsAndOrderContract(redisQueueStores());
slotsAndOrderContract(haRedisQueueStores('sentinel'));
slotsAndOrderContract(haRedisQueueStores('cluster'));
