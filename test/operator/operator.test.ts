// The operator end to end, in-process: real kube-apiserver + etcd, real Redis, simulated Trino
// coordinators. Resources go in with kubectl; the snapshot, health and .status come out.
import {
  buildRegistry,
  type ClusterHealth,
  createLogger,
  OperatorConfig,
  type RuleRequest,
  silentLogger,
} from '@junction/shared';
import { type RunningOperator, startOperator } from '../../operator/src/operator.js';
import { SimTrino } from '../fixtures/sim-trino.js';
import {
  apply,
  type Environment,
  events,
  eventually,
  getJson,
  kubectlOk,
  operatorConfig,
  routingGroup,
  sleep,
  startEnvironment,
  trinoCluster,
} from './support.js';

let env: Environment;
let operator: RunningOperator;
let blue: SimTrino;
let green: SimTrino;

beforeAll(async () => {
  env = await startEnvironment();
  blue = await SimTrino.start({ name: 'blue' });
  green = await SimTrino.start({ name: 'green', starting: true });
  blue.setReportedLoad({ running: 3, queued: 1 });
  const started = Date.now();
  operator = await startOperator(OperatorConfig.parse(operatorConfig(env)), {
    logger: process.env['OPERATOR_TEST_LOG'] ? createLogger('debug', 'operator') : silentLogger(),
  });
  await eventually('the operator leads', () => operator.isLeader());
  process.stdout.write(`operator leading ${Date.now() - started} ms after start\n`);
}, 120_000);

afterAll(async () => {
  await operator?.close();
  await Promise.all([blue?.close(), green?.close()]);
  await env?.stop();
});

const request = (source: string): RuleRequest => ({
  method: 'POST',
  path: '/v1/statement',
  query: {},
  headers: {},
  user: 'alice',
  source,
  clientTags: [],
  catalog: '',
  schema: '',
});

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${operator.adminUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(name))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

const condition = (status: Record<string, unknown> | undefined, type: string) =>
  (status?.['conditions'] as Array<Record<string, unknown>> | undefined)?.find((c) => c['type'] === type);

describe('operator', () => {
  test('publishes TrinoClusters and RoutingGroups to Redis and writes their status', async () => {
    await apply(
      env,
      trinoCluster('blue', {
        url: blue.url,
        healthCheck: { type: 'Metrics', intervalSeconds: 1, timeoutSeconds: 1, failureThreshold: 1 },
      }),
      routingGroup('adhoc', { clusterSelector: { matchLabels: { pool: 'adhoc' } }, default: true }),
    );
    // Timed from kubectl's return: its API discovery alone takes seconds on a fresh cache.
    const t0 = Date.now();
    const published = await eventually('snapshot with blue and adhoc', async () => {
      const snapshot = await env.store.read();
      return snapshot?.clusters.some((c) => c.metadata.name === 'blue') && snapshot.groups.length === 1 && snapshot;
    });
    process.stdout.write(`snapshot published ${Date.now() - t0} ms after kubectl apply returned\n`);
    expect(published.clusters[0]).toMatchObject({
      metadata: { name: 'blue', labels: { pool: 'adhoc' } },
      spec: { url: blue.url, enabled: true, weight: 1 },
    });
    expect(published.groups[0]).toMatchObject({ metadata: { name: 'adhoc' }, spec: { default: true } });
    expect(published.clusters[0]).not.toHaveProperty('status');

    const health = await eventually('blue healthy in Redis', async () => {
      const entry = (await env.store.readHealth()).get('blue');
      return entry?.phase === 'Healthy' && entry;
    });
    expect(health).toMatchObject<Partial<ClusterHealth>>({ runningQueries: 3, queuedQueries: 1 });

    const tc = await eventually('blue status Healthy', async () => {
      const object = await getJson(env, 'tc', 'blue');
      return object.status?.['phase'] === 'Healthy' && object;
    });
    process.stdout.write(`TrinoCluster status Healthy ${Date.now() - t0} ms after kubectl apply returned\n`);
    expect(tc.status).toMatchObject({
      phase: 'Healthy',
      runningQueries: 3,
      queuedQueries: 1,
      routingGroups: ['adhoc'],
      observedGeneration: tc.metadata.generation,
    });
    expect(condition(tc.status, 'Ready')).toMatchObject({ status: 'True', reason: 'Healthy' });

    const rg = await eventually('adhoc status', async () => {
      const object = await getJson(env, 'rg', 'adhoc');
      return object.status?.['healthyClusters'] === 1 && object;
    });
    expect(rg.status).toMatchObject({
      clusters: ['blue'],
      healthyClusters: 1,
      observedGeneration: rg.metadata.generation,
    });
    expect(condition(rg.status, 'RulesValid')).toMatchObject({ status: 'True' });
    expect(condition(rg.status, 'Ready')).toMatchObject({ status: 'True', reason: 'Routable' });

    const phaseEvents = await eventually('a Healthy Event', async () => {
      const list = await events(env, 'TrinoCluster', 'blue');
      return list.some((e) => e.reason === 'Healthy') && list;
    });
    expect(phaseEvents.find((e) => e.reason === 'Healthy')).toMatchObject({
      type: 'Normal',
      source: { component: 'junction-operator' },
    });
  }, 60_000);

  test('a coordinator that is starting is Pending until it is not', async () => {
    await apply(env, trinoCluster('green', { url: green.url }));
    const tc = await eventually('green Pending', async () => {
      const object = await getJson(env, 'tc', 'green');
      return object.status?.['phase'] === 'Pending' && object;
    });
    expect(condition(tc.status, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'Pending',
      message: 'coordinator is starting',
    });
    const rg = await eventually('adhoc sees two members', async () => {
      const object = await getJson(env, 'rg', 'adhoc');
      return (object.status?.['clusters'] as string[] | undefined)?.length === 2 && object;
    });
    expect(rg.status).toMatchObject({ clusters: ['blue', 'green'], healthyClusters: 1 });

    green.setStarting(false);
    await eventually('green Healthy', async () => (await getJson(env, 'tc', 'green')).status?.['phase'] === 'Healthy');
    await eventually(
      'adhoc has two healthy members',
      async () => (await getJson(env, 'rg', 'adhoc')).status?.['healthyClusters'] === 2,
    );
  }, 60_000);

  test('a rule that does not compile: accepted, RulesValid=False, a Warning, and routing keeps the old rules', async () => {
    await apply(
      env,
      trinoCluster('etl-1', { url: blue.url }, { pool: 'etl' }),
      routingGroup('etl', {
        clusterSelector: { matchLabels: { pool: 'etl' } },
        rules: [{ name: 'airflow', condition: 'request.source == "airflow"' }],
      }),
    );
    const before = await eventually('etl published', async () => {
      const snapshot = await env.store.read();
      return snapshot?.groups.some((g) => g.metadata.name === 'etl') && snapshot;
    });

    // The apiserver accepts it: CEL is compiled by the operator, not by the CRD schema.
    await kubectlOk(env, [
      'patch',
      'rg',
      'etl',
      '--type=merge',
      '-p',
      JSON.stringify({ spec: { rules: [{ name: 'airflow', condition: 'request.sauce == "airflow" &&' }] } }),
    ]);
    const rg = await eventually('RulesValid=False', async () => {
      const object = await getJson(env, 'rg', 'etl');
      const rulesValid = condition(object.status, 'RulesValid');
      return rulesValid?.['status'] === 'False' && object.status?.['observedGeneration'] === object.metadata.generation
        ? object
        : undefined;
    });
    const message = String(condition(rg.status, 'RulesValid')?.['message']);
    expect(message).toMatch(/^spec\.rules\[0\]\.condition: /);
    expect(message).toContain('routing keeps the last valid rules');
    const warning = await eventually('an InvalidRules Warning', async () =>
      (await events(env, 'RoutingGroup', 'etl')).find((e) => e.reason === 'InvalidRules'),
    );
    expect(warning).toMatchObject({ type: 'Warning', message });

    // The stored snapshot still routes by the last valid rule, also for a proxy that starts now.
    await sleep(500);
    const after = await env.store.read();
    expect(after?.generation).toBe(before.generation);
    const registry = buildRegistry({
      clusters: after?.clusters ?? [],
      groups: after?.groups ?? [],
      defaultRoutingGroup: 'adhoc',
      generation: after?.generation ?? 0,
    });
    expect(registry.groups.get('etl')?.rulesValid).toBe(true);
    const rule = registry.rules.find((r) => r.group === 'etl');
    expect(rule?.condition).toBe('request.source == "airflow"');
    expect(rule?.matches(request('airflow'))).toBe(true);
    expect(rule?.matches(request('cli'))).toBe(false);

    // Repaired: the new rule is published and RulesValid is True again.
    await kubectlOk(env, [
      'patch',
      'rg',
      'etl',
      '--type=merge',
      '-p',
      JSON.stringify({ spec: { rules: [{ name: 'airflow', condition: 'request.source == "dagster"' }] } }),
    ]);
    await eventually('repaired rule published', async () => {
      const snapshot = await env.store.read();
      const etl = snapshot?.groups.find((g) => g.metadata.name === 'etl');
      return etl?.spec.rules[0]?.condition === 'request.source == "dagster"';
    });
    await eventually(
      'RulesValid=True',
      async () => condition((await getJson(env, 'rg', 'etl')).status, 'RulesValid')?.['status'] === 'True',
    );
  }, 60_000);

  test('enabled: false makes a cluster Draining (status, Event and snapshot)', async () => {
    await kubectlOk(env, ['patch', 'tc', 'green', '--type=merge', '-p', '{"spec":{"enabled":false}}']);
    const tc = await eventually('green Draining', async () => {
      const object = await getJson(env, 'tc', 'green');
      return object.status?.['phase'] === 'Draining' && object;
    });
    expect(tc.status?.['observedGeneration']).toBe(tc.metadata.generation);
    expect(condition(tc.status, 'Ready')).toMatchObject({ status: 'False', reason: 'Draining' });
    const snapshot = await env.store.read();
    expect(snapshot?.clusters.find((c) => c.metadata.name === 'green')?.spec.enabled).toBe(false);
    await eventually('a Draining Event', async () =>
      (await events(env, 'TrinoCluster', 'green')).some((e) => e.reason === 'Draining'),
    );
  }, 30_000);

  test('status and snapshot are written only on change', async () => {
    await operator.reconciler()?.idle();
    await sleep(1500);
    const patches = await metric('junction_operator_status_patches_total');
    const publishes = await metric('junction_operator_registry_publishes_total');
    const versions = async () =>
      Promise.all(
        [
          ['tc', 'blue'],
          ['tc', 'green'],
          ['rg', 'adhoc'],
        ].map(async ([kind, name]) => (await getJson(env, kind as string, name as string)).metadata.resourceVersion),
      );
    const before = await versions();
    // An annotation changes the object (an update event, a full reconcile) but nothing the operator writes.
    await kubectlOk(env, ['annotate', 'tc', 'blue', 'example.com/note=hello', '--overwrite']);
    // Several probe intervals (1 s) with unchanged health.
    await sleep(3500);
    await operator.reconciler()?.idle();
    expect(await metric('junction_operator_status_patches_total')).toBe(patches);
    expect(await metric('junction_operator_registry_publishes_total')).toBe(publishes);
    const after = await versions();
    expect(after.slice(1)).toEqual(before.slice(1));
    expect(await metric('junction_operator_reconciles_total{kind="registry"')).toBeGreaterThan(0);

    // A real change (the load) does patch.
    blue.setReportedLoad({ running: 5, queued: 0 });
    await eventually('running 5', async () => (await getJson(env, 'tc', 'blue')).status?.['runningQueries'] === 5);
    expect(await metric('junction_operator_status_patches_total')).toBeGreaterThan(patches);
  }, 30_000);

  test('a spec the schemas reject is left out, with a Warning and a status that says why', async () => {
    // The CRD's pattern accepts this URL (port out of range); the operator's URL parser does not.
    await apply(env, trinoCluster('bad-port', { url: 'http://127.0.0.1:99999' }));
    const tc = await eventually('InvalidSpec status', async () => {
      const object = await getJson(env, 'tc', 'bad-port');
      return condition(object.status, 'Ready')?.['reason'] === 'InvalidSpec' && object;
    });
    expect(String(condition(tc.status, 'Ready')?.['message'])).toContain('spec.url');
    await eventually('an InvalidSpec Warning', async () =>
      (await events(env, 'TrinoCluster', 'bad-port')).some((e) => e.type === 'Warning' && e.reason === 'InvalidSpec'),
    );
    const snapshot = await env.store.read();
    expect(snapshot?.clusters.map((c) => c.metadata.name)).not.toContain('bad-port');
    await kubectlOk(env, ['delete', 'tc', 'bad-port']);
  }, 30_000);

  test('relabeling moves a cluster between groups; deleting removes it and its health', async () => {
    await kubectlOk(env, ['label', 'tc', 'etl-1', 'pool=adhoc', '--overwrite']);
    await eventually('etl-1 in adhoc', async () =>
      ((await getJson(env, 'rg', 'adhoc')).status?.['clusters'] as string[] | undefined)?.includes('etl-1'),
    );
    expect((await env.store.read())?.clusters.find((c) => c.metadata.name === 'etl-1')?.metadata.labels).toEqual({
      pool: 'adhoc',
    });
    await eventually('green health in Redis', async () => (await env.store.readHealth()).has('green'));

    await kubectlOk(env, ['delete', 'tc', 'green']);
    await eventually('green gone from the snapshot', async () => {
      const snapshot = await env.store.read();
      return snapshot !== undefined && !snapshot.clusters.some((c) => c.metadata.name === 'green');
    });
    await eventually('green health removed', async () => !(await env.store.readHealth()).has('green'));
    await eventually('adhoc members updated', async () => {
      const clusters = (await getJson(env, 'rg', 'adhoc')).status?.['clusters'] as string[];
      return clusters.join(',') === 'blue,etl-1';
    });
  }, 30_000);

  test('admin endpoints: livez, readyz as leader, metrics', async () => {
    expect((await fetch(`${operator.adminUrl}/livez`)).status).toBe(200);
    const ready = await fetch(`${operator.adminUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', leader: true, identity: operator.identity });
    expect(await metric('junction_operator_leader')).toBe(1);
    expect(await metric('junction_operator_registry_generation')).toBe((await env.store.read())?.generation);
  });
});
