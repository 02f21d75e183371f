// The QueueStore contract, part 2 (admission limits, maxQueued, cancel and fail, reads, subscribe, bytes),
// run against every implementation; part 1 is queue-store.contract.test.ts.
import {
  haRedisQueueStores,
  memoryQueueStores,
  type QueueStoreSubject,
  redisQueueStores,
  request,
  T0,
} from '../../../../test/harness/queue-stores.js';
import { untilPasses as eventually } from '../../../../test/harness/wait.js';
import type { AdmissionCheck, QueueStore } from '../../contract/queue-store.js';

const unlimited = [{ cluster: 'big', limit: undefined }];

function check(overrides: Partial<AdmissionCheck>): AdmissionCheck {
  return {
    bucket: 'adhoc/per-user/alice',
    maxConcurrent: undefined,
    maxPerSecond: undefined,
    burst: 1,
    onExceed: 'Reject',
    ...overrides,
  };
}

function admissionContract(subject: QueueStoreSubject): void {
  describe(`QueueStore contract (admission, entries, reads): ${subject.name}`, () => {
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

    test('maxQueued rejects one more entry with a message naming the group; nothing is stored', async () => {
      await store.admit(request());
      const limits = { maxQueued: 2, priority: 1, admission: [check({ maxConcurrent: 9 })] };
      await store.admit(request(limits));
      await store.admit(request(limits));
      const before = await store.snapshot(T0);
      const rejected = request(limits);
      await expect(store.admit(rejected)).resolves.toEqual({
        outcome: 'rejected',
        reason: 'queue-full',
        message: 'Routing group "adhoc" already has 2 queued queries (its queue.maxQueued is 2)',
      });
      expect(await store.snapshot(T0)).toEqual(before);
      expect(before.buckets).toEqual(new Map([['adhoc/per-user/alice', 2]]));
      await expect(store.poll(rejected.id, T0)).resolves.toBeUndefined();
      // A query that runs now is never rejected for a full queue (class 0 has nobody waiting ahead of it).
      await expect(store.admit(request({ maxQueued: 2, priority: 0, candidates: unlimited }))).resolves.toEqual({
        outcome: 'run',
        cluster: 'big',
      });
    });

    test('maxConcurrent Reject: over the limit fails at once, counting running and admitted-waiting', async () => {
      const limit = [check({ maxConcurrent: 2 })];
      const running = request({ admission: limit });
      await expect(store.admit(running)).resolves.toEqual({ outcome: 'run', cluster: 'blue' });
      // Waiting in class 1 it holds a place, and leaves class 0 free to run at once.
      await expect(store.admit(request({ admission: limit, priority: 1 }))).resolves.toEqual({ outcome: 'queued' });
      await expect(store.admit(request({ admission: limit, candidates: unlimited }))).resolves.toEqual({
        outcome: 'rejected',
        reason: 'admission',
        message: 'Admission limit "adhoc/per-user/alice" allows at most 2 concurrent queries',
      });
      expect((await store.snapshot(T0)).buckets).toEqual(new Map([['adhoc/per-user/alice', 2]]));
      // Another bucket is not affected.
      const bob = [check({ bucket: 'adhoc/per-user/bob', maxConcurrent: 2 })];
      await expect(store.admit(request({ admission: bob, candidates: unlimited }))).resolves.toMatchObject({
        outcome: 'run',
      });
      await store.release(running.id, T0 + 1);
      await expect(store.admit(request({ admission: limit, candidates: unlimited, now: T0 + 2 }))).resolves.toEqual({
        outcome: 'run',
        cluster: 'big',
      });
    });

    test('maxConcurrent Queue: held back even with a free slot, dispatched once the bucket has room', async () => {
      const limit = [check({ maxConcurrent: 1, onExceed: 'Queue' })];
      const running = request({ admission: limit, candidates: unlimited });
      await store.admit(running);
      const held = request({ admission: limit, candidates: unlimited });
      await expect(store.admit(held)).resolves.toEqual({ outcome: 'queued' });
      // Held back, it holds no place; bob's query queues behind it (same class) but is not blocked by it.
      expect((await store.snapshot(T0)).buckets).toEqual(new Map([['adhoc/per-user/alice', 1]]));
      const bob = request({ shareKey: 'bob', candidates: unlimited });
      await expect(store.admit(bob)).resolves.toEqual({ outcome: 'queued' });
      const first = await store.dispatch('adhoc', unlimited, 30_000, T0 + 1);
      expect(first.map((d) => d.id)).toEqual([bob.id]);
      await store.release(running.id, T0 + 2);
      const second = await store.dispatch('adhoc', unlimited, 30_000, T0 + 3);
      expect(second.map((d) => d.id)).toEqual([held.id]);
      expect((await store.snapshot(T0 + 3)).buckets).toEqual(new Map([['adhoc/per-user/alice', 1]]));
    });

    test('rate limit Reject: a burst, then one token per 1/rate seconds, judged by now', async () => {
      const limit = [check({ maxPerSecond: 1, burst: 2 })];
      const at = (now: number) => store.admit(request({ admission: limit, candidates: unlimited, now }));
      await expect(at(T0)).resolves.toMatchObject({ outcome: 'run' });
      await expect(at(T0)).resolves.toMatchObject({ outcome: 'run' });
      await expect(at(T0)).resolves.toEqual({
        outcome: 'rejected',
        reason: 'admission',
        message: 'Admission limit "adhoc/per-user/alice" allows at most 1 queries per second (burst 2)',
      });
      await expect(at(T0 + 999)).resolves.toMatchObject({ outcome: 'rejected' });
      await expect(at(T0 + 1_000)).resolves.toMatchObject({ outcome: 'run' });
      await expect(at(T0 + 1_500)).resolves.toMatchObject({ outcome: 'rejected' });
      // Idle long enough, the bucket is full again but never holds more than its burst.
      await expect(at(T0 + 60_000)).resolves.toMatchObject({ outcome: 'run' });
      await expect(at(T0 + 60_000)).resolves.toMatchObject({ outcome: 'run' });
      await expect(at(T0 + 60_000)).resolves.toMatchObject({ outcome: 'rejected' });
    });

    test('rate limit Queue: a held-back entry is dispatched once a token has refilled', async () => {
      const limit = [check({ maxPerSecond: 0.5, burst: 1, onExceed: 'Queue' })];
      await expect(store.admit(request({ admission: limit, candidates: unlimited }))).resolves.toMatchObject({
        outcome: 'run',
      });
      const held = request({ admission: limit, candidates: unlimited, now: T0 + 100 });
      await expect(store.admit(held)).resolves.toEqual({ outcome: 'queued' });
      await expect(store.dispatch('adhoc', unlimited, 30_000, T0 + 1_999)).resolves.toEqual([]);
      const dispatched = await store.dispatch('adhoc', unlimited, 30_000, T0 + 2_000);
      expect(dispatched.map((d) => d.id)).toEqual([held.id]);
      // The refilled token went to the entry that waited; a newcomer at the same time is held back.
      const late = request({ admission: limit, candidates: unlimited, now: T0 + 2_000 });
      await expect(store.admit(late)).resolves.toEqual({ outcome: 'queued' });
      await expect(store.dispatch('adhoc', unlimited, 30_000, T0 + 3_999)).resolves.toEqual([]);
      await expect(store.dispatch('adhoc', unlimited, 30_000, T0 + 4_000)).resolves.toHaveLength(1);
    });

    test('a Reject limit over rejects even when a Queue limit is over too; nothing is counted', async () => {
      const limits = [
        check({ bucket: 'adhoc/per-source/cli', maxConcurrent: 1, onExceed: 'Queue' }),
        check({ maxConcurrent: 1 }),
      ];
      await store.admit(request({ admission: limits, candidates: unlimited }));
      const before = await store.snapshot(T0);
      await expect(store.admit(request({ admission: limits, candidates: unlimited }))).resolves.toMatchObject({
        outcome: 'rejected',
        reason: 'admission',
        message: expect.stringContaining('"adhoc/per-user/alice"'),
      });
      expect(await store.snapshot(T0)).toEqual(before);
    });

    test('cancel removes a queued entry and its places; after dispatch it is refused', async () => {
      await store.admit(request());
      const limit = [check({ maxConcurrent: 5 })];
      const cancelled = request({ admission: limit });
      const dispatched = request({ admission: limit });
      await store.admit(cancelled);
      await store.admit(dispatched);
      await expect(store.cancel(cancelled.id, T0 + 1)).resolves.toBe(true);
      await expect(store.cancel(cancelled.id, T0 + 1)).resolves.toBe(false);
      await expect(store.poll(cancelled.id, T0 + 1)).resolves.toBeUndefined();
      expect((await store.snapshot(T0 + 1)).buckets).toEqual(new Map([['adhoc/per-user/alice', 1]]));
      const taken = await store.dispatch('adhoc', unlimited, 30_000, T0 + 2);
      expect(taken.map((d) => d.id)).toEqual([dispatched.id]);
      await expect(store.cancel(dispatched.id, T0 + 3)).resolves.toBe(false);
      await expect(store.poll(dispatched.id, T0 + 3)).resolves.toMatchObject({ state: 'dispatching' });
      await expect(store.cancel('never-admitted', T0 + 3)).resolves.toBe(false);
    });

    test('fail frees what the entry holds and reports the cluster of a dispatched one', async () => {
      await store.admit(request());
      const limit = [check({ maxConcurrent: 5 })];
      const queued = request({ admission: limit });
      const sent = request({ admission: limit });
      await store.admit(sent);
      await store.admit(queued);
      await store.dispatch('adhoc', [{ cluster: 'green', limit: 1 }], 30_000, T0 + 1);
      await expect(store.fail(sent.id, 'CLUSTER_WAKE_TIMEOUT', 'green did not wake', T0 + 2)).resolves.toEqual({
        cluster: 'green',
      });
      await expect(store.fail(queued.id, 'NO_CLUSTER', 'nothing routable', T0 + 2)).resolves.toEqual({
        cluster: undefined,
      });
      await expect(store.fail(queued.id, 'AGAIN', 'already failed', T0 + 3)).resolves.toEqual({ cluster: undefined });
      await expect(store.fail('unknown', 'X', 'y', T0 + 3)).resolves.toEqual({ cluster: undefined });
      await expect(store.poll(sent.id, T0 + 4)).resolves.toEqual({
        state: 'failed',
        group: 'adhoc',
        errorName: 'CLUSTER_WAKE_TIMEOUT',
        message: 'green did not wake',
        enqueuedAt: T0,
      });
      await expect(store.poll(queued.id, T0 + 4)).resolves.toMatchObject({ errorName: 'NO_CLUSTER' });
      const snapshot = await store.snapshot(T0 + 4);
      expect(snapshot).toEqual({ running: new Map([['blue', 1]]), queued: new Map(), buckets: new Map() });
      await store.forget(queued.id);
      await expect(store.poll(queued.id, T0 + 5)).resolves.toBeUndefined();
    });

    test('forget leaves queued and dispatching entries alone; an id in use is refused', async () => {
      const running = request();
      await store.admit(running);
      const queued = request();
      await store.admit(queued);
      await store.forget(queued.id);
      await expect(store.poll(queued.id, T0)).resolves.toMatchObject({ state: 'queued' });
      await expect(store.admit(request({ id: queued.id }))).rejects.toThrow(/already in use/);
      await expect(store.admit(request({ id: running.id }))).rejects.toThrow(/already in use/);
    });

    test('snapshot, list and queuedGroups show what is counted and queued', async () => {
      await store.admit(request({ admission: [check({ maxConcurrent: 3 })] }));
      const entries = [
        request({
          priority: 2,
          shareKey: 'bob',
          info: { user: 'bob', source: 's', sql: 'SELECT 2', className: 'low' },
        }),
        request({ group: 'etl', candidates: [] }),
        request({ priority: 0, now: T0 + 1, admission: [check({ maxConcurrent: 3 })] }),
        request({ priority: 2, now: T0 + 2 }),
      ];
      for (const entry of entries) await store.admit(entry);
      await store.dispatch('etl', [{ cluster: 'green', limit: 1 }], 30_000, T0 + 3);
      const snapshot = await store.snapshot(T0 + 3);
      expect(snapshot).toEqual({
        running: new Map([
          ['blue', 1],
          ['green', 1],
        ]),
        queued: new Map([['adhoc', [1, 0, 2]]]),
        buckets: new Map([['adhoc/per-user/alice', 2]]),
      });
      await expect(store.queuedGroups()).resolves.toEqual(['adhoc']);
      const all = await store.list(undefined, 10);
      expect(all.map((entry) => entry.id)).toEqual(entries.map((entry) => entry.id));
      expect(all[0]).toEqual({
        id: entries[0]?.id,
        group: 'adhoc',
        priority: 2,
        shareKey: 'bob',
        state: 'queued',
        enqueuedAt: T0,
        user: 'bob',
        source: 's',
        sql: 'SELECT 2',
        className: 'low',
      });
      expect(all[1]).toMatchObject({ group: 'etl', state: 'dispatching' });
      await expect(store.list('adhoc', 2)).resolves.toEqual([all[0], all[2]]);
      await expect(store.list('etl', 10)).resolves.toEqual([all[1]]);
      await expect(store.list('nobody', 10)).resolves.toEqual([]);
      await expect(store.list(undefined, 0)).resolves.toEqual([]);
    });

    test('payloads and responses are bytes: every byte value round-trips', async () => {
      await store.admit(request());
      const bytes = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7) % 256));
      const entry = request({ payload: bytes });
      await store.admit(entry);
      bytes[0] = 1; // the store kept its own copy
      const [dispatched] = await store.dispatch('adhoc', unlimited, 30_000, T0 + 1);
      expect(dispatched?.payload.equals(Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7) % 256)))).toBe(true);
      const response = Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x0a, 0x0d]);
      await store.complete(entry.id, response, T0 + 2);
      const state = await store.poll(entry.id, T0 + 3);
      expect(state?.state === 'released' && state.response.equals(response)).toBe(true);
    });

    test('subscribe hears released and failed entries, from another replica too, until unsubscribed', async () => {
      const heard: string[] = [];
      const witness: string[] = [];
      const unsubscribe = await store.subscribe((id) => heard.push(id));
      await store.subscribe((id) => witness.push(id));
      const other = fixture.open();
      await other.admit(request());
      const [completed, failed, expired] = [request(), request(), request({ maxWaitMs: 1_000 })];
      for (const entry of [completed, failed, expired]) await other.admit(entry);
      await other.dispatch('adhoc', [{ cluster: 'green', limit: 2 }], 30_000, T0 + 1);
      await other.complete(completed.id, Buffer.from('ok'), T0 + 2);
      await other.fail(failed.id, 'X', 'failed', T0 + 2);
      await other.sweep({ abandonAfterMs: 300_000, dispatchTimeoutMs: 60_000, now: T0 + 1_000 });
      const settled = [completed.id, failed.id, expired.id];
      await eventually(() => expect(heard).toEqual(settled));
      await unsubscribe();
      const last = request({ candidates: [] });
      await other.admit(last);
      await other.fail(last.id, 'X', 'after unsubscribe', T0 + 3);
      await eventually(() => expect(witness).toEqual([...settled, last.id]));
      expect(heard).toEqual(settled);
    });

    test('after close, subscribe rejects and listeners hear nothing', async () => {
      const heard: string[] = [];
      await store.subscribe((id) => heard.push(id));
      const other = fixture.open();
      const witnessed: string[] = [];
      const witness = subject.kind === 'redis' ? fixture.open() : undefined;
      await witness?.subscribe((id) => witnessed.push(id));
      await store.close();
      await expect(store.subscribe(() => {})).rejects.toThrow(/closed/);
      const entry = request({ candidates: [] });
      await other.admit(entry);
      await other.fail(entry.id, 'X', 'y', T0);
      if (witness === undefined) await new Promise((resolve) => setImmediate(resolve));
      else await eventually(() => expect(witnessed).toEqual([entry.id]));
      expect(heard).toEqual([]);
    });
  });
}

admissionContract(memoryQueueStores);
admissionContract(redisQueueStores());
admissionContract(haRedisQueueStores('sentinel'));
admissionContract(haRedisQueueStores('cluster'));
