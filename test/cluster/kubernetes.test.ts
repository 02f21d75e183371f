// The whole Kubernetes path with real parts: kubectl → kube-apiserver (+ etcd) → operator →
// Redis → two proxy processes → simulated Trino coordinators. Blue/green (two relabels, and one
// selector patch), drain, delete, invalid rules and a Redis restart, as a platform engineer would run them.
import { buildRegistry, closeRedisClient, createRedisClient, RedisRegistryStore } from '@junction/shared';
import { request } from 'undici';
import { SimTrino } from '../fixtures/sim-trino.js';
import { untilEveryProxyRoutes } from '../harness/admin-view.js';
import { type ControlPlane, startControlPlane } from '../harness/kube.js';
import { type OperatorProcess, spawnOperator } from '../harness/operator.js';
import { eventually, type ProxyProcess, REPO_ROOT, spawnProxy, Workspace } from '../harness/proxy.js';
import { type RedisServer, startRedis } from '../harness/redis.js';
import { followToEnd, runQuery, submit } from '../harness/trino-http.js';

const NAMESPACE = 'trino';
const KEY_PREFIX = 'k8s-test:';
let kube: ControlPlane;
let redis: RedisServer;
let workspace: Workspace;
let sims: Record<'blue' | 'green' | 'slow', SimTrino>;
let operator: OperatorProcess;
let proxy: ProxyProcess;
/** A second replica on the same Redis: propagation is only done when every replica has it. */
let replica: ProxyProcess;
const adminUrls = () => [proxy.adminUrl, replica.adminUrl];

const owner = (queryId: string) => Object.values(sims).find((sim) => sim.queryIds().includes(queryId))?.name;

async function kubectl(args: string[], input?: string): Promise<string> {
  const result = await kube.kubectl(['-n', NAMESPACE, ...args], input);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/** kubectl reads one JSON document from stdin: several resources travel as a List. */
function list(items: object[]): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
}

function cluster(name: string, url: string, labels: Record<string, string>, spec: object = {}): object {
  return {
    apiVersion: 'junction.dev/v1alpha1',
    kind: 'TrinoCluster',
    metadata: { name, labels },
    spec: { url, healthCheck: { intervalSeconds: 1, timeoutSeconds: 1, failureThreshold: 1 }, ...spec },
  };
}

function group(name: string, spec: object): object {
  return { apiVersion: 'junction.dev/v1alpha1', kind: 'RoutingGroup', metadata: { name }, spec };
}

/**
 * `group`'s members in every registry snapshot the operator publishes while `during` runs (read on each
 * change notification, so a snapshot superseded before the read is not seen; `complete` says whether
 * every generation in between was read).
 */
async function publishedMembers(
  group: string,
  during: () => Promise<void>,
): Promise<{ members: string[][]; complete: boolean }> {
  const client = createRedisClient({ url: redis.url, keyPrefix: KEY_PREFIX, commandTimeout: 2_000 });
  const store = new RedisRegistryStore(client, KEY_PREFIX);
  const seen = new Map<number, string[]>();
  const reads: Array<Promise<void>> = [];
  const record = async () => {
    const snapshot = await store.read();
    if (snapshot === undefined) return;
    const registry = buildRegistry({ ...snapshot, defaultRoutingGroup: 'adhoc' });
    seen.set(snapshot.generation, [...(registry.groups.get(group)?.members ?? [])]);
  };
  const unsubscribe = await store.subscribe(() => reads.push(record()));
  try {
    await during();
  } finally {
    await unsubscribe();
    // The proxies may have read the last snapshot before this subscriber heard of it.
    reads.push(record());
    await Promise.all(reads);
    await store.close();
    await closeRedisClient(client);
  }
  const generations = [...seen.keys()].sort((a, b) => a - b);
  const complete = generations.every((generation, i) => i === 0 || generation === (generations[i - 1] as number) + 1);
  return { members: generations.map((generation) => seen.get(generation) as string[]), complete };
}

async function proxyClusters(): Promise<Array<{ name: string; phase: string; routingGroups: string[] }>> {
  return (await (await request(`${proxy.adminUrl}/api/v1/clusters`)).body.json()) as Array<{
    name: string;
    phase: string;
    routingGroups: string[];
  }>;
}

beforeAll(async () => {
  [kube, redis] = await Promise.all([startControlPlane({ namespace: NAMESPACE }), startRedis()]);
  sims = {
    blue: await SimTrino.start({ name: 'blue' }),
    green: await SimTrino.start({ name: 'green' }),
    slow: await SimTrino.start({ name: 'slow', starting: true }),
  };
  await kubectl(['apply', '-f', `${REPO_ROOT}/crds/`]);
  await kubectl(['wait', '--for', 'condition=established', '--timeout=30s', 'crd/trinoclusters.junction.dev']);
  await kubectl(['wait', '--for', 'condition=established', '--timeout=30s', 'crd/routinggroups.junction.dev']);
  await kubectl(
    ['apply', '-f', '-'],
    list([
      cluster('blue', sims.blue.url, { pool: 'adhoc', release: 'blue' }),
      cluster('green', sims.green.url, { pool: 'standby', release: 'green' }),
      cluster('slow', sims.slow.url, { pool: 'adhoc' }),
      group('adhoc', { clusterSelector: { matchLabels: { pool: 'adhoc' } }, default: true, strategy: 'RoundRobin' }),
      group('etl', {
        clusterSelector: { matchLabels: { pool: 'standby' } },
        rules: [{ name: 'airflow', condition: 'request.source == "airflow"' }],
      }),
    ]),
  );
  workspace = new Workspace();
  operator = await spawnOperator(workspace.dir, 'operator', {
    kubernetes: { kubeconfig: kube.kubeconfig, namespace: NAMESPACE },
    redis: { url: redis.url, keyPrefix: KEY_PREFIX },
    leaderElection: { leaseDurationSeconds: 4, renewDeadlineSeconds: 3, retryPeriodSeconds: 1 },
    logging: { level: 'warn' },
  });
  const config = workspace.config({ redis: { url: redis.url, keyPrefix: KEY_PREFIX } });
  delete config.resources;
  const file = workspace.writeConfig(config, 'proxy.yaml');
  [proxy, replica] = await Promise.all([spawnProxy(file), spawnProxy(file)]);
  for (const adminUrl of adminUrls()) {
    await eventually(async () => (await request(`${adminUrl}/readyz`)).statusCode === 200, 30_000, 200);
  }
}, 120_000);

afterAll(async () => {
  await Promise.all([proxy?.stop(), replica?.stop()]);
  await operator?.stop();
  await Promise.all(Object.values(sims ?? {}).map((sim) => sim.close()));
  await redis?.stop();
  await kube?.stop();
  workspace?.remove();
});

it('routes by the applied resources; kubectl shows health, and a starting cluster gets no query', async () => {
  await eventually(async () => (await proxyClusters()).some((c) => c.name === 'blue' && c.phase === 'Healthy'), 15_000);
  for (let i = 0; i < 6; i++) {
    const run = await runQuery(proxy.url, 'SELECT 1');
    expect(owner(run.id)).toBe('blue');
  }
  const airflow = await runQuery(proxy.url, 'SELECT 1', { headers: { 'x-trino-source': 'airflow' } });
  expect(owner(airflow.id)).toBe('green');
  await eventually(async () => {
    const tc = JSON.parse(await kubectl(['get', 'tc', 'blue', '-o', 'json']));
    return tc.status?.phase === 'Healthy' && tc.status?.routingGroups?.includes('adhoc');
  }, 15_000);
  const slow = JSON.parse(await kubectl(['get', 'tc', 'slow', '-o', 'json']));
  expect(slow.status.phase).toBe('Pending');
  expect(sims.slow.queryIds()).toHaveLength(0);
  const table = await kubectl(['get', 'tc']);
  expect(table).toMatch(/blue\s+http:\/\/127\.0\.0\.1:\d+\s+Healthy/);
});

it('blue/green: two relabels; once every proxy has dropped blue, no new query reaches blue; the running query finishes there', async () => {
  const running = await submit(proxy.url, 'SELECT 1 -- sim:pages=20 sim:pageDelayMs=100');
  expect(owner(running.body.id)).toBe('blue');
  const started = performance.now();
  let labelled = 0;
  const published = await publishedMembers('adhoc', async () => {
    await kubectl(['label', 'tc', 'green', 'pool=adhoc', '--overwrite']);
    await kubectl(['label', 'tc', 'blue', 'pool=retired', '--overwrite']);
    labelled = performance.now();
    // Not "one submission landed on green": after the first relabel both clusters are members. Wait
    // until every replica's registry routes new queries of adhoc to green alone.
    await untilEveryProxyRoutes(adminUrls(), 'adhoc', ['green']);
  });
  const propagated = performance.now() - labelled;
  console.log(
    `blue/green propagation (two relabels): every proxy routes adhoc to green alone ${propagated.toFixed(0)} ms ` +
      `after the second kubectl label returned (${(performance.now() - started).toFixed(0)} ms after the first ` +
      `began); adhoc members in the published snapshots: ${JSON.stringify(published.members)}`,
  );
  expect(propagated).toBeLessThan(1_000);
  expect(published.members.at(-1)).toEqual(['green', 'slow']);

  // From here on no new query may reach blue, through either replica.
  const onBlue = sims.blue.queryIds().length;
  for (let i = 0; i < 10; i++) {
    const via = i % 2 === 0 ? proxy : replica;
    expect(owner((await submit(via.url, 'SELECT 1')).body.id)).toBe('green');
  }
  expect(sims.blue.queryIds()).toHaveLength(onBlue);
  // The query that was running on blue keeps reaching blue until it finishes.
  expect(await followToEnd(running.body.nextUri)).toBe('FINISHED');
  expect(sims.green.recordsFor(running.body.id)).toHaveLength(0);
});

it('blue/green in one step: a RoutingGroup selector patch swaps clusters with no intermediate state', async () => {
  await kubectl(
    ['apply', '-f', '-'],
    JSON.stringify(group('release', { clusterSelector: { matchLabels: { release: 'green' } } })),
  );
  await untilEveryProxyRoutes(adminUrls(), 'release', ['green']);
  const header = { 'x-trino-routing-group': 'release' };
  const running = await submit(proxy.url, 'SELECT 1 -- sim:pages=20 sim:pageDelayMs=100', header);
  expect(owner(running.body.id)).toBe('green');

  let patched = 0;
  const published = await publishedMembers('release', async () => {
    const selector = { spec: { clusterSelector: { matchLabels: { release: 'blue' } } } };
    await kubectl(['patch', 'rg', 'release', '--type=merge', '-p', JSON.stringify(selector)]);
    patched = performance.now();
    await untilEveryProxyRoutes(adminUrls(), 'release', ['blue']);
  });
  console.log(
    `blue/green propagation (selector patch): every proxy routes to blue alone ${(performance.now() - patched).toFixed(0)} ms ` +
      `after kubectl patch returned; members in the published snapshots: ${JSON.stringify(published.members)} ` +
      `(${published.complete ? 'every generation read' : 'some generations superseded before they were read'})`,
  );
  // One write changes the selector, so every snapshot has the old member or the new one, never both or none.
  expect(published.members.length).toBeGreaterThan(0);
  for (const members of published.members) expect([['green'], ['blue']]).toContainEqual(members);
  expect(published.members.at(-1)).toEqual(['blue']);

  const onGreen = sims.green.queryIds().length;
  for (let i = 0; i < 10; i++) {
    const via = i % 2 === 0 ? proxy : replica;
    expect(owner((await submit(via.url, 'SELECT 1', header)).body.id)).toBe('blue');
  }
  expect(sims.green.queryIds()).toHaveLength(onGreen);
  expect(await followToEnd(running.body.nextUri)).toBe('FINISHED');
  expect(sims.blue.recordsFor(running.body.id)).toHaveLength(0);
  await kubectl(['delete', 'rg', 'release']);
});

it('drain keeps follow-ups flowing and sends no new query; delete removes the cluster', async () => {
  await kubectl(['label', 'tc', 'blue', 'pool=adhoc', '--overwrite']);
  const running = await submit(proxy.url, 'SELECT 1 -- sim:pages=3', { 'x-trino-routing-group': 'adhoc' });
  const home = owner(running.body.id) as 'blue' | 'green';
  const other = home === 'blue' ? 'green' : 'blue';
  await kubectl(['patch', 'tc', home, '--type=merge', '-p', '{"spec":{"enabled":false}}']);
  await eventually(async () => (await proxyClusters()).some((c) => c.name === home && c.phase === 'Draining'), 5_000);
  for (let i = 0; i < 4; i++) expect(owner((await submit(proxy.url, 'SELECT 1')).body.id)).toBe(other);
  const follow = await request(running.body.nextUri, { headers: { 'x-trino-user': 'tester' } });
  expect(follow.statusCode).toBe(200);
  await follow.body.dump();
  await eventually(
    async () => JSON.parse(await kubectl(['get', 'tc', home, '-o', 'json'])).status?.phase === 'Draining',
  );

  await kubectl(['delete', 'tc', home]);
  await eventually(async () => !(await proxyClusters()).some((c) => c.name === home), 5_000);
  // A follow-up of a query on a deleted cluster is answered clearly, not sent anywhere else.
  const gone = await request(running.body.nextUri, { headers: { 'x-trino-user': 'tester' } });
  expect(gone.statusCode).toBe(404);
  expect(((await gone.body.json()) as { error: { message: string } }).error.message).toContain('no longer registered');
});

it('a rule that does not compile is reported in status and the previous rules keep routing', async () => {
  await kubectl([
    'patch',
    'rg',
    'etl',
    '--type=merge',
    '-p',
    JSON.stringify({ spec: { rules: [{ name: 'broken', condition: 'request.source ==' }] } }),
  ]);
  await eventually(async () => {
    const rg = JSON.parse(await kubectl(['get', 'rg', 'etl', '-o', 'json']));
    const rulesValid = rg.status?.conditions?.find((c: { type: string }) => c.type === 'RulesValid');
    return rulesValid?.status === 'False' && /syntax|expect/i.test(rulesValid.message ?? '');
  }, 10_000);
  const events = await kubectl(['get', 'events', '--field-selector', 'involvedObject.name=etl']);
  expect(events).toMatch(/Warning/);
  // The previous rule still claims airflow's queries for "etl" (left without members by the
  // blue/green swap, so the query fails naming that group), while other queries go to the default.
  const airflow = await submit(proxy.url, 'SELECT 1', { 'x-trino-source': 'airflow' });
  expect(airflow.body.stats.state).toBe('FAILED');
  expect(airflow.body.error.message).toContain('routing group "etl"');
  expect(owner((await submit(proxy.url, 'SELECT 1')).body.id)).toBeDefined();
  const groups = (await (await request(`${proxy.adminUrl}/api/v1/groups`)).body.json()) as Array<{
    name: string;
    rules: Array<{ name: string }>;
  }>;
  expect(groups.find((g) => g.name === 'etl')?.rules.map((r) => r.name)).toEqual(['airflow']);
});

it('the proxy keeps routing while Redis restarts, and follows new changes after', async () => {
  await redis.stop();
  for (let i = 0; i < 3; i++) expect((await runQuery(proxy.url, 'SELECT 1')).state).toBe('FINISHED');
  await redis.restart();
  await kubectl(['patch', 'rg', 'etl', '--type=merge', '-p', JSON.stringify({ spec: { rules: [] } })]);
  await eventually(
    async () => {
      const groups = (await (await request(`${proxy.adminUrl}/api/v1/groups`)).body.json()) as Array<{
        name: string;
        rules: unknown[];
      }>;
      return groups.find((g) => g.name === 'etl')?.rules.length === 0;
    },
    20_000,
    200,
  );
});
