// The chart against a real kube-apiserver (test/harness/kube.ts): every values combination's manifests
// are accepted by server-side apply, the RBAC grants each service account exactly what it needs
// (checked with `kubectl auth can-i --as`), and a real `helm install` / `helm upgrade` keeps the
// generated cookie signing secret (`lookup`) and rolls the proxies on a config change.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ControlPlane, startControlPlane } from '../harness/kube.js';
import {
  CHART_DIR,
  find,
  helm,
  helmOk,
  type KubeObject,
  parseManifests,
  REPO_ROOT,
  VALUES_FILES,
  valuesFile,
} from './helm.js';

const STARTUP_TIMEOUT_MS = 180_000;
const TEST_TIMEOUT_MS = 90_000;
const NS = 'junction';

// The Prometheus Operator's CRD, cut down to what the apiserver needs to accept a ServiceMonitor.
const SERVICE_MONITOR_CRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: servicemonitors.monitoring.coreos.com }
spec:
  group: monitoring.coreos.com
  scope: Namespaced
  names: { plural: servicemonitors, singular: servicemonitor, kind: ServiceMonitor, listKind: ServiceMonitorList }
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [selector, endpoints]
              properties:
                namespaceSelector:
                  type: object
                  properties: { matchNames: { type: array, items: { type: string } } }
                selector:
                  type: object
                  properties: { matchLabels: { type: object, additionalProperties: { type: string } } }
                endpoints:
                  type: array
                  items:
                    type: object
                    properties:
                      port: { type: string }
                      path: { type: string }
                      interval: { type: string, pattern: '^(0|(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$' }
                      scrapeTimeout: { type: string, pattern: '^(0|(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$' }
`;

let cp: ControlPlane;

async function kubectlOk(args: string[], input?: string): Promise<string> {
  const result = await cp.kubectl(args, input);
  if (result.code !== 0)
    throw new Error(`kubectl ${args.join(' ')} exited ${result.code}:\n${result.stderr}${result.stdout}`);
  return result.stdout;
}

async function getJson(args: string[]): Promise<KubeObject> {
  return JSON.parse(await kubectlOk(['get', ...args, '-o', 'json'])) as KubeObject;
}

/**
 * `kubectl auth can-i` as a service account: true for "yes" (exit 0), false for "no" (exit 1).
 * `resource` is `type[/name]`, with `#status` for the status subresource.
 */
async function can(account: string, verb: string, resource: string, namespace = NS): Promise<boolean> {
  const [target, subresource] = resource.split('#') as [string, string | undefined];
  const result = await cp.kubectl([
    'auth',
    'can-i',
    verb,
    target,
    ...(subresource === undefined ? [] : [`--subresource=${subresource}`]),
    '--namespace',
    namespace,
    `--as=system:serviceaccount:${NS}:${account}`,
  ]);
  if (result.code > 1 || !/^(yes|no)\b/.test(result.stdout.trim())) {
    throw new Error(`kubectl auth can-i ${verb} ${resource} as ${account}: exit ${result.code}\n${result.stderr}`);
  }
  return result.stdout.trim().startsWith('yes');
}

beforeAll(async () => {
  cp = await startControlPlane({ namespace: NS });
  await kubectlOk(['apply', '--server-side', '-f', '-'], SERVICE_MONITOR_CRD);
  await kubectlOk([
    'wait',
    '--for',
    'condition=established',
    '--timeout=30s',
    'crd/servicemonitors.monitoring.coreos.com',
  ]);
}, STARTUP_TIMEOUT_MS);

afterAll(async () => {
  await cp?.stop();
});

describe('server-side apply', () => {
  it.each(VALUES_FILES)(
    'the apiserver accepts everything ci/%s-values.yaml renders, CRDs included',
    async (name) => {
      const namespace = `apply-${name}`;
      await kubectlOk(['create', 'namespace', namespace]);
      const manifests = await helmOk([
        'template',
        'junction',
        CHART_DIR,
        '--namespace',
        namespace,
        '-f',
        valuesFile(name),
        '--include-crds',
      ]);
      const objects = parseManifests(manifests);
      // CRDs first (helm does the same), so later documents could use them.
      const crds = objects.filter((object) => object.kind === 'CustomResourceDefinition');
      expect(crds).toHaveLength(2);
      const rest = objects.filter((object) => object.kind !== 'CustomResourceDefinition');
      const apply = async (items: KubeObject[]) =>
        kubectlOk(
          ['apply', '--server-side', '--field-manager=junction-chart-test', '-f', '-'],
          JSON.stringify({ apiVersion: 'v1', kind: 'List', items }),
        );
      await apply(crds);
      await kubectlOk(['wait', '--for', 'condition=established', '--timeout=30s', 'crd/trinoclusters.junction.dev']);
      const output = await apply(rest);
      for (const object of rest) {
        expect(output).toContain(`${object.metadata.name} serverside-applied`);
      }
      // What the apiserver stored is what was rendered (no field silently dropped by the schema).
      const proxy = await getJson(['deployment', 'junction-proxy', '-n', namespace]);
      const rendered = find(objects, 'Deployment', 'junction-proxy');
      expect(proxy['spec']['template']['spec']['containers'][0]['securityContext']).toEqual(
        rendered['spec']['template']['spec']['containers'][0]['securityContext'],
      );
      expect(proxy['spec']['template']['spec']['topologySpreadConstraints']).toEqual(
        rendered['spec']['template']['spec']['topologySpreadConstraints'],
      );
      if (name === 'servicemonitor') {
        const monitor = await getJson(['servicemonitor', 'junction', '-n', namespace]);
        expect(monitor['spec']['endpoints'][0]).toMatchObject({ port: 'admin', path: '/metrics' });
      }
    },
    TEST_TIMEOUT_MS,
  );
});

describe('RBAC (applied with the default values in namespace junction)', () => {
  beforeAll(async () => {
    const manifests = await helmOk([
      'template',
      'junction',
      CHART_DIR,
      '--namespace',
      NS,
      '-f',
      valuesFile('default'),
      '--include-crds',
    ]);
    await kubectlOk(['apply', '--server-side', '-f', '-'], manifests);
    await kubectlOk(['wait', '--for', 'condition=established', '--timeout=30s', 'crd/trinoclusters.junction.dev']);
    await kubectlOk(['create', 'namespace', 'elsewhere']);
  }, TEST_TIMEOUT_MS);

  it('the operator can list and watch TrinoClusters and RoutingGroups, patch their status, create Events and hold its Lease', async () => {
    const needs: Array<[string, string]> = [
      ['list', 'trinoclusters.junction.dev'],
      ['watch', 'trinoclusters.junction.dev'],
      ['list', 'routinggroups.junction.dev'],
      ['watch', 'routinggroups.junction.dev'],
      ['patch', 'trinoclusters.junction.dev#status'],
      ['patch', 'routinggroups.junction.dev#status'],
      ['create', 'events'],
      ['create', 'leases.coordination.k8s.io'],
      ['get', 'leases.coordination.k8s.io/junction-operator'],
      ['update', 'leases.coordination.k8s.io/junction-operator'],
    ];
    for (const [verb, resource] of needs) {
      expect([verb, resource, await can('junction-operator', verb, resource)]).toEqual([verb, resource, true]);
    }
  });

  it('the operator cannot change or delete the resources, read Secrets, take other Leases or act elsewhere', async () => {
    const forbidden: Array<[string, string, string?]> = [
      // Verbs the operator never uses (in-cluster.test.ts runs it with exactly this Role).
      ['get', 'trinoclusters.junction.dev'],
      ['get', 'routinggroups.junction.dev'],
      ['get', 'trinoclusters.junction.dev#status'],
      ['update', 'trinoclusters.junction.dev#status'],
      ['update', 'routinggroups.junction.dev#status'],
      ['patch', 'events'],
      ['delete', 'trinoclusters.junction.dev'],
      ['create', 'trinoclusters.junction.dev'],
      ['update', 'trinoclusters.junction.dev'],
      ['patch', 'trinoclusters.junction.dev'],
      ['delete', 'routinggroups.junction.dev'],
      ['patch', 'routinggroups.junction.dev'],
      ['delete', 'trinoclusters.junction.dev#status'],
      ['get', 'secrets'],
      ['list', 'secrets'],
      ['get', 'configmaps'],
      ['list', 'pods'],
      ['create', 'pods'],
      ['delete', 'events'],
      ['update', 'leases.coordination.k8s.io/someone-else'],
      ['delete', 'leases.coordination.k8s.io/junction-operator'],
      ['list', 'leases.coordination.k8s.io'],
      ['create', 'rolebindings.rbac.authorization.k8s.io'],
      ['get', 'trinoclusters.junction.dev', 'elsewhere'],
      ['create', 'events', 'elsewhere'],
      ['list', 'customresourcedefinitions.apiextensions.k8s.io'],
    ];
    for (const [verb, resource, namespace] of forbidden) {
      expect([verb, resource, namespace, await can('junction-operator', verb, resource, namespace)]).toEqual([
        verb,
        resource,
        namespace,
        false,
      ]);
    }
  });

  it('the proxy can do nothing at all', async () => {
    const forbidden: Array<[string, string]> = [
      ['get', 'trinoclusters.junction.dev'],
      ['list', 'routinggroups.junction.dev'],
      ['get', 'secrets'],
      ['get', 'configmaps'],
      ['create', 'events'],
      ['get', 'leases.coordination.k8s.io'],
      ['list', 'pods'],
      ['*', '*'],
    ];
    for (const [verb, resource] of forbidden) {
      expect([verb, resource, await can('junction-proxy', verb, resource)]).toEqual([verb, resource, false]);
    }
    // Only the discovery/self-review rules every authenticated user gets, nothing namespaced.
    const list = await kubectlOk([
      'auth',
      'can-i',
      '--list',
      '-n',
      NS,
      `--as=system:serviceaccount:${NS}:junction-proxy`,
    ]);
    // Rows with a resource start in the first column; non-resource URLs (/api, /healthz …) are indented.
    const resources = list
      .split('\n')
      .slice(1)
      .filter((line) => line !== '' && !/^\s/.test(line))
      .map((line) => line.split(/\s+/)[0]);
    expect(resources.sort()).toEqual([
      'selfsubjectaccessreviews.authorization.k8s.io',
      'selfsubjectreviews.authentication.k8s.io',
      'selfsubjectrulesreviews.authorization.k8s.io',
    ]);
  });
});

describe('helm install and upgrade on the apiserver', () => {
  const release = 'gw';
  const namespace = 'install';
  const cookie = async () => {
    const secret = await getJson(['secret', 'gw-junction-cookie', '-n', namespace]);
    return Buffer.from(secret['data']['cookie-signing-secret'] as string, 'base64').toString();
  };
  const proxyAnnotations = async () =>
    (await getJson(['deployment', 'gw-junction-proxy', '-n', namespace]))['spec']['template']['metadata'][
      'annotations'
    ] as Record<string, string>;
  const run = (args: string[]) => helmOk([...args, '--namespace', namespace], { kubeconfig: cp.kubeconfig });

  it(
    'generates the cookie signing secret once, keeps it across upgrades, and rolls proxies only on config changes',
    async () => {
      const installed = await run(['install', release, CHART_DIR, '--create-namespace', '-f', valuesFile('default')]);
      expect(installed).toContain('STATUS: deployed');
      expect(installed).toContain('kubectl -n install port-forward service/gw-junction 8080:8080');
      // NOTES.txt's first TrinoCluster and RoutingGroup, applied exactly as printed.
      const firstResources = /apply -f - <<'YAML'\n([\s\S]+?)\nYAML\n/.exec(installed)?.[1];
      expect(firstResources).toContain('kind: TrinoCluster');
      const applied = await kubectlOk(['apply', '-n', namespace, '-f', '-'], firstResources);
      expect(applied).toContain('trinocluster.junction.dev/blue created');
      expect(applied).toContain('routinggroup.junction.dev/adhoc created');
      const first = await cookie();
      expect(first).toMatch(/^[A-Za-z0-9]{64}$/);
      const before = await proxyAnnotations();

      await run(['upgrade', release, CHART_DIR, '-f', valuesFile('default')]);
      expect(await cookie()).toBe(first);
      expect(await proxyAnnotations()).toEqual(before);

      await run(['upgrade', release, CHART_DIR, '-f', valuesFile('default'), '--set', 'proxy.logLevel=debug']);
      expect(await cookie()).toBe(first);
      const after = await proxyAnnotations();
      expect(after['checksum/config']).not.toBe(before['checksum/config']);
      expect(after['checksum/cookie-secret']).toBe(before['checksum/cookie-secret']);

      await run(['upgrade', release, CHART_DIR, '-f', valuesFile('default'), '--set', 'cookies.signingSecret=mine']);
      expect(await cookie()).toBe('mine');
      expect((await proxyAnnotations())['checksum/cookie-secret']).not.toBe(before['checksum/cookie-secret']);

      // Helm installed the CRDs from crds/ (only on install; see NOTES.txt).
      const crd = await getJson(['crd', 'trinoclusters.junction.dev']);
      expect(crd['spec']['names']['shortNames']).toEqual(['tc']);
    },
    TEST_TIMEOUT_MS,
  );

  it('helm install rejects a values typo before creating anything, naming the key', async () => {
    const result = await helm(
      [
        'install',
        'typo',
        CHART_DIR,
        '--namespace',
        namespace,
        '-f',
        valuesFile('default'),
        '--set',
        'operator.replicas=3',
      ],
      { kubeconfig: cp.kubeconfig },
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/at '\/operator': additional properties 'replicas' not allowed/);
    const deployments = await kubectlOk(['get', 'deployments', '-n', namespace, '-o', 'name']);
    expect(deployments).not.toContain('typo-junction');
  });
});

it('examples/kubernetes/ manifests are valid TrinoClusters and RoutingGroups on the apiserver', async () => {
  await kubectlOk(['apply', '--server-side', '-f', join(REPO_ROOT, 'crds')]);
  await kubectlOk(['wait', '--for', 'condition=established', '--timeout=30s', 'crd/trinoclusters.junction.dev']);
  await kubectlOk(['wait', '--for', 'condition=established', '--timeout=30s', 'crd/routinggroups.junction.dev']);
  for (const file of ['trinoclusters.yaml', 'routinggroup.yaml']) {
    const text = readFileSync(join(REPO_ROOT, 'examples/kubernetes', file), 'utf8');
    const output = await kubectlOk(['apply', '--server-side', '--dry-run=server', '-n', NS, '-f', '-'], text);
    expect(output).toMatch(/serverside-applied \(server dry run\)/);
  }
});
