// One StickyStore contract (store.ts), run against every implementation: in memory, Redis, and the
// local cache over Redis, and Redis Sentinel and Cluster. Redis cases use real servers started by the test harness.
import { inspect } from 'node:util';
import type { RedisClient } from '@junction/shared';
import { closeRedisClient, createRedisClient, redisKeys } from '@junction/shared';
import { type RedisServer, startRedis } from '../../../test/harness/redis.js';
import { startRedisTopology } from '../../../test/harness/redis-ha.js';
import { untilPasses as eventually, sleep } from '../../../test/harness/wait.js';
import { CachedStickyStore } from './cached.js';
import { MemoryStickyStore } from './memory.js';
import { RedisStickyStore } from './redis.js';
import type { StickyKey, StickyStore } from './store.js';

const COMMAND_TIMEOUT_MS = 300;
// Generous bound for "does not hang": the command timeout plus scheduling slack on a busy machine.
const REJECT_BOUND_MS = COMMAND_TIMEOUT_MS + 1500;

interface StoreFixture {
  /** Returns a fresh store; for a shared backend, stores from one fixture are two replicas. */
  open(): StickyStore;
  /** Releases what the stores opened since the last call (connections); called after each test. */
  release(): Promise<void>;
  close(): Promise<void>;
}

/** A backend other processes share, which can therefore also fail on its own. */
interface SharedStoreFixture extends StoreFixture {
  /** Makes the backend unreachable; `restart` brings it back (data may be lost). */
  stop(): Promise<void>;
  restart(): Promise<void>;
  /** The backend keeps the connection but answers nothing for `ms`. */
  freeze(ms: number): Promise<void>;
}

type ContractSubject =
  | { kind: 'in-process'; setup: () => Promise<StoreFixture> }
  | { kind: 'shared'; setup: () => Promise<SharedStoreFixture> }
  // Highly available Redis (Sentinel, Cluster): shared by replicas; its failover is test/redis-ha's subject.
  | { kind: 'highly-available'; setup: () => Promise<StoreFixture> };

async function elapsedUntilRejected(operation: () => Promise<unknown>): Promise<number> {
  const started = Date.now();
  await expect(operation()).rejects.toThrow();
  return Date.now() - started;
}

function stickyStoreContract(name: string, subject: ContractSubject): void {
  describe(`StickyStore contract: ${name}`, () => {
    let fixture: StoreFixture;
    let store: StickyStore;
    let prefix = 0;
    // Unique keys per test, so a Redis shared by the tests never leaks state between them.
    const key = (suffix: string): StickyKey => ({ kind: 'query', id: `t${prefix}-${suffix}` });

    beforeAll(async () => {
      fixture = await subject.setup();
    }, 60_000);
    afterAll(async () => {
      await fixture.close();
    });
    beforeEach(() => {
      prefix++;
      store = fixture.open();
    });
    afterEach(async () => {
      await store.close();
      await fixture.release();
    });

    test('get returns what set stored', async () => {
      await store.set(key('a'), 'blue', 60_000);
      await expect(store.get(key('a'))).resolves.toBe('blue');
    });

    test('an unknown key resolves undefined', async () => {
      await expect(store.get(key('never-set'))).resolves.toBeUndefined();
    });

    test('a mapping disappears after its TTL', async () => {
      await store.set(key('short'), 'blue', 150);
      await store.set(key('long'), 'green', 60_000);
      await expect(store.get(key('short'))).resolves.toBe('blue');
      await sleep(400);
      await expect(store.get(key('short'))).resolves.toBeUndefined();
      await expect(store.get(key('long'))).resolves.toBe('green');
    });

    test('writing a key again replaces the mapping and its TTL', async () => {
      await store.set(key('x'), 'blue', 150);
      await store.set(key('x'), 'green', 60_000);
      await expect(store.get(key('x'))).resolves.toBe('green');
      await sleep(400);
      await expect(store.get(key('x'))).resolves.toBe('green');
    });

    test('a non-positive TTL is rejected', async () => {
      await expect(store.set(key('bad'), 'blue', 0)).rejects.toThrow(RangeError);
      await expect(store.set(key('bad'), 'blue', Number.NaN)).rejects.toThrow(RangeError);
    });

    test('many keys keep their own clusters', async () => {
      const ids = Array.from({ length: 200 }, (_, index) => key(`many-${index}`));
      await Promise.all(ids.map((id, index) => store.set(id, `cluster-${index % 7}`, 60_000)));
      const clusters = await Promise.all(ids.map((id) => store.get(id)));
      expect(clusters).toEqual(ids.map((_, index) => `cluster-${index % 7}`));
    });

    test('keys are opaque: query and oauth keys with the same id do not collide', async () => {
      const id = '20200416_160256_03078_6b4yt';
      await store.set({ kind: 'query', id }, 'blue', 60_000);
      await store.set({ kind: 'oauth', id }, 'green', 60_000);
      await expect(store.get({ kind: 'query', id })).resolves.toBe('blue');
      await expect(store.get({ kind: 'oauth', id })).resolves.toBe('green');
    });

    if (subject.kind === 'in-process') {
      test("a second instance does not see the first one's writes (state is per process)", async () => {
        const other = fixture.open();
        await store.set(key('own'), 'blue', 60_000);
        await expect(other.get(key('own'))).resolves.toBeUndefined();
        await other.close();
      });
      return;
    }

    test('two stores over the same backend see each other (two replicas)', async () => {
      const replica = fixture.open();
      await store.set(key('q1'), 'blue', 60_000);
      await expect(replica.get(key('q1'))).resolves.toBe('blue');
      await replica.set(key('q2'), 'green', 60_000);
      await expect(store.get(key('q2'))).resolves.toBe('green');
      await replica.close();
    });

    if (subject.kind === 'highly-available') return;
    const shared = () => fixture as SharedStoreFixture;

    test('an unreachable backend makes get and set reject promptly, and they work again after it returns', async () => {
      await store.set(key('before'), 'blue', 60_000); // connected
      await shared().stop();
      try {
        expect(await elapsedUntilRejected(() => store.get(key('unseen')))).toBeLessThan(REJECT_BOUND_MS);
        expect(await elapsedUntilRejected(() => store.set(key('during'), 'blue', 60_000))).toBeLessThan(
          REJECT_BOUND_MS,
        );
      } finally {
        await shared().restart();
      }
      await eventually(() => store.set(key('after'), 'green', 60_000));
      await expect(store.get(key('after'))).resolves.toBe('green');
    });

    test('a backend that keeps the connection but does not answer makes get and set time out', async () => {
      await store.set(key('before'), 'blue', 60_000); // connected
      await shared().freeze(1_500);
      expect(await elapsedUntilRejected(() => store.get(key('unseen')))).toBeLessThan(REJECT_BOUND_MS);
      expect(await elapsedUntilRejected(() => store.set(key('during'), 'blue', 60_000))).toBeLessThan(REJECT_BOUND_MS);
      await expect(eventually(() => store.get(key('before')))).resolves.toBe('blue');
    });
  });
}

stickyStoreContract('MemoryStickyStore', {
  kind: 'in-process',
  setup: async () => ({ open: () => new MemoryStickyStore(), release: async () => {}, close: async () => {} }),
});

/** A Redis server plus one client per opened store (each store is a replica with its own connection). */
async function redisFixture(wrap: (inner: StickyStore) => StickyStore): Promise<SharedStoreFixture> {
  const server: RedisServer = await startRedis();
  const clients: RedisClient[] = [];
  const keys = redisKeys('junction-test:');
  const config = { url: server.url, keyPrefix: 'junction-test:', commandTimeout: COMMAND_TIMEOUT_MS };
  return {
    open() {
      const client = createRedisClient(config);
      clients.push(client);
      return wrap(new RedisStickyStore(client, keys));
    },
    stop: () => server.stop(),
    restart: () => server.restart(),
    async freeze(ms) {
      // CLIENT PAUSE holds every client's commands server-side: connected, but silent.
      const admin = createRedisClient(config, { name: 'contract-admin' });
      await admin.call('CLIENT', 'PAUSE', String(ms), 'ALL');
      admin.disconnect();
    },
    async release() {
      await Promise.all(clients.splice(0).map(closeRedisClient));
    },
    async close() {
      await Promise.all(clients.splice(0).map(closeRedisClient));
      await server.stop();
    },
  };
}

stickyStoreContract('RedisStickyStore', { kind: 'shared', setup: () => redisFixture((inner) => inner) });

stickyStoreContract('CachedStickyStore over Redis', {
  kind: 'shared',
  setup: () => redisFixture((inner) => new CachedStickyStore(inner, { maxEntries: 10_000, maxAgeMs: 60_000 })),
});

for (const mode of ['sentinel', 'cluster'] as const) {
  const setup = async (): Promise<StoreFixture> => {
    const topology = await startRedisTopology(mode);
    const config = topology.config('junction-test:', COMMAND_TIMEOUT_MS);
    const clients: RedisClient[] = [];
    return {
      open() {
        const client = createRedisClient(config);
        clients.push(client);
        return new RedisStickyStore(client, redisKeys(config.keyPrefix));
      },
      release: async () => {
        await Promise.all(clients.splice(0).map(closeRedisClient));
      },
      close: async () => {
        await Promise.all(clients.splice(0).map(closeRedisClient));
        await topology.stop();
      },
    };
  };
  stickyStoreContract(`RedisStickyStore over Redis ${mode === 'sentinel' ? 'Sentinel' : 'Cluster'}`, {
    kind: 'highly-available',
    setup,
  });
}

describe('createRedisClient', () => {
  test('a malformed URL is reported without its password', () => {
    let caught: unknown;
    try {
      createRedisClient({ url: 'redis://admin:s3cr3t-pw@[not-a-host:6379/0', keyPrefix: '', commandTimeout: 100 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(Error);
    expect(inspect(caught)).not.toContain('s3cr3t-pw');
    expect((caught as Error).message).toContain('admin:***@');
  });

  test('connection errors do not carry the password, and the client reconnects by itself', async () => {
    const server = await startRedis();
    await server.stop();
    const client = createRedisClient({
      url: `redis://default:s3cr%40t-pw@127.0.0.1:${server.port}/0`,
      keyPrefix: '',
      commandTimeout: 200,
    });
    const errors: unknown[] = [];
    client.on('error', (error) => errors.push(error));
    try {
      const failure = await client.get('k').catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(Error);
      await eventually(async () => expect(errors.length).toBeGreaterThan(0));
      for (const error of [failure, ...errors]) expect(inspect(error)).not.toMatch(/s3cr/);
      await server.restart();
      // The default user has no password yet, so any password is accepted.
      await expect(eventually(() => client.ping())).resolves.toBe('PONG');
    } finally {
      await closeRedisClient(client);
      await server.stop();
    }
  });

  test("the URL's credentials (percent-decoded) and database are used", async () => {
    const server = await startRedis();
    const admin = createRedisClient({ url: server.url, keyPrefix: '', commandTimeout: 1000 });
    let client: RedisClient | undefined;
    try {
      await admin.config('SET', 'requirepass', 's3cr@t-pw');
      client = createRedisClient({
        url: `redis://default:s3cr%40t-pw@127.0.0.1:${server.port}/2`,
        keyPrefix: '',
        commandTimeout: 1000,
      });
      await client.set('k', 'v');
      await expect(client.get('k')).resolves.toBe('v');
      await expect(client.call('CLIENT', 'INFO')).resolves.toMatch(/ db=2 /);
    } finally {
      if (client !== undefined) await closeRedisClient(client);
      await closeRedisClient(admin);
      await server.stop();
    }
  });
});
