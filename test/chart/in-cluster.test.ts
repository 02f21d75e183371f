// The operator's in-cluster path, for real: `helm template` renders the chart and everything it
// renders is applied to a real kube-apiserver (so the RBAC is exactly the chart's); the operator's
// Pod object is created from the rendered Deployment; its ServiceAccount token comes from the
// TokenRequest API bound to that Pod, as the kubelet projects it; token, CA bundle and namespace are
// mounted where loadFromCluster() reads them, with KUBERNETES_SERVICE_HOST/PORT and no kubeconfig;
// the program runs as the chart's uid with the rendered operator.yaml and the Deployment's env.
// A permission missing from the chart's Role makes these tests fail (docs/reliability.md lists the
// ones removed by hand to prove it); a token of the proxy's ServiceAccount, which the chart grants
// nothing, must leave the operator not ready and saying why.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { closeRedisClient, createRedisClient, RedisRegistryStore } from '@junction/shared';
import { request } from 'undici';
import { SimTrino } from '../fixtures/sim-trino.js';
import { inClusterUnsupported, type PodProcess, spawnAsPod } from '../harness/in-cluster.js';
import { type ControlPlane, startControlPlane } from '../harness/kube.js';
import { freePort } from '../harness/ports.js';
import { Workspace } from '../harness/proxy.js';
import { type RedisServer, startRedis } from '../harness/redis.js';
import { eventually } from '../harness/wait.js';
import { CHART_DIR, helmOk, type KubeObject, parseManifests, REPO_ROOT } from './helm.js';

const NS = 'junction';
const POD = 'junction-operator-5f7c9d-x2k4q';
const PROXY_POD = 'junction-proxy-6b8d4f-q7w2e';
const KEY_PREFIX = 'junction:';
const unsupported = inClusterUnsupported();

let kube: ControlPlane;
let redis: RedisServer;
let sim: SimTrino;
let workspace: Workspace;
let adminPort: number;
let operatorYaml: string;
let operatorEnv: Record<string, string>;
const running: PodProcess[] = [];

async function kubectl(args: string[], input?: string): Promise<string> {
  const result = await kube.kubectl(['-n', NS, ...args], input);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

const getJson = async (args: string[]) => JSON.parse(await kubectl(['get', ...args, '-o', 'json'])) as KubeObject;

/** A token from the TokenRequest API, bound to the Pod as the kubelet's projected volume is. */
async function podToken(serviceAccount: string, pod: KubeObject): Promise<string> {
  return (
    await kubectl([
      'create',
      'token',
      serviceAccount,
      '--bound-object-kind=Pod',
      `--bound-object-name=${pod.metadata.name}`,
      `--bound-object-uid=${(pod.metadata as { uid?: string }).uid}`,
      '--duration=1h',
    ])
  ).trim();
}

function startOperator(token: string): PodProcess {
  // Readable by the pod's uid, as a ConfigMap volume is.
  chmodSync(workspace.dir, 0o755);
  const config = join(workspace.dir, `operator-${running.length}.yaml`);
  writeFileSync(config, operatorYaml, { mode: 0o644 });
  const pod = spawnAsPod(process.execPath, [join(REPO_ROOT, 'operator/dist/main.js'), '--config', config], {
    files: { token, ca: kube.ca, namespace: NS },
    apiserver: { host: '127.0.0.1', port: Number(new URL(kube.server).port) },
    env: operatorEnv,
  });
  running.push(pod);
  return pod;
}

/** The Lease holder, or undefined when there is no Lease or it is released. */
async function holder(): Promise<string | undefined> {
  const result = await kube.kubectl(['-n', NS, 'get', 'lease', 'junction-operator', '-o', 'json']);
  if (result.code !== 0) return undefined;
  return (JSON.parse(result.stdout) as KubeObject)['spec']?.holderIdentity || undefined;
}

async function readyz(): Promise<{ status: number; body: { reasons?: string[]; leader?: boolean } }> {
  const response = await request(`http://127.0.0.1:${adminPort}/readyz`);
  return { status: response.statusCode, body: (await response.body.json()) as { reasons?: string[] } };
}

beforeAll(async () => {
  if (unsupported !== undefined) throw new Error(`the in-cluster path cannot run here: ${unsupported}`);
  [kube, redis] = await Promise.all([startControlPlane({ namespace: NS }), startRedis()]);
  sim = await SimTrino.start({ name: 'blue' });
  workspace = new Workspace();
  adminPort = await freePort();
  const rendered = parseManifests(
    await helmOk([
      'template',
      'junction',
      CHART_DIR,
      '--namespace',
      NS,
      '--include-crds',
      '--set',
      `redis.url=${redis.url}/0`,
      '--set',
      `operator.adminPort=${adminPort}`,
    ]),
  );
  const apply = (items: KubeObject[]) =>
    kubectl(['apply', '--server-side', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
  await apply(rendered.filter((object) => object.kind === 'CustomResourceDefinition'));
  await kube.kubectl(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s']);
  await apply(rendered.filter((object) => object.kind !== 'CustomResourceDefinition'));

  // The proxies' Pod too: a token of their ServiceAccount can only be bound to a Pod that runs as it.
  const proxyTemplate = rendered.find((o) => o.kind === 'Deployment' && o.metadata.name === 'junction-proxy')?.['spec'][
    'template'
  ];
  await apply([
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { ...proxyTemplate.metadata, name: PROXY_POD, namespace: NS },
      spec: proxyTemplate.spec,
    },
  ]);
  const deployment = rendered.find((o) => o.kind === 'Deployment' && o.metadata.name === 'junction-operator');
  const configMap = rendered.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'junction-operator');
  if (deployment === undefined || configMap === undefined) throw new Error('the chart rendered no operator');
  operatorYaml = configMap['data']['operator.yaml'] as string;
  expect(operatorYaml).not.toMatch(/kubeconfig:\s*\S/);
  const template = deployment['spec']['template'];
  // The Pod the Deployment would create (no controller here, so it stays Pending); tokens bind to it.
  await apply([
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { ...template.metadata, name: POD, namespace: NS },
      spec: template.spec,
    },
  ]);
  const container = template.spec.containers[0] as {
    env: Array<{ name: string; value?: string; valueFrom?: unknown }>;
  };
  expect(template.spec.serviceAccountName).toBe('junction-operator');
  expect(template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532 });
  // The Deployment's env as the kubelet resolves it: POD_NAME from the downward API, the rest literal.
  operatorEnv = Object.fromEntries(
    container.env.map((e) => [e.name, e.name === 'POD_NAME' ? POD : (e.value as string)] as [string, string]),
  );
  expect(Object.keys(operatorEnv).sort()).toEqual(['JUNCTION_REDIS_URL', 'POD_NAME']);

  await kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        {
          apiVersion: 'junction.dev/v1alpha1',
          kind: 'TrinoCluster',
          metadata: { name: 'blue', labels: { pool: 'adhoc' } },
          spec: { url: sim.url, healthCheck: { intervalSeconds: 1, timeoutSeconds: 1, failureThreshold: 1 } },
        },
        {
          apiVersion: 'junction.dev/v1alpha1',
          kind: 'RoutingGroup',
          metadata: { name: 'adhoc' },
          spec: { clusterSelector: { matchLabels: { pool: 'adhoc' } }, default: true },
        },
      ],
    }),
  );
}, 180_000);

afterAll(async () => {
  for (const pod of running) {
    await pod.stop('SIGKILL');
    pod.cleanup();
  }
  await sim?.close();
  await redis?.stop();
  await kube?.stop();
  workspace?.remove();
});

it('with a token of the proxy ServiceAccount (granted nothing) the operator stays not ready and says forbidden', async () => {
  const pod = startOperator(await podToken('junction-proxy', await getJson(['pod', PROXY_POD])));
  await eventually(async () => /forbidden/i.test(pod.output()), 20_000, 100);
  const ready = await readyz();
  expect(ready.status).toBe(503);
  expect(ready.body.reasons).toEqual(expect.arrayContaining(['TrinoCluster cache not synced']));
  expect(pod.output()).toMatch(/system:serviceaccount:junction:junction-proxy/);
  expect(await pod.stop()).toBe(0);
  pod.cleanup();
}, 60_000);

it('as its own ServiceAccount, with exactly the chart RBAC: leads, reads the resources, writes status, Events, the Lease and Redis', async () => {
  const pod = startOperator(await podToken('junction-operator', await getJson(['pod', POD])));
  await eventually(async () => (await holder()) === POD, 30_000, 200).catch((error: Error) => {
    throw new Error(`${error.message}\n${pod.output()}`);
  });
  await eventually(
    async () => {
      const tc = await getJson(['tc', 'blue']);
      const rg = await getJson(['rg', 'adhoc']);
      return tc['status']?.phase === 'Healthy' && JSON.stringify(rg['status']?.clusters) === '["blue"]';
    },
    20_000,
    200,
  );
  const events = (await getJson(['events']))['items'] as KubeObject[];
  expect(events.some((event) => event['involvedObject']?.name === 'blue' && event['reportingInstance'] === POD)).toBe(
    true,
  );

  const client = createRedisClient({ url: `${redis.url}/0`, keyPrefix: KEY_PREFIX, commandTimeout: 2_000 });
  const store = new RedisRegistryStore(client, KEY_PREFIX);
  try {
    const snapshot = await store.read();
    expect(snapshot?.clusters.map((c) => c.metadata.name)).toEqual(['blue']);
    expect((await store.readHealth()).get('blue')?.phase).toBe('Healthy');
  } finally {
    await store.close();
    await closeRedisClient(client);
  }
  expect((await readyz()).body).toMatchObject({ leader: true, reasons: [] });
  expect(pod.output()).not.toMatch(/forbidden|unauthorized|EACCES/i);

  // SIGTERM releases the Lease, which needs `update` on it.
  expect(await pod.stop()).toBe(0);
  expect(await holder()).toBeUndefined();
  pod.cleanup();
}, 90_000);
