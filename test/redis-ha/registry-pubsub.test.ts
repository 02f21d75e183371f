// Registry updates reach a proxy over Pub/Sub through Redis Sentinel and through Redis Cluster: the proxy
// (no resources files: it reads what the operator publishes) holds a subscription on the registry channel,
// and each snapshot published the way the operator leader does becomes its registry, then routes a query.
import { request } from 'undici';
import type { RunningProxy } from '../../proxy/src/app.js';
import {
  closeRedisClient,
  createRedisClient,
  type RedisClient,
  redisKeys,
} from '../../shared/src/adapters/redis-client.js';
import { RedisRegistryStore } from '../../shared/src/adapters/redis-registry-store.js';
import type { RegistryResources } from '../../shared/src/contract/registry-store.js';
import { API_VERSION } from '../../shared/src/contract/resource-kinds.js';
import { RoutingGroup, TrinoCluster } from '../../shared/src/contract/schemas/resources.js';
import { SimTrino } from '../fixtures/sim-trino.js';
import { eventually, startInProcess, Workspace } from '../harness/proxy.js';
import { type RedisTopology, startRedisTopology } from '../harness/redis-ha.js';
import { runQuery } from '../harness/trino-http.js';

const PREFIX = 'pubsub:';

function resources(sims: readonly SimTrino[]): RegistryResources {
  return {
    clusters: sims.map((sim) =>
      TrinoCluster.parse({
        apiVersion: API_VERSION,
        kind: 'TrinoCluster',
        metadata: { name: sim.name, namespace: 'junction', labels: { pool: 'adhoc' } },
        spec: { url: sim.url },
      }),
    ),
    groups: [
      RoutingGroup.parse({
        apiVersion: API_VERSION,
        kind: 'RoutingGroup',
        metadata: { name: 'adhoc', namespace: 'junction' },
        spec: { clusterSelector: { matchLabels: { pool: 'adhoc' } }, default: true },
      }),
    ],
  };
}

/** Subscribers of `channel` over every primary (classic Pub/Sub counts only a node's own clients). */
async function subscribers(client: RedisClient, channel: string): Promise<number> {
  const nodes = 'nodes' in client ? client.nodes('master') : [client];
  let total = 0;
  for (const node of nodes) {
    const reply = (await node.call('PUBSUB', 'NUMSUB', channel)) as [string, number];
    total += Number(reply[1]);
  }
  return total;
}

describe.each(['sentinel', 'cluster'] as const)('registry Pub/Sub over Redis %s', (mode) => {
  let topology: RedisTopology;
  let sims: SimTrino[];
  let workspace: Workspace;
  let proxy: RunningProxy;
  let writer: RedisClient;
  let operator: RedisRegistryStore;

  beforeAll(async () => {
    topology = await startRedisTopology(mode);
    sims = await Promise.all(['one', 'two'].map((name) => SimTrino.start({ name: `${mode}-${name}` })));
    writer = createRedisClient(topology.config(PREFIX, 1000), { name: 'test-operator' });
    operator = new RedisRegistryStore(writer, PREFIX);
    workspace = new Workspace();
    const { resources: _files, ...config } = workspace.config({ redis: topology.config(PREFIX, 500) });
    proxy = await startInProcess(config);
  }, 60_000);

  afterAll(async () => {
    await proxy?.close();
    await operator?.close();
    if (writer !== undefined) await closeRedisClient(writer);
    await Promise.all((sims ?? []).map((sim) => sim.close()));
    await topology?.stop();
    workspace?.remove();
  });

  test('each published snapshot becomes the proxy registry, and its clusters take queries', async () => {
    const channel = redisKeys(PREFIX).registry.changed;
    await eventually(async () => (await subscribers(writer, channel)) >= 1);

    const first = await operator.publish(resources(sims.slice(0, 1)));
    await eventually(() => proxy.registry().generation === first);
    expect([...proxy.registry().clusters.keys()]).toEqual([sims[0]?.name]);

    const second = await operator.publish(resources(sims));
    await eventually(() => proxy.registry().generation === second);
    expect([...proxy.registry().clusters.keys()].sort()).toEqual(sims.map((sim) => sim.name).sort());

    for (const sim of sims) {
      await operator.writeHealth(sim.name, {
        phase: 'Healthy',
        runningQueries: 0,
        queuedQueries: 0,
        activeNodes: undefined,
        probedAt: Date.now(),
        message: 'ok',
      });
    }
    // The proxy re-reads health from Redis on its own schedule (not Pub/Sub); wait for it.
    await eventually(() => sims.every((sim) => proxy.health.get(sim.name).phase === 'Healthy'), 20_000);
    expect((await request(`${proxy.adminUrl}/readyz`)).statusCode).toBe(200);
    const run = await runQuery(proxy.url, 'SELECT 1 -- sim:pages=2');
    expect({ state: run.state, error: run.error?.message }).toEqual({ state: 'FINISHED', error: undefined });
    expect(sims.some((sim) => sim.queryIds().includes(run.id))).toBe(true);
  });
});
