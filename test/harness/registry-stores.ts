// RegistryStores over Redis for the contract suite (shared/src/adapters/registry-store.contract.test.ts): one
// backend per suite (a plain redis-server, Sentinel or Cluster), one key prefix per test, and every opened
// store another process with its own connections.
import {
  closeRedisClient,
  createRedisClient,
  type RedisClient,
  type RedisClientConfig,
  redisKeys,
} from '../../shared/src/adapters/redis-client.js';
import { RedisRegistryStore } from '../../shared/src/adapters/redis-registry-store.js';
import type { RegistryStore } from '../../shared/src/contract/registry-store.js';
import { startRedis } from './redis.js';
import { startRedisTopology } from './redis-ha.js';

/** Where the stores connect; `outage` only where the whole backend can be stopped and started again. */
export interface RedisBackend {
  config(keyPrefix: string): RedisClientConfig;
  outage?: { stop(): Promise<void>; restart(): Promise<void> };
  close(): Promise<void>;
}

export async function plainRedisBackend(commandTimeout: number): Promise<RedisBackend> {
  const server = await startRedis();
  return {
    config: (keyPrefix) => ({ url: server.url, keyPrefix, commandTimeout }),
    outage: { stop: () => server.stop(), restart: () => server.restart() },
    close: () => server.stop(),
  };
}

export async function haRedisBackend(mode: 'sentinel' | 'cluster', commandTimeout: number): Promise<RedisBackend> {
  const topology = await startRedisTopology(mode);
  return { config: (keyPrefix) => topology.config(keyPrefix, commandTimeout), close: () => topology.stop() };
}

export interface RedisRegistryFixture {
  open(): RegistryStore;
  release(): Promise<void>;
  close(): Promise<void>;
  stop(): Promise<void>;
  restart(): Promise<void>;
  /** A plain client and the keys of the current test, to write what no store would. */
  admin(): RedisClient;
  keys(): ReturnType<typeof redisKeys>['registry'];
}

export function redisRegistryFixture(backend: RedisBackend, subscribeTimeoutMs: number): RedisRegistryFixture {
  let opened: Array<{ store: RegistryStore; clients: RedisClient[] }> = [];
  let run = 0;
  // Each test gets its own prefix: the server is shared, the tests are not.
  let prefix = `junction-test-${run}:`;
  let admin: RedisClient | undefined;
  const unsupported = () => Promise.reject(new Error('this backend cannot be stopped as a whole'));
  return {
    open() {
      const config = backend.config(prefix);
      const client = createRedisClient(config, { name: 'contract' });
      const clients = [client];
      // Half the stores bring their own subscriber connection, half use the default duplicate.
      const own = opened.length % 2 === 1;
      const subscriber = () => {
        const connection = createRedisClient(config, { subscriber: true });
        clients.push(connection);
        return connection;
      };
      const store = new RedisRegistryStore(client, prefix, {
        subscribeTimeoutMs,
        ...(own ? { subscriber } : {}),
      });
      opened.push({ store, clients });
      return store;
    },
    stop: () => backend.outage?.stop() ?? unsupported(),
    restart: () => backend.outage?.restart() ?? unsupported(),
    admin() {
      admin ??= createRedisClient(backend.config(prefix), { name: 'contract-admin' });
      return admin;
    },
    keys: () => redisKeys(prefix).registry,
    async release() {
      const done = opened;
      opened = [];
      for (const { store } of done) await store.close();
      await Promise.all(done.flatMap(({ clients }) => clients).map(closeRedisClient));
      if (admin !== undefined) await closeRedisClient(admin);
      admin = undefined;
      prefix = `junction-test-${++run}:`;
    },
    close: () => backend.close(),
  };
}
