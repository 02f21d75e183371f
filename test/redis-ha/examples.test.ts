// docs/redis.md's example configs, run: examples/redis/gateway-{sentinel,cluster}.yaml load as written,
// then point at this test's own Sentinel set or Redis Cluster (the examples' loopback ports mapped in order)
// and a simulated cluster; a query runs and its mapping lands in Redis.
import { join } from 'node:path';
import type { RunningProxy } from '../../proxy/src/app.js';
import { loadGatewayConfig } from '../../shared/src/adapters/config-files.js';
import { closeRedisClient, createRedisClient, redisKeys } from '../../shared/src/adapters/redis-client.js';
import { SimTrino } from '../fixtures/sim-trino.js';
import { clusterResource, groupResource, REPO_ROOT, startInProcess, Workspace } from '../harness/proxy.js';
import { type RedisTopology, startRedisTopology } from '../harness/redis-ha.js';
import { runQuery } from '../harness/trino-http.js';

describe.each(['sentinel', 'cluster'] as const)('examples/redis/gateway-%s.yaml', (mode) => {
  let topology: RedisTopology;
  let sim: SimTrino;
  let workspace: Workspace;
  let proxy: RunningProxy;

  beforeAll(async () => {
    topology = await startRedisTopology(mode);
    sim = await SimTrino.start({ name: 'blue' });
    workspace = new Workspace();
    workspace.writeResources([
      clusterResource('blue', { url: sim.url, labels: { pool: 'adhoc' } }),
      groupResource('adhoc', { matchLabels: { pool: 'adhoc' }, default: true }),
    ]);
  }, 60_000);

  afterAll(async () => {
    await proxy?.close();
    await sim?.close();
    await topology?.stop();
    workspace?.remove();
  });

  test('loads as written and routes a query with its mapping in Redis', async () => {
    const example = loadGatewayConfig(join(REPO_ROOT, `examples/redis/gateway-${mode}.yaml`), {});
    const redis = example.redis;
    expect(redis?.[mode]).toBeDefined();
    expect(redis?.commandTimeout).toBe(500);
    // The example's nodes, in order, become this test's servers.
    const ours = topology.config(redis?.keyPrefix ?? '', 500);
    const section = {
      ...redis,
      ...(mode === 'sentinel' ? { sentinel: { ...redis?.sentinel, ...ours.sentinel } } : { cluster: ours.cluster }),
    };
    expect((mode === 'sentinel' ? redis?.sentinel?.nodes : redis?.cluster?.nodes)?.length).toBe(3);
    proxy = await startInProcess({ ...workspace.config(), redis: section } as Parameters<typeof startInProcess>[0]);
    await proxy.health.firstRound;
    const run = await runQuery(proxy.url, 'SELECT 1 -- sim:pages=2');
    expect(run.state).toBe('FINISHED');
    const client = createRedisClient(ours);
    try {
      expect(await client.get(redisKeys(ours.keyPrefix).query(run.id))).toBe('blue');
    } finally {
      await closeRedisClient(client);
    }
  });
});
