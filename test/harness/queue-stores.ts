// QueueStores for the contract suites: the in-process one, and Redis ones over a real redis-server (or
// Sentinel, or Cluster), where every open() is another replica with its own connection.

import { MemoryQueueStore } from '../../shared/src/adapters/queue/memory-queue-store.js';
import { RedisQueueStore } from '../../shared/src/adapters/queue/redis-queue-store.js';
import type { RedisClient } from '../../shared/src/adapters/redis-client.js';
import { closeRedisClient, createRedisClient, type RedisClientConfig } from '../../shared/src/adapters/redis-client.js';
import type { AdmitRequest, QueueStore } from '../../shared/src/contract/queue-store.js';
import { type RedisServer, startRedis } from './redis.js';
import { startRedisTopology } from './redis-ha.js';

export interface QueueStoreFixture {
  /** A store over the fixture's backend. Redis: each call is another replica; memory: the one store. */
  open(): QueueStore;
  /** After each test: closes what was opened and starts the next test on empty state. */
  release(): Promise<void>;
  close(): Promise<void>;
}

export interface QueueStoreSubject {
  readonly name: string;
  readonly kind: 'memory' | 'redis';
  setup(): Promise<QueueStoreFixture>;
}

export const memoryQueueStores: QueueStoreSubject = {
  name: 'MemoryQueueStore',
  kind: 'memory',
  setup: async () => {
    let store: MemoryQueueStore | undefined;
    return {
      open: () => {
        store ??= new MemoryQueueStore();
        return store;
      },
      release: async () => {
        await store?.close();
        store = undefined;
      },
      close: async () => {},
    };
  },
};

export interface RedisQueueStoreFixture extends QueueStoreFixture {
  readonly server: RedisServer;
  /** The config of the current test (its own key prefix). */
  config(): RedisClientConfig;
  /** A plain client on the server, closed by release(). */
  admin(): RedisClient;
}

/** Redis subject: one redis-server per suite, one key prefix per test, one connection per opened store. */
export interface RedisQueueStoreSubject extends QueueStoreSubject {
  setup(): Promise<RedisQueueStoreFixture>;
}

export function redisQueueStores(options: { commandTimeout?: number } = {}): RedisQueueStoreSubject {
  return {
    name: 'RedisQueueStore',
    kind: 'redis',
    setup: async () => {
      const server = await startRedis();
      return {
        server,
        ...queueFixture(
          (keyPrefix) => ({ url: server.url, keyPrefix, commandTimeout: options.commandTimeout ?? 2000 }),
          () => server.stop(),
        ),
      };
    },
  };
}

/** The same Redis subject over Redis Sentinel or a three-primary Redis Cluster (test/harness/redis-ha.ts). */
export function haRedisQueueStores(mode: 'sentinel' | 'cluster'): QueueStoreSubject {
  return {
    name: `RedisQueueStore over Redis ${mode === 'sentinel' ? 'Sentinel' : 'Cluster'}`,
    kind: 'redis',
    setup: async () => {
      const topology = await startRedisTopology(mode);
      return queueFixture(
        (keyPrefix) => topology.config(keyPrefix, 2000),
        () => topology.stop(),
      );
    },
  };
}

function queueFixture(
  configFor: (keyPrefix: string) => RedisClientConfig,
  stop: () => Promise<void>,
): Omit<RedisQueueStoreFixture, 'server'> {
  let run = 0;
  let config = configFor(`junction-test-${run}:`);
  let opened: Array<{ store: QueueStore; client: RedisClient }> = [];
  let admin: RedisClient | undefined;
  return {
    config: () => config,
    open() {
      const client = createRedisClient(config, { name: `replica-${opened.length}` });
      const store = new RedisQueueStore(client, config, { subscribeTimeoutMs: 5000 });
      opened.push({ store, client });
      return store;
    },
    admin() {
      admin ??= createRedisClient(config, { name: 'contract-admin' });
      return admin;
    },
    async release() {
      const done = opened;
      opened = [];
      for (const { store } of done) await store.close();
      await Promise.all(done.map(({ client }) => closeRedisClient(client)));
      if (admin !== undefined) await closeRedisClient(admin);
      admin = undefined;
      config = configFor(`junction-test-${++run}:`);
    },
    close: stop,
  };
}

/** The fake clock's start: every test passes times relative to it. */
export const T0 = 1_700_000_000_000;

let nextId = 0;

/** An admission request with sensible defaults: group adhoc, class 0, one cluster `blue` with room for one. */
export function request(overrides: Partial<AdmitRequest> = {}): AdmitRequest {
  const id = overrides.id ?? `20250101_000000_${String(++nextId).padStart(5, '0')}_gw000`;
  return {
    id,
    group: 'adhoc',
    priority: 0,
    shareKey: '',
    candidates: [{ cluster: 'blue', limit: 1 }],
    admission: [],
    maxQueued: 100,
    maxWaitMs: 60_000,
    leaseMs: 30_000,
    payload: Buffer.from(`POST ${id}`),
    info: { user: 'alice', source: 'trino-cli', sql: 'SELECT 1', className: 'interactive' },
    now: T0,
    ...overrides,
  };
}
