// RedisRegistrySource against a real redis-server, with a RedisRegistryStore as the writer (the operator
// leader's side): notifications, the poll, stale generations and outages.
import { Writable } from 'node:stream';
import type { RedisClient } from '@junction/shared';
import {
  API_VERSION,
  closeRedisClient,
  createLogger,
  createRedisClient,
  type Logger,
  RedisRegistryStore,
  type Registry,
  type RegistryResources,
  type RegistryStore,
  RoutingGroup,
  redisKeys,
  TrinoCluster,
} from '@junction/shared';
import { type RedisServer, startRedis } from '../../../test/harness/redis.js';
import { untilPasses as eventually, sleep } from '../../../test/harness/wait.js';
import { RedisRegistrySource } from './redis-source.js';

interface LogRecord {
  level: string;
  message: string;
}

/** A real winston logger whose records land in an array instead of stderr. */
function capturingLogger(): { logger: Logger; records: LogRecord[] } {
  const logger = createLogger('debug', 'test');
  logger.clear();
  const records: LogRecord[] = [];
  logger.pipe(
    new Writable({
      objectMode: true,
      write(info: LogRecord, _encoding, done) {
        records.push(info);
        done();
      },
    }),
  );
  return { logger, records };
}

function cluster(name: string): TrinoCluster {
  return TrinoCluster.parse({
    apiVersion: API_VERSION,
    kind: 'TrinoCluster',
    metadata: { name, labels: { pool: 'adhoc' } },
    spec: { url: `http://${name}:8080` },
  });
}

function adhoc(rules: Array<{ name: string; condition: string }> = []): RoutingGroup {
  return RoutingGroup.parse({
    apiVersion: API_VERSION,
    kind: 'RoutingGroup',
    metadata: { name: 'adhoc' },
    spec: { clusterSelector: { matchLabels: { pool: 'adhoc' } }, rules },
  });
}

const resources = (...names: string[]): RegistryResources => ({ clusters: names.map(cluster), groups: [adhoc()] });
const clusterNames = (registry: Registry) => [...registry.clusters.keys()];

describe('RedisRegistrySource', () => {
  let server: RedisServer;
  let clients: RedisClient[];
  let stores: RegistryStore[];
  let sources: RedisRegistrySource[];
  let run = 0;
  let prefix: string;

  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server.stop();
  });
  beforeEach(() => {
    clients = [];
    stores = [];
    sources = [];
    prefix = `junction-source-${++run}:`;
  });
  afterEach(async () => {
    for (const source of sources) await source.close();
    for (const store of stores) await store.close();
    await Promise.all(clients.map(closeRedisClient));
  });

  function client(): RedisClient {
    const redis = createRedisClient({ url: server.url, keyPrefix: '', commandTimeout: 300 });
    clients.push(redis);
    return redis;
  }

  function store(): RedisRegistryStore {
    const created = new RedisRegistryStore(client(), prefix, { subscribeTimeoutMs: 500 });
    stores.push(created);
    return created;
  }

  async function source(
    options: { store?: RegistryStore; pollMs?: number; onError?: (error: unknown) => void } = {},
  ): Promise<{ source: RedisRegistrySource; records: LogRecord[]; changes: Registry[] }> {
    const { logger, records } = capturingLogger();
    const started = await RedisRegistrySource.start({
      store: options.store ?? store(),
      defaultRoutingGroup: 'adhoc',
      logger,
      pollMs: options.pollMs ?? 60_000,
      ...(options.onError === undefined ? {} : { onError: options.onError }),
    });
    sources.push(started);
    const changes: Registry[] = [];
    started.onChange((registry) => changes.push(registry));
    return { source: started, records, changes };
  }

  test('starts empty while nothing is published, then a publish arrives through the notification', async () => {
    // The poll is a minute away, so only the notification can deliver the snapshot in this test.
    const { source: subject, changes, records } = await source();
    expect(subject.hasSnapshot()).toBe(false);
    expect(subject.current().generation).toBe(0);
    expect(subject.current().clusters.size).toBe(0);
    expect(records.filter((r) => r.message.startsWith('no registry snapshot'))).toHaveLength(1);

    const generation = await store().publish(resources('blue', 'green'));
    await eventually(() => expect(subject.current().generation).toBe(generation));
    expect(subject.hasSnapshot()).toBe(true);
    expect(clusterNames(subject.current())).toEqual(['blue', 'green']);
    expect(subject.current().defaultGroup).toBe('adhoc');
    expect(changes.map((registry) => registry.generation)).toEqual([generation]);
  });

  test('starts with the snapshot already in the store', async () => {
    const generation = await store().publish(resources('blue'));
    const { source: subject } = await source();
    expect(subject.hasSnapshot()).toBe(true);
    expect(subject.current().generation).toBe(generation);
    expect(clusterNames(subject.current())).toEqual(['blue']);
  });

  test('a lost notification is caught by the poll', async () => {
    const real = store();
    // The same store, except that it never notifies: every message is "lost".
    const deaf: RegistryStore = {
      publish: (r) => real.publish(r),
      read: () => real.read(),
      subscribe: async () => async () => {},
      writeHealth: (c, h) => real.writeHealth(c, h),
      removeHealth: (c) => real.removeHealth(c),
      readHealth: () => real.readHealth(),
      close: () => real.close(),
    };
    const { source: subject } = await source({ store: deaf, pollMs: 100 });
    const generation = await store().publish(resources('blue'));
    await eventually(() => expect(subject.current().generation).toBe(generation));
    expect(clusterNames(subject.current())).toEqual(['blue']);
  });

  test('a snapshot whose generation is not newer than the one in use is ignored', async () => {
    const writer = store();
    await writer.publish(resources('blue'));
    const generation = await writer.publish(resources('blue'));
    const { source: subject, changes, records } = await source();
    const current = subject.current();
    // What a stale writer (or a restored backup) would leave behind.
    const stale = (older: number) =>
      JSON.stringify({ generation: older, publishedAt: new Date().toISOString(), ...resources('red') });
    const admin = client();
    await admin.set(redisKeys(prefix).registry.snapshot, stale(generation - 1));
    await subject.refresh();
    await subject.refresh();
    expect(subject.current()).toBe(current);
    await admin.set(redisKeys(prefix).registry.snapshot, stale(generation));
    await subject.refresh();
    expect(subject.current()).toBe(current);
    expect(clusterNames(subject.current())).toEqual(['blue']);
    expect(changes).toEqual([]);
    expect(records.filter((r) => r.message.startsWith('ignoring a registry snapshot older'))).toHaveLength(1);
  });

  test('a rebuild starts from the registry in use: a group whose rules break keeps its last valid rules', async () => {
    const writer = store();
    await writer.publish({ clusters: [cluster('blue')], groups: [adhoc([{ name: 'etl', condition: 'true' }])] });
    const { source: subject } = await source();
    const broken = await writer.publish({
      clusters: [cluster('blue')],
      groups: [adhoc([{ name: 'etl', condition: 'request.user ==' }])],
    });
    await eventually(() => expect(subject.current().generation).toBe(broken));
    const group = subject.current().groups.get('adhoc');
    expect(group?.rulesValid).toBe(false);
    expect(group?.rules.map((rule) => rule.condition)).toEqual(['true']);
  });

  test('while Redis is down it keeps routing with the last registry, logs once, and catches up after', async () => {
    const writer = store();
    const before = await writer.publish(resources('blue'));
    const errors: unknown[] = [];
    const { source: subject, records } = await source({ pollMs: 50, onError: (error) => errors.push(error) });
    const registry = subject.current();
    await server.stop();
    try {
      await eventually(() => expect(errors.length).toBeGreaterThanOrEqual(4));
      expect(subject.current()).toBe(registry);
      expect(subject.hasSnapshot()).toBe(true);
      expect(records.filter((r) => r.message.startsWith('cannot read the registry'))).toHaveLength(1);
    } finally {
      await server.restart();
    }
    // The restart lost every key; the writer's next generation still continues its sequence.
    const after = await eventually(() => writer.publish(resources('blue', 'green')));
    expect(after).toBeGreaterThan(before);
    await eventually(() => expect(subject.current().generation).toBe(after));
    expect(clusterNames(subject.current())).toEqual(['blue', 'green']);
    expect(records.filter((r) => r.message === 'registry readable in Redis again')).toHaveLength(1);
  });

  test('started while Redis is down, it starts empty and picks up the registry once Redis is back', async () => {
    await server.stop();
    let subject: RedisRegistrySource;
    try {
      ({ source: subject } = await source({ pollMs: 100 }));
      expect(subject.hasSnapshot()).toBe(false);
      expect(subject.current().generation).toBe(0);
    } finally {
      await server.restart();
    }
    const generation = await eventually(() => store().publish(resources('blue')));
    await eventually(() => expect(subject.current().generation).toBe(generation));
    // The subscription was retried too: a later publish arrives without waiting for the poll.
    await eventually(async () => {
      const probe = createRedisClient({ url: server.url, keyPrefix: '', commandTimeout: 300 });
      clients.push(probe);
      expect(await probe.call('PUBSUB', 'NUMSUB', redisKeys(prefix).registry.changed)).toEqual([
        redisKeys(prefix).registry.changed,
        1,
      ]);
    });
  });

  test('after close it no longer follows the store', async () => {
    const writer = store();
    const { source: subject, changes } = await source({ pollMs: 50 });
    const first = await writer.publish(resources('blue'));
    await eventually(() => expect(subject.current().generation).toBe(first));
    await subject.close();
    await writer.publish(resources('green'));
    await sleep(200); // four polls' worth: had it still been polling, it would have read the new snapshot
    expect(subject.current().generation).toBe(first);
    expect(changes).toHaveLength(1);
  });
});
