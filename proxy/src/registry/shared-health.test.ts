// SharedHealthView against a real redis-server, with a RedisRegistryStore as the writer (the operator's
// prober side): reading, local unreachable marks, outages.

import type { RedisClient } from '@junction/shared';
import {
  type ClusterHealth,
  closeRedisClient,
  createRedisClient,
  PENDING_HEALTH,
  RedisRegistryStore,
} from '@junction/shared';
import { type RedisServer, startRedis } from '../../../test/harness/redis.js';
import { untilPasses as eventually, sleep } from '../../../test/harness/wait.js';
import { SharedHealthView, type SharedHealthViewOptions } from './shared-health.js';

const healthy = (probedAt: number, runningQueries = 2): ClusterHealth => ({
  phase: 'Healthy',
  runningQueries,
  queuedQueries: 0,
  activeNodes: 3,
  probedAt,
  message: 'ok',
});

interface Change {
  name: string;
  phase: string;
  previous: string;
}

describe('SharedHealthView', () => {
  let server: RedisServer;
  let clients: RedisClient[];
  let stores: RedisRegistryStore[];
  let views: SharedHealthView[];
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
    views = [];
    prefix = `junction-health-${++run}:`;
  });
  afterEach(async () => {
    for (const view of views) view.stop();
    for (const store of stores) await store.close();
    await Promise.all(clients.map(closeRedisClient));
  });

  function store(): RedisRegistryStore {
    const client = createRedisClient({ url: server.url, keyPrefix: '', commandTimeout: 300 });
    clients.push(client);
    const created = new RedisRegistryStore(client, prefix);
    stores.push(created);
    return created;
  }

  function view(options: Partial<SharedHealthViewOptions> = {}): { view: SharedHealthView; changes: Change[] } {
    const changes: Change[] = [];
    const started = SharedHealthView.start({
      store: store(),
      pollMs: 60_000,
      onChange: (name, health, previous) => changes.push({ name, phase: health.phase, previous: previous.phase }),
      ...options,
    });
    views.push(started);
    return { view: started, changes };
  }

  test("reads every cluster's health from the store; a cluster without an entry is pending", async () => {
    const writer = store();
    await writer.writeHealth('blue', healthy(1000));
    await writer.writeHealth('green', { ...healthy(1000), phase: 'Unhealthy', message: 'connection refused' });
    const { view: subject, changes } = view();
    await subject.firstRound;
    expect(subject.get('blue')).toEqual(healthy(1000));
    expect(subject.get('green')).toMatchObject({ phase: 'Unhealthy', message: 'connection refused' });
    expect(subject.get('red')).toBe(PENDING_HEALTH);
    expect([...subject.all().keys()].sort()).toEqual(['blue', 'green']);
    // Hash order is Redis's business; compare by name.
    expect([...changes].sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: 'blue', phase: 'Healthy', previous: 'Pending' },
      { name: 'green', phase: 'Unhealthy', previous: 'Pending' },
    ]);
  });

  test('follows the store on every poll, including removed entries', async () => {
    const writer = store();
    await writer.writeHealth('blue', healthy(1000));
    const { view: subject } = view({ pollMs: 50 });
    await subject.firstRound;
    await writer.writeHealth('blue', healthy(2000, 7));
    await eventually(() => expect(subject.get('blue').runningQueries).toBe(7));
    await writer.removeHealth('blue');
    await eventually(() => expect(subject.get('blue')).toBe(PENDING_HEALTH));
  });

  test('markUnreachable makes a cluster Unhealthy until the store has a probe taken after the mark', async () => {
    const writer = store();
    await writer.writeHealth('blue', healthy(1000));
    const { view: subject, changes } = view();
    await subject.firstRound;
    subject.markUnreachable('blue', 'connect ECONNREFUSED');
    expect(subject.get('blue')).toMatchObject({ phase: 'Unhealthy', message: 'connect ECONNREFUSED', probedAt: 1000 });
    expect(subject.get('green')).toBe(PENDING_HEALTH);

    // The probe the mark covers, re-read or rewritten, does not lift it.
    await subject.refresh();
    await writer.writeHealth('blue', healthy(1000, 5));
    await subject.refresh();
    expect(subject.get('blue').phase).toBe('Unhealthy');

    await writer.writeHealth('blue', healthy(2000));
    await subject.refresh();
    expect(subject.get('blue')).toEqual(healthy(2000));
    expect(changes.filter((change) => change.name === 'blue')).toEqual([
      { name: 'blue', phase: 'Healthy', previous: 'Pending' },
      { name: 'blue', phase: 'Unhealthy', previous: 'Healthy' },
      { name: 'blue', phase: 'Healthy', previous: 'Unhealthy' },
    ]);
  });

  test('a mark on a cluster never probed holds until its first probe', async () => {
    const writer = store();
    const { view: subject } = view();
    await subject.firstRound;
    subject.markUnreachable('blue', 'connect ETIMEDOUT');
    await subject.refresh();
    expect(subject.get('blue')).toMatchObject({ phase: 'Unhealthy', message: 'connect ETIMEDOUT' });
    await writer.writeHealth('blue', healthy(5));
    await subject.refresh();
    expect(subject.get('blue')).toEqual(healthy(5));
  });

  test('while Redis is down the last health read stays in use', async () => {
    await store().writeHealth('blue', healthy(1000));
    const errors: unknown[] = [];
    const { view: subject } = view({ pollMs: 50, onError: (error) => errors.push(error) });
    await subject.firstRound;
    await server.stop();
    try {
      await eventually(() => expect(errors.length).toBeGreaterThanOrEqual(3));
      expect(subject.get('blue')).toEqual(healthy(1000));
    } finally {
      await server.restart();
    }
    // The restart lost the hash: the view follows the store again, now empty.
    await eventually(() => expect(subject.get('blue')).toBe(PENDING_HEALTH));
  });

  test('firstRound waits for the first successful read', async () => {
    await server.stop();
    let first = false;
    const errors: unknown[] = [];
    let subject: SharedHealthView;
    try {
      ({ view: subject } = view({ pollMs: 50, onError: (error) => errors.push(error) }));
      void subject.firstRound.then(() => {
        first = true;
      });
      await eventually(() => expect(errors.length).toBeGreaterThanOrEqual(3));
      expect(first).toBe(false);
    } finally {
      await server.restart();
    }
    await store().writeHealth('blue', healthy(1000));
    await subject.firstRound;
    await eventually(() => expect(subject.get('blue')).toEqual(healthy(1000)));
  });

  test('stop ends the polling and settles firstRound', async () => {
    await server.stop();
    let subject: SharedHealthView;
    try {
      ({ view: subject } = view({ pollMs: 50 }));
      subject.stop();
      await subject.firstRound;
    } finally {
      await server.restart();
    }
    await store().writeHealth('blue', healthy(1000));
    await sleep(200); // four polls' worth: a view still polling would have read the entry
    expect(subject.get('blue')).toBe(PENDING_HEALTH);
  });
});
