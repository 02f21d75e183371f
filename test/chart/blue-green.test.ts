// examples/blue-green.md, run for real: `helm install` on a real kube-apiserver, then the operator with
// the operator.yaml the chart rendered and the token of the chart's operator ServiceAccount (so its
// least-privilege Role must be enough: informers, .status, Events, the Lease), a proxy with the
// rendered gateway.yaml and the chart's generated cookie Secret, two simulated Trino coordinators,
// and the walkthrough's manifests and kubectl commands.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseYamlDocuments, substituteEnv } from '@junction/shared';
import { SimTrino } from '../fixtures/sim-trino.js';
import { clustersOf, untilEveryProxyRoutes } from '../harness/admin-view.js';
import { type ControlPlane, startControlPlane } from '../harness/kube.js';
import { type OperatorProcess, spawnOperator } from '../harness/operator.js';
import { eventually, type ProxyProcess, spawnProxy, Workspace } from '../harness/proxy.js';
import { type RedisServer, startRedis } from '../harness/redis.js';
import { followToEnd, runQuery, submit } from '../harness/trino-http.js';
import { CHART_DIR, helmOk, type KubeObject, REPO_ROOT } from './helm.js';

const NS = 'junction';
const OPERATOR_POD = 'junction-operator-7d9f-abcde';
let kube: ControlPlane;
let redis: RedisServer;
let workspace: Workspace;
let sims: Record<'blue' | 'green', SimTrino>;
let operator: OperatorProcess;
let proxy: ProxyProcess;
let adminToken: string;

const owner = (queryId: string) => Object.values(sims).find((sim) => sim.queryIds().includes(queryId))?.name;

async function kubectl(args: string[], input?: string): Promise<string> {
  const result = await kube.kubectl(['-n', NS, ...args], input);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

const getJson = async (args: string[]) => JSON.parse(await kubectl(['get', ...args, '-o', 'json'])) as KubeObject;

/** A rendered config as the program reads it: ${ENV:…} substituted from the pod's environment. */
function asProgramReadsIt(text: string, env: Record<string, string>): Record<string, unknown> {
  return parseYamlDocuments(substituteEnv(text, env), 'config')[0] as Record<string, unknown>;
}

/** A kubeconfig that authenticates as the chart's operator ServiceAccount. */
async function operatorKubeconfig(): Promise<string> {
  const token = (await kubectl(['create', 'token', 'junction-operator', '--duration=1h'])).trim();
  const file = join(workspace.dir, 'operator-sa.kubeconfig');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'test',
        cluster: { server: kube.server, 'certificate-authority-data': Buffer.from(kube.ca).toString('base64') },
      },
    ],
    users: [{ name: 'junction-operator', user: { token } }],
    contexts: [{ name: 'operator', context: { cluster: 'test', user: 'junction-operator', namespace: NS } }],
    'current-context': 'operator',
  };
  writeFileSync(file, JSON.stringify(config), { mode: 0o600 });
  return file;
}

/** examples/kubernetes/trinoclusters.yaml with spec.url pointed at the simulated coordinators. */
function exampleClusters(): string {
  const documents = parseYamlDocuments(
    readFileSync(join(REPO_ROOT, 'examples/kubernetes/trinoclusters.yaml'), 'utf8'),
    'trinoclusters.yaml',
  ) as KubeObject[];
  expect(documents.map((d) => [d.metadata.name, d.metadata.labels])).toEqual([
    ['blue', { pool: 'adhoc' }],
    ['green', { pool: 'standby' }],
  ]);
  const items = documents.map((d) => ({
    ...d,
    spec: {
      ...d['spec'],
      url: sims[d.metadata.name as 'blue' | 'green'].url,
      healthCheck: { ...d['spec'].healthCheck, intervalSeconds: 1, timeoutSeconds: 1 },
    },
  }));
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
}

beforeAll(async () => {
  [kube, redis] = await Promise.all([startControlPlane({ namespace: NS }), startRedis()]);
  sims = { blue: await SimTrino.start({ name: 'blue' }), green: await SimTrino.start({ name: 'green' }) };
  workspace = new Workspace();

  // 1. Install Junction.
  await helmOk(['install', 'junction', CHART_DIR, '--namespace', NS, '--set', `redis.url=${redis.url}/0`], {
    kubeconfig: kube.kubeconfig,
  });

  // What the pods would run: the rendered configs, with the environment the Deployments give them.
  const proxyPod = (await getJson(['deployment', 'junction-proxy']))['spec']['template']['spec'];
  const proxyEnv = proxyPod.containers[0].env as Array<{ name: string; value?: string }>;
  const redisUrl = proxyEnv.find((e) => e.name === 'JUNCTION_REDIS_URL')?.value as string;
  const secret = await getJson(['secret', 'junction-cookie']);
  const cookieSecret = Buffer.from(secret['data']['cookie-signing-secret'], 'base64').toString();
  const operatorYaml = (await getJson(['configmap', 'junction-operator']))['data']['operator.yaml'] as string;
  const gatewayYaml = (await getJson(['configmap', 'junction-proxy']))['data']['gateway.yaml'] as string;

  const operatorConfig = asProgramReadsIt(operatorYaml, { JUNCTION_REDIS_URL: redisUrl, POD_NAME: OPERATOR_POD });
  // Out of the cluster the one addition is a kubeconfig; it carries the ServiceAccount's token.
  const kubernetes = { ...(operatorConfig['kubernetes'] as object), kubeconfig: await operatorKubeconfig() };
  operator = await spawnOperator(workspace.dir, 'operator', {
    ...operatorConfig,
    kubernetes,
  } as unknown as Parameters<typeof spawnOperator>[2]);

  const gatewayConfig = asProgramReadsIt(gatewayYaml, {
    JUNCTION_REDIS_URL: redisUrl,
    JUNCTION_COOKIE_SIGNING_SECRET: cookieSecret,
  });
  // Loopback and free ports instead of 0.0.0.0:8080/8081; everything else as rendered.
  const server = { ...(gatewayConfig['server'] as object), host: '127.0.0.1', port: 0 };
  const file = join(workspace.dir, 'gateway.yaml');
  // The admin API requires the token the chart generated; the pod reads it from the mounted Secret.
  const tokens = Buffer.from(
    (await getJson(['secret', 'junction-admin-tokens']))['data']['tokens'],
    'base64',
  ).toString();
  adminToken = /^admin: (\S+)$/m.exec(tokens)?.[1] as string;
  const tokensFile = join(workspace.dir, 'admin-tokens');
  writeFileSync(tokensFile, tokens);
  const rendered = gatewayConfig['admin'] as { auth: object };
  const admin = { ...rendered, host: '127.0.0.1', port: 0, auth: { ...rendered.auth, tokensFile } };
  writeFileSync(file, JSON.stringify({ ...gatewayConfig, server, admin }));
  proxy = await spawnProxy(file);
}, 180_000);

afterAll(async () => {
  await proxy?.stop();
  await operator?.stop();
  await Promise.all(Object.values(sims ?? {}).map((sim) => sim.close()));
  await redis?.stop();
  await kube?.stop();
  workspace?.remove();
});

it('2. registers both clusters and the default group; the operator (as its ServiceAccount) writes status, Events and its Lease', async () => {
  await kubectl(['apply', '-f', '-'], exampleClusters());
  await kubectl(['apply', '-f', join(REPO_ROOT, 'examples/kubernetes/routinggroup.yaml')]);
  await eventually(
    async () => {
      const [blue, green] = await Promise.all([getJson(['tc', 'blue']), getJson(['tc', 'green'])]);
      return (
        blue['status']?.phase === 'Healthy' &&
        green['status']?.phase === 'Healthy' &&
        JSON.stringify(blue['status']?.routingGroups) === '["adhoc"]'
      );
    },
    20_000,
    200,
  );
  await eventually(async () => JSON.stringify((await getJson(['rg', 'adhoc']))['status']?.clusters) === '["blue"]');
  const lease = await getJson(['lease', 'junction-operator']);
  expect(lease['spec']['holderIdentity']).toBe(OPERATOR_POD);
  const events = (await getJson(['events']))['items'] as KubeObject[];
  expect(events.some((event) => event['involvedObject']?.kind === 'TrinoCluster')).toBe(true);
  expect(operator.output()).not.toMatch(/forbidden/i);
}, 60_000);

it('3. queries through the gateway run on blue', async () => {
  await eventually(async () => {
    const clusters = await clustersOf(proxy.adminUrl, adminToken);
    return clusters.some((c) => c.name === 'blue' && c.phase === 'Healthy');
  }, 15_000);
  for (let i = 0; i < 3; i++) {
    const run = await runQuery(proxy.url, 'SELECT 1');
    expect(run.state).toBe('FINISHED');
    expect(owner(run.id)).toBe('blue');
  }
});

it('4. two relabels move new queries to green; the query running on blue finishes on blue', async () => {
  const running = await submit(proxy.url, 'SELECT 1 -- sim:pages=20 sim:pageDelayMs=100');
  expect(owner(running.body.id)).toBe('blue');

  await kubectl(['label', 'tc', 'green', 'pool=adhoc', '--overwrite']);
  await kubectl(['label', 'tc', 'blue', 'pool=retired', '--overwrite']);
  // After the first relabel both clusters are members, so one query landing on green proves nothing:
  // wait until the proxy's registry routes adhoc to green alone, then no new query may reach blue.
  await untilEveryProxyRoutes([proxy.adminUrl], 'adhoc', ['green'], { token: adminToken });
  const onBlue = sims.blue.queryIds().length;
  for (let i = 0; i < 3; i++) expect(owner((await runQuery(proxy.url, 'SELECT 1')).id)).toBe('green');
  expect(sims.blue.queryIds()).toHaveLength(onBlue);

  expect(await followToEnd(running.body.nextUri)).toBe('FINISHED');
  expect(sims.green.recordsFor(running.body.id)).toHaveLength(0);
  await eventually(async () => JSON.stringify((await getJson(['rg', 'adhoc']))['status']?.clusters) === '["green"]');
}, 60_000);

it('5. retires blue: after delete the proxies forget it and every query runs on green', async () => {
  await kubectl(['delete', 'tc', 'blue']);
  await eventually(async () => {
    const clusters = await clustersOf(proxy.adminUrl, adminToken);
    return !clusters.some((c) => c.name === 'blue');
  }, 10_000);
  for (let i = 0; i < 3; i++) expect(owner((await runQuery(proxy.url, 'SELECT 1')).id)).toBe('green');
});
