// RedisRoutedCounter against a real redis-server: two instances stand for two proxy replicas.

import type { RedisClient } from '@junction/shared';
import { closeRedisClient, createRedisClient, redisKeys } from '@junction/shared';
import { type RedisServer, startRedis } from '../../../test/harness/redis.js';
import { MemoryRoutedCounter, RedisRoutedCounter } from './routed-counter.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (bounded) for a condition the code reaches on its own timers. */
async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await sleep(25);
}

describe('MemoryRoutedCounter', () => {
  test('counts increments per cluster', async () => {
    const counter = new MemoryRoutedCounter();
    counter.increment('blue');
    counter.increment('blue');
    counter.increment('green');
    expect(counter.total('blue')).toBe(2);
    expect(counter.total('green')).toBe(1);
    expect(counter.total('red')).toBe(0);
    await counter.close();
  });
});

describe('redisKeys', () => {
  test('routed counters share one hash tag so a single MGET works in Redis Cluster', () => {
    const keys = redisKeys('junction:');
    expect(keys.query('20200416_160256_03078_6b4yt')).toBe('junction:q:20200416_160256_03078_6b4yt');
    expect(keys.oauth('abc')).toBe('junction:o:abc');
    expect(keys.routed('blue')).toBe('junction:{load}:routed:blue');
    const tag = (key: string) => /\{([^}]+)\}/.exec(key)?.[1];
    expect(tag(keys.routed('blue'))).toBe(tag(keys.routed('green')));
  });
});

describe('RedisRoutedCounter', () => {
  let server: RedisServer;
  let clients: RedisClient[];
  let prefix = 0;
  let keys: ReturnType<typeof redisKeys>;

  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server.stop();
  });
  beforeEach(() => {
    clients = [];
    keys = redisKeys(`junction-test-${++prefix}:`);
  });
  afterEach(async () => {
    await Promise.all(clients.map(closeRedisClient));
  });

  function replica(clusters: readonly string[], refreshMs = 60_000): RedisRoutedCounter {
    const client = createRedisClient({ url: server.url, keyPrefix: '', commandTimeout: 300 });
    clients.push(client);
    return new RedisRoutedCounter(client, keys, { clusters: () => clusters, refreshMs });
  }

  test("one replica's increments become visible to another after a refresh", async () => {
    const a = replica(['blue', 'green']);
    const b = replica(['blue', 'green']);
    a.increment('blue');
    a.increment('blue');
    a.increment('green');
    b.increment('blue');
    expect(a.total('blue')).toBe(2); // local view before any refresh
    expect(b.total('blue')).toBe(1);

    // A refresh's MGET follows the same client's INCRs, so awaiting it means they reached Redis.
    await a.refresh();
    await b.refresh();
    expect(b.total('blue')).toBe(3);
    expect(b.total('green')).toBe(1);
    await a.refresh();
    expect(a.total('blue')).toBe(3);
    await Promise.all([a.close(), b.close()]);
  });

  test('the timer refreshes by itself', async () => {
    const a = replica(['blue']);
    const b = replica(['blue'], 50);
    for (let i = 0; i < 5; i++) a.increment('blue');
    await a.refresh();
    await until(() => b.total('blue') >= 5);
    expect(b.total('blue')).toBe(5);
    await Promise.all([a.close(), b.close()]);
  });

  test('increments made while a refresh is in flight are not lost', async () => {
    const a = replica(['blue']);
    await a.refresh();
    a.increment('blue');
    const refreshing = a.refresh();
    a.increment('blue'); // sent after the MGET; the reply cannot contain it
    await refreshing;
    expect(a.total('blue')).toBe(2);
    await a.refresh();
    expect(a.total('blue')).toBe(2);
    await a.close();
  });

  test('totals never go backwards, even when Redis loses the counters', async () => {
    const a = replica(['blue']);
    for (let i = 0; i < 4; i++) a.increment('blue');
    await a.refresh();
    expect(a.total('blue')).toBe(4);
    await clients[0]!.del(keys.routed('blue'));
    await a.refresh();
    expect(a.total('blue')).toBe(4);
    a.increment('blue');
    expect(a.total('blue')).toBe(5);
    await a.close();
  });

  test('while Redis is down increments still count locally and failures are counted', async () => {
    const a = replica(['blue']);
    await a.refresh(); // connected, so commands now fail fast instead of queueing
    await server.stop();
    try {
      a.increment('blue');
      a.increment('blue');
      await a.refresh();
      expect(a.total('blue')).toBe(2);
      await until(() => a.failedCommands >= 3);
      expect(a.failedCommands).toBe(3); // two INCRs and one MGET
    } finally {
      await server.restart();
    }
    // Close a connected client: ioredis keeps a 2 s timer when told to disconnect mid-reconnect.
    await until(() => clients[0]!.status === 'ready');
    await a.close();
  });

  test('close stops refreshing', async () => {
    const a = replica(['blue']);
    const b = replica(['blue'], 20);
    await b.close();
    a.increment('blue');
    await a.refresh();
    await sleep(100);
    expect(b.total('blue')).toBe(0);
    await a.close();
  });
});
