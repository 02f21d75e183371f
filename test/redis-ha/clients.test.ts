// createRedisClient against real Sentinel and Cluster topologies: it reaches the primary, fails fast and heals,
// and every key that one operation touches together hashes to one Redis Cluster slot (asked of a real node).
import { inspect } from 'node:util';
import {
  closeRedisClient,
  createRedisClient,
  describeRedis,
  duplicateForSubscribing,
  type RedisClient,
  redisKeys,
} from '../../shared/src/adapters/redis-client.js';
import {
  type RedisClusterSet,
  type RedisSentinelSet,
  startRedisCluster,
  startRedisSentinel,
} from '../harness/redis-ha.js';
import { eventually } from '../harness/wait.js';

const START_TIMEOUT_MS = 60_000;

describe('Sentinel mode', () => {
  let set: RedisSentinelSet;
  const clients: RedisClient[] = [];
  const open = (client: RedisClient) => {
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    set = await startRedisSentinel();
  }, START_TIMEOUT_MS);
  afterEach(async () => {
    await Promise.all(clients.splice(0).map(closeRedisClient));
  });
  afterAll(async () => {
    await set?.stop();
  });

  test('finds the primary through the sentinels and writes there', async () => {
    const client = open(createRedisClient(set.config('t:', 1000), { name: 'sentinel-test' }));
    await client.set('t:k', 'v');
    expect(await client.get('t:k')).toBe('v');
    const role = (await client.call('ROLE')) as unknown[];
    expect(role[0]).toBe('master');
    const info = String(await client.call('INFO', 'server'));
    expect(info).toContain(`tcp_port:${await set.primaryPort()}`);
  });

  test('a subscriber duplicate hears what the client publishes', async () => {
    const client = open(createRedisClient(set.config('t:', 1000)));
    const subscriber = open(duplicateForSubscribing(client));
    const heard: string[] = [];
    subscriber.on('message', (_channel: string, message: string) => heard.push(message));
    await subscriber.subscribe('t:channel');
    await client.publish('t:channel', 'hello');
    await eventually(() => heard.includes('hello'));
  });

  test('describeRedis names the master set and sentinels, never a password', () => {
    const text = describeRedis({ ...set.config('t:', 1000), password: 's3cr3t' });
    expect(text).toBe(`sentinel master "junction" via ${set.sentinels.map((s) => `127.0.0.1:${s.port}`).join(',')}`);
    expect(text).not.toContain('s3cr3t');
  });
});

describe('Sentinel mode with passwords (data nodes and sentinels)', () => {
  let set: RedisSentinelSet;
  beforeAll(async () => {
    set = await startRedisSentinel({ password: 'data-s3cr3t', sentinelPassword: 'sentinel-s3cr3t' });
  }, START_TIMEOUT_MS);
  afterAll(async () => {
    await set?.stop();
  });

  test('both passwords are used; without the data password the client cannot write, and says so safely', async () => {
    const config = set.config('t:', 1000);
    const client = createRedisClient(config);
    try {
      await client.set('t:k', 'v');
      expect(await client.get('t:k')).toBe('v');
    } finally {
      await closeRedisClient(client);
    }
    const { password: _dropped, ...withoutPassword } = config;
    const refused = createRedisClient(withoutPassword);
    try {
      const failure = await refused.set('t:k', 'w').then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(String(failure)).toMatch(/NOAUTH|Authentication required|timed out|Connection is closed|offline queue/i);
      expect(inspect(failure)).not.toContain('s3cr3t');
    } finally {
      await closeRedisClient(refused);
    }
  });
});

describe('Cluster mode', () => {
  let set: RedisClusterSet;
  let client: RedisClient;

  beforeAll(async () => {
    set = await startRedisCluster();
    client = createRedisClient(set.config('junction:', 1000), { name: 'cluster-test' });
  }, START_TIMEOUT_MS);
  afterAll(async () => {
    if (client !== undefined) await closeRedisClient(client);
    await set?.stop();
  });

  test('single keys spread over the three primaries and read back', async () => {
    const keys = Array.from({ length: 30 }, (_, i) => redisKeys('junction:').query(`20250101_000000_${i}_abcde`));
    for (const key of keys) await client.set(key, 'blue');
    for (const key of keys) expect(await client.get(key)).toBe('blue');
    const slots = await Promise.all(keys.map((key) => client.call('CLUSTER', 'KEYSLOT', key) as Promise<number>));
    expect(new Set(slots).size).toBeGreaterThan(1);
  });

  test('every group of keys one operation touches together hashes to one slot', async () => {
    const keys = redisKeys('junction:');
    const q = keys.queue;
    const groups: Record<string, string[]> = {
      // RedisRegistryStore's publish script (KEYS generation, snapshot) and its reads.
      registry: [keys.registry.snapshot, keys.registry.generation, keys.registry.health],
      // RedisRoutedCounter's one MGET over every cluster.
      routed: ['blue', 'green', 'a-much-longer-cluster-name'].map((name) => keys.routed(name)),
      // RedisQueueStore's scripts touch any of these in one call.
      queue: [
        q.entry('20250101_000000_00001_gw000'),
        q.holder('20250101_000000_00001_abcde'),
        q.slots('blue'),
        q.places('user:alice'),
        q.tokens('user:alice'),
        q.groupEntries('adhoc'),
        q.classes('adhoc'),
        q.rotation('adhoc', 2),
        q.shareList('adhoc', 2, 'alice'),
        q.groups,
        q.clusters,
        q.buckets,
        q.active,
        q.deadlines,
        q.polls,
        q.dispatching,
        q.seq,
      ],
    };
    for (const [name, group] of Object.entries(groups)) {
      const slots = await Promise.all(group.map((key) => client.call('CLUSTER', 'KEYSLOT', key) as Promise<number>));
      expect({ name, slots: new Set(slots).size }).toEqual({ name, slots: 1 });
    }
  });

  test('MGET over the routed counters works (one slot), and a cross-slot MGET is what Redis refuses', async () => {
    const keys = redisKeys('junction:');
    await client.set(keys.routed('blue'), '3');
    expect(await client.mget(keys.routed('blue'), keys.routed('green'))).toEqual(['3', null]);
    await expect(client.mget(keys.query('a'), keys.query('b'), keys.query('c'))).rejects.toThrow(/CROSSSLOT|same slot/);
  });

  test('classic Pub/Sub reaches a subscriber whichever node it landed on', async () => {
    const subscriber = duplicateForSubscribing(client);
    try {
      const heard: string[] = [];
      subscriber.on('message', (_channel: string, message: string) => heard.push(message));
      await subscriber.subscribe(redisKeys('junction:').registry.changed);
      for (let i = 0; i < 5; i++) await client.publish(redisKeys('junction:').registry.changed, String(i));
      await eventually(() => heard.length === 5);
    } finally {
      await closeRedisClient(subscriber);
    }
  });

  test('while a primary is down commands for its slots reject; the client heals once it is back', async () => {
    const key = redisKeys('junction:').query('20250101_000000_00042_heals');
    await client.set(key, 'blue');
    const slot = (await client.call('CLUSTER', 'KEYSLOT', key)) as number;
    const ranges = (await client.call('CLUSTER', 'SLOTS')) as Array<[number, number, [string, number]]>;
    const owner = ranges.find(([from, to]) => from <= slot && slot <= to)?.[2][1];
    expect(owner).toBeDefined();
    await set.killNode(owner as number);
    try {
      await expect(client.get(key)).rejects.toThrow();
    } finally {
      await set.restartNode(owner as number);
    }
    // Nobody reconnects the client: it finds the node again by itself (the data went with the process).
    await eventually(
      async () =>
        await client.set(key, 'green').then(
          () => true,
          () => false,
        ),
      30_000,
      100,
    );
    expect(await client.get(key)).toBe('green');
  });

  test('describeRedis names the seed nodes', () => {
    expect(describeRedis(set.config('x:', 1))).toBe(
      `cluster via ${set.nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}`,
    );
  });
});
