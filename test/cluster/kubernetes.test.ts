// The whole Kubernetes path with real parts: kubectl → kube-apiserver (+ etcd) → operator →
// Redis → proxy process → simulated Trino coordinators. Blue/green, drain, delete, invalid rules
// and a Redis restart, as a platform engineer would run them.
import { request } from 'undici';
import { SimTrino } from '../fixtures/sim-trino.js';
import { type ControlPlane, startControlPlane } from '../harness/kube.js';
import { type OperatorProcess, spawnOperator } from '../harness/operator.js';
import { eventually, type ProxyProcess, REPO_ROOT, spawnProxy, Workspace } from '../harness/proxy.js';
import { type RedisServer, startRedis } from '../harness/redis.js';
import { followToEnd, runQuery, submit } from '../harness/trino-http.js';

const NAMESPACE = 'trino';
let kube: ControlPlane;
let redis: RedisServer;
let workspace: Workspace;
let sims: Record<'blue' | 'green' | 'slow', SimTrino>;
let operator: OperatorProcess;
let proxy: ProxyProcess;

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
      cluster('blue', sims.blue.url, { pool: 'adhoc' }),
      cluster('green', sims.green.url, { pool: 'standby' }),
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
    redis: { url: redis.url, keyPrefix: 'k8s-test:' },
    leaderElection: { leaseDurationSeconds: 4, renewDeadlineSeconds: 3, retryPeriodSeconds: 1 },
    logging: { level: 'warn' },
  });
  const config = workspace.config({ redis: { url: redis.url, keyPrefix: 'k8s-test:' } });
  delete config.resources;
  proxy = await spawnProxy(workspace.writeConfig(config, 'proxy.yaml'));
  await eventually(async () => (await request(`${proxy.adminUrl}/readyz`)).statusCode === 200, 30_000, 200);
}, 120_000);

afterAll(async () => {
  await proxy?.stop();
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

it('blue/green: two relabels move new queries to green within a second; the running query finishes on blue', async () => {
  const running = await submit(proxy.url, 'SELECT 1 -- sim:pages=20 sim:pageDelayMs=100');
  expect(owner(running.body.id)).toBe('blue');
  const started = performance.now();
  await kubectl(['label', 'tc', 'green', 'pool=adhoc', '--overwrite']);
  await kubectl(['label', 'tc', 'blue', 'pool=retired', '--overwrite']);
  const labelled = performance.now();
  await eventually(
    async () => {
      const answer = await submit(proxy.url, 'SELECT 1');
      return owner(answer.body.id) === 'green';
    },
    5_000,
    20,
  );
  const propagated = performance.now() - labelled;
  console.log(
    `blue/green propagation: ${propagated.toFixed(0)} ms after the second kubectl label (${(performance.now() - started).toFixed(0)} ms in all)`,
  );
  expect(propagated).toBeLessThan(1_000);
  for (let i = 0; i < 4; i++) expect(owner((await submit(proxy.url, 'SELECT 1')).body.id)).toBe('green');
  // The query that was running on blue keeps reaching blue until it finishes.
  expect(await followToEnd(running.body.nextUri)).toBe('FINISHED');
  expect(sims.green.recordsFor(running.body.id)).toHaveLength(0);
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
