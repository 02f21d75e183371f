// One RegistryStore contract (registry-store.ts), run against every implementation: in memory and Redis
// (plain, Sentinel, Cluster). Redis cases use real servers from the test harness; two stores over one
// backend stand for two processes.
import {
  haRedisBackend,
  plainRedisBackend,
  type RedisRegistryFixture,
  redisRegistryFixture,
} from '../../../test/harness/registry-stores.js';
import { untilPasses as eventually } from '../../../test/harness/wait.js';
import type { ClusterHealth } from '../contract/model.js';
import type { RegistryResources, RegistryStore } from '../contract/registry-store.js';
import { API_VERSION } from '../contract/resource-kinds.js';
import { RoutingGroup, TrinoCluster } from '../contract/schemas/resources.js';
import { MemoryRegistryStore } from './memory-registry-store.js';

const COMMAND_TIMEOUT_MS = 300;
const SUBSCRIBE_TIMEOUT_MS = 1000;
// Generous bounds for "does not hang": the timeout plus scheduling slack on a busy machine.
const REJECT_BOUND_MS = COMMAND_TIMEOUT_MS + 1500;
const SUBSCRIBE_REJECT_BOUND_MS = SUBSCRIBE_TIMEOUT_MS + 1500;

interface StoreFixture {
  /** A store over the fixture's backend. Redis: every call is another process; memory: the one store. */
  open(): RegistryStore;
  /** Closes what was opened since the last call; after each test. */
  release(): Promise<void>;
  close(): Promise<void>;
}

/** stop/restart: the whole backend (its data is lost); only where the subject has `outages`. */
type RedisFixture = RedisRegistryFixture;

type ContractSubject =
  | { kind: 'in-process'; setup: () => Promise<StoreFixture> }
  | { kind: 'redis'; outages: boolean; setup: () => Promise<RedisFixture> };

async function elapsedUntilRejected(operation: () => Promise<unknown>): Promise<number> {
  const started = Date.now();
  await expect(operation()).rejects.toThrow();
  return Date.now() - started;
}

function cluster(name: string, labels: Record<string, string> = {}): TrinoCluster {
  return TrinoCluster.parse({
    apiVersion: API_VERSION,
    kind: 'TrinoCluster',
    metadata: { name, namespace: 'trino', labels, generation: 3 },
    spec: { url: `http://${name}:8080` },
  });
}

function group(name: string): RoutingGroup {
  return RoutingGroup.parse({
    apiVersion: API_VERSION,
    kind: 'RoutingGroup',
    metadata: { name, namespace: 'trino' },
    spec: { clusterSelector: { matchLabels: { pool: name } }, default: true },
  });
}

const resources = (...names: string[]): RegistryResources => ({
  clusters: names.map((name) => cluster(name, { pool: 'adhoc' })),
  groups: [group('adhoc')],
});

const healthy = (probedAt: number, activeNodes?: number): ClusterHealth => ({
  phase: 'Healthy',
  runningQueries: 2,
  queuedQueries: 1,
  activeNodes,
  probedAt,
  message: 'ok',
});

function registryStoreContract(name: string, subject: ContractSubject): void {
  describe(`RegistryStore contract: ${name}`, () => {
    let fixture: StoreFixture;
    let store: RegistryStore;

    beforeAll(async () => {
      fixture = await subject.setup();
    }, 60_000);
    afterAll(async () => {
      await fixture.close();
    });
    beforeEach(() => {
      store = fixture.open();
    });
    afterEach(async () => {
      await fixture.release();
    });

    test('read resolves undefined before the first publish', async () => {
      await expect(store.read()).resolves.toBeUndefined();
    });

    test('read returns what publish stored, with the generation publish resolved', async () => {
      const before = Date.now();
      const generation = await store.publish(resources('blue', 'green'));
      const snapshot = await store.read();
      expect(snapshot).toEqual({ generation, publishedAt: expect.any(String), ...resources('blue', 'green') });
      expect(Date.parse(snapshot?.publishedAt ?? '')).toBeGreaterThanOrEqual(before - 1000);
      expect(generation).toBeGreaterThan(0);
    });

    test('every publish gets a higher generation, and read returns the latest', async () => {
      const generations: number[] = [];
      for (const names of [['blue'], ['blue', 'green'], ['green']])
        generations.push(await store.publish(resources(...names)));
      expect([...generations].sort((a, b) => a - b)).toEqual(generations);
      expect(new Set(generations).size).toBe(3);
      const snapshot = await store.read();
      expect(snapshot?.generation).toBe(generations[2]);
      expect(snapshot?.clusters.map((c) => c.metadata.name)).toEqual(['green']);
    });

    test('two writers publishing alternately still produce strictly rising generations', async () => {
      const writers = [store, fixture.open()];
      const generations: number[] = [];
      for (let round = 0; round < 6; round++) {
        const writer = writers[round % 2] as RegistryStore;
        generations.push(await writer.publish(resources(`c${round}`)));
      }
      for (let i = 1; i < generations.length; i++) {
        expect(generations[i]).toBeGreaterThan(generations[i - 1] as number);
      }
      for (const writer of writers) {
        const snapshot = await writer.read();
        expect(snapshot?.generation).toBe(generations[5]);
        expect(snapshot?.clusters.map((c) => c.metadata.name)).toEqual(['c5']);
      }
    });

    test("subscribers hear every publish, including another writer's, until they unsubscribe", async () => {
      const reader = fixture.open();
      const heard: number[] = [];
      const sentinel: number[] = [];
      const unsubscribe = await reader.subscribe((generation) => heard.push(generation));
      await reader.subscribe((generation) => sentinel.push(generation));
      const writer = fixture.open();
      const published = [await writer.publish(resources('a')), await writer.publish(resources('b'))];
      published.push(await reader.publish(resources('c')));
      await eventually(() => expect(heard).toEqual(published));

      await unsubscribe();
      const last = await writer.publish(resources('d'));
      // The sentinel shares the connection, so once it heard the last publish the first one would have too.
      await eventually(() => expect(sentinel).toContain(last));
      expect(heard).toEqual(published);
    });

    test('a read during publishes never sees a partial snapshot', async () => {
      const writer = fixture.open();
      const size = 150;
      const round = (n: number): RegistryResources => ({
        clusters: Array.from({ length: size }, (_, i) => cluster(`c${i}`, { round: String(n) })),
        groups: [group(`g${n}`)],
      });
      let writing = true;
      const publishes = (async () => {
        try {
          for (let n = 0; n < 20; n++) await writer.publish(round(n));
        } finally {
          writing = false;
        }
      })();
      let reads = 0;
      while (writing || reads === 0) {
        const snapshot = await store.read();
        if (snapshot === undefined) continue;
        reads++;
        const rounds = new Set(snapshot.clusters.map((c) => c.metadata.labels?.round));
        expect(snapshot.clusters).toHaveLength(size);
        expect(rounds.size).toBe(1);
        expect(snapshot.groups.map((g) => g.metadata.name)).toEqual([`g${[...rounds][0]}`]);
      }
      await publishes;
    });

    test('status and volatile metadata are not stored; identity, labels and generation are', async () => {
      const blue = cluster('blue', { pool: 'adhoc' });
      const live = {
        ...blue,
        metadata: {
          ...blue.metadata,
          uid: '5d2c…',
          resourceVersion: '81234',
          creationTimestamp: '2025-01-01T00:00:00Z',
          managedFields: [{ manager: 'kubectl' }],
          annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
        },
        status: { phase: 'Healthy' as const, runningQueries: 4 },
      };
      const adhoc = group('adhoc');
      await store.publish({ clusters: [live], groups: [{ ...adhoc, status: { healthyClusters: 1 } }] });
      const snapshot = await store.read();
      expect(snapshot?.clusters[0]).toEqual(blue);
      expect(snapshot?.clusters[0]?.metadata).toEqual({
        name: 'blue',
        namespace: 'trino',
        labels: { pool: 'adhoc' },
        generation: 3,
      });
      expect(snapshot?.groups[0]).toEqual(adhoc);
      expect(snapshot?.groups[0]).not.toHaveProperty('status');
    });

    test('callers cannot change a stored snapshot through what they passed in or read out', async () => {
      const input = resources('blue');
      await store.publish(input);
      (input.clusters[0] as TrinoCluster).spec.weight = 99;
      const first = await store.read();
      expect(first?.clusters[0]?.spec.weight).toBe(1);
      (first?.clusters[0] ?? cluster('x')).spec.weight = 42;
      expect((await store.read())?.clusters[0]?.spec.weight).toBe(1);
    });

    test('an invalid resource is rejected and the stored snapshot stays', async () => {
      const generation = await store.publish(resources('blue'));
      const broken = { ...cluster('green'), spec: { ...cluster('green').spec, url: 'not a url' } };
      await expect(store.publish({ clusters: [broken], groups: [] })).rejects.toThrow(/spec\.url/);
      expect((await store.read())?.generation).toBe(generation);
    });

    test('health is written, replaced and removed per cluster and read in one call', async () => {
      await expect(store.readHealth()).resolves.toEqual(new Map());
      await store.writeHealth('blue', healthy(1000, 3));
      await store.writeHealth('green', healthy(1000));
      const unhealthy: ClusterHealth = { ...healthy(2000, 3), phase: 'Unhealthy', message: 'connection refused' };
      await store.writeHealth('blue', unhealthy);
      await store.removeHealth('green');
      await store.removeHealth('never-written');
      const other = fixture.open();
      await expect(other.readHealth()).resolves.toEqual(new Map([['blue', unhealthy]]));
      await store.writeHealth('green', healthy(3000));
      const green = (await other.readHealth()).get('green');
      expect(green).toEqual(healthy(3000));
      expect(green?.activeNodes).toBeUndefined();
    });

    test('invalid health is rejected', async () => {
      await expect(store.writeHealth('blue', { ...healthy(1), phase: 'Draining' } as never)).rejects.toThrow(/phase/);
      await expect(store.readHealth()).resolves.toEqual(new Map());
    });

    test('after close, listeners hear nothing and subscribe rejects', async () => {
      const heard: number[] = [];
      await store.subscribe((generation) => heard.push(generation));
      // Another process's listener shows when a notification has had its chance to arrive.
      const witness = subject.kind === 'redis' ? fixture.open() : undefined;
      const witnessed: number[] = [];
      await witness?.subscribe((generation) => witnessed.push(generation));
      await store.close();
      await expect(store.subscribe(() => {})).rejects.toThrow(/closed/);
      const generation = await (witness ?? store).publish(resources('blue'));
      if (witness === undefined) await new Promise((resolve) => setImmediate(resolve));
      else await eventually(() => expect(witnessed).toEqual([generation]));
      expect(heard).toEqual([]);
    });

    if (subject.kind === 'in-process') return;
    const redis = () => fixture as RedisFixture;

    test('a snapshot that is not JSON or not a registry is rejected with a clear error', async () => {
      await redis().admin().set(redis().keys().snapshot, '{"generation": 4, "clus');
      await expect(store.read()).rejects.toThrow(/registry snapshot at .*\{registry\}:snapshot is not JSON/);
      const wrong = { generation: 4, publishedAt: 'now', clusters: [{ kind: 'TrinoCluster' }], groups: [] };
      await redis().admin().set(redis().keys().snapshot, JSON.stringify(wrong));
      await expect(store.read()).rejects.toThrow(/registry snapshot at .* is invalid: clusters\[0\]\.apiVersion/);
    });

    test('health entries that do not parse are left out', async () => {
      await store.writeHealth('blue', healthy(1000));
      await redis().admin().hset(redis().keys().health, 'garbage', '{nope', 'wrong', '{"phase":"Sleeping"}');
      await expect(store.readHealth()).resolves.toEqual(new Map([['blue', healthy(1000)]]));
    });

    if (!subject.outages) return;
    test('while Redis is down every method rejects promptly; afterwards publishing continues the sequence', async () => {
      const reader = fixture.open();
      const heard: number[] = [];
      await reader.subscribe((generation) => heard.push(generation));
      const before = await store.publish(resources('blue'));
      await eventually(() => expect(heard).toEqual([before]));
      const fresh = fixture.open();
      await redis().stop();
      try {
        const operations: Array<() => Promise<unknown>> = [
          () => store.publish(resources('green')),
          () => store.read(),
          () => store.writeHealth('blue', healthy(1)),
          () => store.removeHealth('blue'),
          () => store.readHealth(),
        ];
        for (const operation of operations) expect(await elapsedUntilRejected(operation)).toBeLessThan(REJECT_BOUND_MS);
        expect(await elapsedUntilRejected(() => fresh.subscribe(() => {}))).toBeLessThan(SUBSCRIBE_REJECT_BOUND_MS);
      } finally {
        await redis().restart();
      }
      // The restart lost every key; the writer's generation still rises, and old subscriptions came back.
      const after = await eventually(() => store.publish(resources('green')));
      expect(after).toBeGreaterThan(before);
      // Each store's connection comes back on its own backoff schedule.
      await expect(eventually(() => fresh.read())).resolves.toMatchObject({ generation: after });
      // Subscriptions made before the outage come back by themselves once the server is up again.
      await eventually(async () => {
        const last = await store.publish(resources('green'));
        await eventually(() => expect(heard).toContain(last), 500);
      });
      await expect(fresh.subscribe(() => {})).resolves.toEqual(expect.any(Function));
    });
  });
}

registryStoreContract('MemoryRegistryStore', {
  kind: 'in-process',
  setup: async () => {
    let store: MemoryRegistryStore | undefined;
    return {
      open: () => {
        store ??= new MemoryRegistryStore();
        return store;
      },
      release: async () => {
        await store?.close();
        store = undefined;
      },
      close: async () => {},
    };
  },
});

registryStoreContract('RedisRegistryStore', {
  kind: 'redis',
  outages: true,
  setup: async () => redisRegistryFixture(await plainRedisBackend(COMMAND_TIMEOUT_MS), SUBSCRIBE_TIMEOUT_MS),
});

// Highly available Redis: the same contract through Sentinel (the primary found via the sentinels) and
// through a three-primary Redis Cluster (keys spread over slots, the publish script in one). Outages and
// failovers of these are test/redis-ha's subject.
for (const mode of ['sentinel', 'cluster'] as const) {
  registryStoreContract(`RedisRegistryStore over Redis ${mode === 'sentinel' ? 'Sentinel' : 'Cluster'}`, {
    kind: 'redis',
    outages: false,
    setup: async () => redisRegistryFixture(await haRedisBackend(mode, COMMAND_TIMEOUT_MS), SUBSCRIBE_TIMEOUT_MS),
  });
}
