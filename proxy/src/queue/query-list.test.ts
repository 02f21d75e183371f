// The query list reconciliation against a simulated coordinator on a real socket and the in-process
// store: queries the cluster reports done are freed at once, unlisted ones only after the grace
// period, running ones never, and nothing is freed while the list cannot be read.
import {
  API_VERSION,
  buildRegistry,
  createLogger,
  MemoryQueueStore,
  type Registry,
  RoutingGroup,
  TrinoCluster,
} from '@junction/shared';
import { Registry as PromRegistry } from 'prom-client';
import { SimTrino } from '../../../test/fixtures/sim-trino.js';
import { QueueMetrics } from './metrics.js';
import { endedBy, fetchQueryList, QueryListReconciler } from './query-list.js';

const T0 = 1_700_000_000_000;
const GRACE = 10_000;

function registryFor(url: string): Registry {
  return buildRegistry({
    clusters: [
      TrinoCluster.parse({
        apiVersion: API_VERSION,
        kind: 'TrinoCluster',
        metadata: { name: 'blue', labels: { pool: 'adhoc' } },
        spec: { url, maxRunningQueries: 10 },
      }),
    ],
    groups: [
      RoutingGroup.parse({
        apiVersion: API_VERSION,
        kind: 'RoutingGroup',
        metadata: { name: 'adhoc' },
        spec: { clusterSelector: { matchLabels: { pool: 'adhoc' } }, default: true },
      }),
    ],
    defaultRoutingGroup: 'adhoc',
    generation: 1,
  });
}

async function submit(sim: SimTrino): Promise<string> {
  const response = await fetch(`${sim.url}/v1/statement`, {
    method: 'POST',
    headers: { 'X-Trino-User': 'alice' },
    body: 'SELECT 1 -- sim:pages=5',
  });
  return ((await response.json()) as { id: string }).id;
}

describe('QueryListReconciler', () => {
  let sim: SimTrino;
  let store: MemoryQueueStore;
  let prom: PromRegistry;
  let now = T0;
  let reconciler: QueryListReconciler;
  let serial = 0;

  /** A slot on blue bound to `queryId` at `at`. */
  async function track(queryId: string, at: number): Promise<void> {
    const id = `20250101_000000_${String(++serial).padStart(5, '0')}_jqtest`;
    const admitted = await store.admit({
      id,
      group: 'adhoc',
      priority: 0,
      shareKey: '',
      candidates: [{ cluster: 'blue', limit: 10 }],
      admission: [],
      maxQueued: 10,
      maxWaitMs: 60_000,
      leaseMs: 300_000,
      payload: Buffer.alloc(0),
      info: { user: 'alice', source: '', sql: '', className: 'default' },
      now: at,
    });
    expect(admitted).toEqual({ outcome: 'run', cluster: 'blue' });
    await store.bind(id, queryId, 300_000, at);
  }

  const trackedIds = async () => (await store.tracked('blue', now)).map((query) => query.queryId);

  beforeAll(async () => {
    sim = await SimTrino.start({ name: 'blue' });
  });
  afterAll(() => sim.close());
  beforeEach(() => {
    store = new MemoryQueueStore();
    prom = new PromRegistry();
    now = T0;
    const registry = registryFor(sim.url);
    reconciler = new QueryListReconciler({
      store,
      registry: () => registry,
      release: async (queryId) => (await store.release(queryId, now)).cluster,
      intervalMs: 0,
      graceMs: GRACE,
      metrics: new QueueMetrics(prom),
      logger: createLogger('error', 'test'),
      now: () => now,
    });
  });
  afterEach(async () => {
    sim.setFailure('none');
    await reconciler.close();
  });

  test('done queries go at once, unlisted ones after the grace period, running ones stay', async () => {
    const running = await submit(sim);
    const killed = await submit(sim);
    // Killed on the coordinator itself (its UI, kill_query): Trino lists it as FAILED.
    expect((await fetch(`${sim.url}/v1/query/${killed}`, { method: 'DELETE' })).status).toBe(204);
    const forgotten = await submit(sim);
    expect(sim.forget(forgotten)).toBe(true);
    await track(running, T0);
    await track(forgotten, T0);
    await track(killed, T0 + 9_000);
    await track('20250101_000000_99999_young', T0 + 9_000);
    now = T0 + GRACE - 1;
    await expect(reconciler.reconcile()).resolves.toBe(1);
    expect(await trackedIds()).toEqual([running, forgotten, '20250101_000000_99999_young']);

    now = T0 + GRACE;
    await expect(reconciler.reconcile()).resolves.toBe(1);
    expect(await trackedIds()).toEqual([running, '20250101_000000_99999_young']);

    now = T0 + 9_000 + GRACE;
    await expect(reconciler.reconcile()).resolves.toBe(1);
    expect(await trackedIds()).toEqual([running]);
    const metric = await prom.getSingleMetric('junction_queue_query_list_releases_total')?.get();
    expect(metric?.values.map(({ labels, value }) => ({ ...labels, value }))).toEqual(
      expect.arrayContaining([
        { cluster: 'blue', reason: 'done', value: 1 },
        { cluster: 'blue', reason: 'unlisted', value: 2 },
      ]),
    );
  });

  test('while the list cannot be read, nothing is freed', async () => {
    await track('20250101_000000_99998_gone0', T0);
    now = T0 + 60_000;
    sim.setFailure('status500');
    await expect(reconciler.reconcile()).resolves.toBe(0);
    expect(await trackedIds()).toEqual(['20250101_000000_99998_gone0']);
    sim.setFailure('none');
    await expect(reconciler.reconcile()).resolves.toBe(1);
    expect(await trackedIds()).toEqual([]);
  });

  test("the list is read in Trino's shape: query ids with their states", async () => {
    const id = await submit(sim);
    const list = await fetchQueryList({
      url: sim.url,
      healthCheck: registryFor(sim.url).clusters.get('blue')!.healthCheck,
    });
    expect(list.get(id)).toBe('QUEUED');
  });
});

describe('endedBy', () => {
  type Case = [name: string, state: string | undefined, since: number, reason: 'done' | 'unlisted' | undefined];
  const running = ['QUEUED', 'WAITING_FOR_RESOURCES', 'DISPATCHING', 'PLANNING', 'STARTING', 'RUNNING', 'FINISHING'];
  const cases: Case[] = [
    ['not listed, bound at the cutoff', undefined, 100, 'unlisted'],
    ['not listed, bound after the cutoff (within grace)', undefined, 101, undefined],
    ['FINISHED, even within grace', 'FINISHED', 101, 'done'],
    ['FAILED', 'FAILED', 0, 'done'],
    ...running.map((state): Case => [`${state} (still runs)`, state, 0, undefined]),
  ];
  test.each(cases)('%s', (_name, state, since, reason) => {
    expect(endedBy(state, since, 100)).toBe(reason);
  });
});
