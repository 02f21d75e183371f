// The leader's reconcile loop against an in-memory store and a fake apiserver: health is republished on
// every probe (probedAt advances), while `.status` is patched and Events are emitted only when what they
// show changes; queue counts are read on their own interval and patched the same way.
import { jest } from '@jest/globals';
import {
  API_VERSION,
  MemoryRegistryStore,
  type ProbeOutcome,
  type QueueSnapshot,
  type ResourceKind,
  silentLogger,
} from '@junction/shared';
import type { EventInput, KubeObject, StatusClient } from './kube-types.js';
import { OperatorMetrics } from './metrics.js';
import { Reconciler } from './reconcile.js';

const INTERVAL_SECONDS = 10;

/** An apiserver as the status writer sees it: a merge-patch replaces status fields and bumps resourceVersion. */
class FakeStatusClient implements StatusClient {
  readonly patches: { kind: ResourceKind; name: string; status: Record<string, unknown> }[] = [];
  readonly events: EventInput[] = [];
  private version = 1;

  constructor(private readonly objects: () => KubeObject[]) {}

  async patchStatus(kind: ResourceKind, name: string, status: Record<string, unknown>): Promise<KubeObject> {
    this.patches.push({ kind, name, status });
    const object = this.objects().find((candidate) => candidate.kind === kind && candidate.metadata.name === name);
    if (object === undefined) throw new Error(`no ${kind} ${name}`);
    // The watch delivers the patched object, so the cache shows the new status and resourceVersion.
    object.status = { ...object.status, ...structuredClone(status) };
    object.metadata.resourceVersion = String(++this.version);
    return structuredClone(object);
  }

  async createEvent(_kind: ResourceKind, _object: KubeObject, event: EventInput): Promise<void> {
    this.events.push(event);
  }
}

const cluster = (): KubeObject => ({
  apiVersion: API_VERSION,
  kind: 'TrinoCluster',
  metadata: { name: 'blue', generation: 1, resourceVersion: '1', labels: { pool: 'adhoc' } },
  spec: { url: 'http://trino-blue:8080', healthCheck: { intervalSeconds: INTERVAL_SECONDS } },
});

const group = (): KubeObject => ({
  apiVersion: API_VERSION,
  kind: 'RoutingGroup',
  metadata: { name: 'adhoc', generation: 1, resourceVersion: '1' },
  spec: { clusterSelector: { matchLabels: { pool: 'adhoc' } }, default: true },
});

let reconciler: Reconciler | undefined;

afterEach(async () => {
  await reconciler?.stop();
  reconciler = undefined;
  jest.useRealTimers();
});

test('a probe that changes only probedAt rewrites health in the store but patches no status and emits no Event', async () => {
  // Fake timers drive the monitor's probe interval and Date.now (probedAt); promises and microtasks stay real.
  jest.useFakeTimers({ now: 1_000_000, doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
  const clusters = [cluster()];
  const groups = [group()];
  const kube = new FakeStatusClient(() => [...clusters, ...groups]);
  const store = new MemoryRegistryStore();
  let probes = 0;
  let outcome: ProbeOutcome = { ok: true, starting: false, runningQueries: 1, queuedQueries: 0 };
  const probe = async (): Promise<ProbeOutcome> => {
    probes++;
    return outcome;
  };
  reconciler = new Reconciler({
    store,
    kube,
    clusters: () => clusters,
    groups: () => groups,
    isLeader: () => true,
    metrics: new OperatorMetrics(),
    logger: silentLogger(),
    probe,
  });

  reconciler.start();
  await jest.advanceTimersByTimeAsync(0);
  await reconciler.idle();
  expect(probes).toBe(1);
  expect((await store.readHealth()).get('blue')).toMatchObject({ phase: 'Healthy', probedAt: 1_000_000 });
  expect(kube.patches.map(({ kind, name }) => `${kind}/${name}`).sort()).toEqual([
    'RoutingGroup/adhoc',
    'TrinoCluster/blue',
  ]);
  expect(kube.events).toEqual([{ type: 'Normal', reason: 'Healthy', message: 'phase is Healthy' }]);
  const patches = kube.patches.length;

  for (const round of [1, 2]) {
    await jest.advanceTimersByTimeAsync(INTERVAL_SECONDS * 1000);
    await reconciler.idle();
    expect(probes).toBe(1 + round);
    expect((await store.readHealth()).get('blue')).toMatchObject({
      phase: 'Healthy',
      probedAt: 1_000_000 + round * INTERVAL_SECONDS * 1000,
    });
  }
  expect(kube.patches).toHaveLength(patches);
  expect(kube.events).toHaveLength(1);

  // What status shows is still written: the load changed, so the cluster's status is patched (the
  // group's, which shows no load, is not).
  outcome = { ok: true, starting: false, runningQueries: 5, queuedQueries: 2 };
  await jest.advanceTimersByTimeAsync(INTERVAL_SECONDS * 1000);
  await reconciler.idle();
  expect(kube.patches.slice(patches)).toEqual([
    { kind: 'TrinoCluster', name: 'blue', status: expect.objectContaining({ runningQueries: 5, queuedQueries: 2 }) },
  ]);
  expect(kube.events).toHaveLength(1);
});

test('queue counts reach status on the queue interval, and only the resource whose count changed is patched', async () => {
  jest.useFakeTimers({ now: 1_000_000, doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
  const clusters = [cluster()];
  const groups = [group()];
  const kube = new FakeStatusClient(() => [...clusters, ...groups]);
  let snapshot: QueueSnapshot = { running: new Map(), queued: new Map(), buckets: new Map() };
  let reads = 0;
  const queue = {
    snapshot: async () => {
      reads++;
      return snapshot;
    },
  };
  reconciler = new Reconciler({
    store: new MemoryRegistryStore(),
    kube,
    clusters: () => clusters,
    groups: () => groups,
    isLeader: () => true,
    metrics: new OperatorMetrics(),
    logger: silentLogger(),
    probe: async () => ({ ok: true, starting: false }),
    queue,
    queueIntervalMs: 1_000,
  });
  reconciler.start();
  await jest.advanceTimersByTimeAsync(0);
  await reconciler.idle();
  expect(reads).toBe(1);
  expect(clusters[0]?.status).toMatchObject({ admittedQueries: 0 });
  expect(groups[0]?.status).toMatchObject({ queuedQueries: 0 });
  const patches = kube.patches.length;

  // Unchanged counts: read again, nothing patched.
  await jest.advanceTimersByTimeAsync(1_000);
  await reconciler.idle();
  expect(reads).toBe(2);
  expect(kube.patches).toHaveLength(patches);

  snapshot = { running: new Map([['blue', 2]]), queued: new Map(), buckets: new Map() };
  await jest.advanceTimersByTimeAsync(1_000);
  await reconciler.idle();
  expect(kube.patches.slice(patches)).toEqual([
    { kind: 'TrinoCluster', name: 'blue', status: expect.objectContaining({ admittedQueries: 2 }) },
  ]);

  snapshot = { running: new Map([['blue', 2]]), queued: new Map([['adhoc', [1, 3]]]), buckets: new Map() };
  await jest.advanceTimersByTimeAsync(1_000);
  await reconciler.idle();
  expect(kube.patches.slice(patches + 1)).toEqual([
    { kind: 'RoutingGroup', name: 'adhoc', status: expect.objectContaining({ queuedQueries: 4 }) },
  ]);
});
