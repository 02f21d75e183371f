// HistoryStores for the contract suite: the in-process ring, and Redis and PostgreSQL ones over real
// servers these harnesses start, where every open() is another replica with its own connection.
import { MemoryHistoryStore } from '../../shared/src/adapters/history/memory-history-store.js';
import { PostgresHistoryStore } from '../../shared/src/adapters/history/postgres-history-store.js';
import { RedisHistoryStore } from '../../shared/src/adapters/history/redis-history-store.js';
import { closeRedisClient, createRedisClient, type RedisClient } from '../../shared/src/adapters/redis-client.js';
import type { HistoryStore } from '../../shared/src/contract/history.js';
import { startPostgres } from './postgres.js';
import { type RedisServer, startRedis } from './redis.js';

export interface HistoryStoreFixture {
  /** A store holding at most `maxRecords`; Redis and PostgreSQL: each call is another replica. */
  open(maxRecords?: number): Promise<HistoryStore>;
  /** After each test: closes what was opened; the next test starts on empty state. */
  release(): Promise<void>;
  close(): Promise<void>;
}

export interface HistoryStoreSubject {
  readonly name: string;
  setup(): Promise<HistoryStoreFixture>;
}

export const memoryHistoryStores: HistoryStoreSubject = {
  name: 'MemoryHistoryStore',
  setup: async () => {
    // One process holds one store: every open() with the same bound is the same store.
    let stores = new Map<number, MemoryHistoryStore>();
    return {
      open: async (maxRecords = 1000) => {
        let store = stores.get(maxRecords);
        if (store === undefined) {
          store = new MemoryHistoryStore({ maxRecords });
          stores.set(maxRecords, store);
        }
        return store;
      },
      release: async () => {
        await Promise.all([...stores.values()].map((store) => store.close()));
        stores = new Map();
      },
      close: async () => {},
    };
  },
};

export const redisHistoryStores: HistoryStoreSubject & { server?: RedisServer } = {
  name: 'RedisHistoryStore',
  setup: async () => {
    const server = await startRedis();
    let run = 0;
    let clients: RedisClient[] = [];
    return {
      open: async (maxRecords = 1000) => {
        const client = createRedisClient(
          { url: server.url, keyPrefix: '', commandTimeout: 2000 },
          { name: `history-${clients.length}` },
        );
        clients.push(client);
        return new RedisHistoryStore(client, { keyPrefix: `history-test-${run}:`, maxRecords });
      },
      release: async () => {
        const done = clients;
        clients = [];
        await Promise.all(done.map((client) => closeRedisClient(client)));
        run++;
      },
      close: () => server.stop(),
    };
  },
};

/** PostgreSQL subject: one server per suite, one database per test (migrations run on each). */
export const postgresHistoryStores: HistoryStoreSubject = {
  name: 'PostgresHistoryStore',
  setup: async () => {
    const server = await startPostgres();
    let run = 0;
    let url: string | undefined;
    let opened: PostgresHistoryStore[] = [];
    return {
      open: async (maxRecords = 1000) => {
        url ??= await server.createDatabase(`history_${run}`);
        const store = await PostgresHistoryStore.open({ url, maxRecords, poolSize: 2 });
        opened.push(store);
        return store;
      },
      release: async () => {
        const done = opened;
        opened = [];
        await Promise.all(done.map((store) => store.close()));
        url = undefined;
        run++;
      },
      close: () => server.stop(),
    };
  },
};
