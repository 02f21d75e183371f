// The Helm chart rendered offline: helm lint, the values combinations, pod hardening, the configs the
// programs actually parse, the checksum that rolls pods, the schema that names typos, and the CRDs
// coming from crds/ (the single source). Needs scripts/helm/ensure-helm.sh to have run once.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseGatewayConfig, parseOperatorConfig } from '@junction/shared';
import {
  CHART_DIR,
  find,
  helm,
  type KubeObject,
  parseManifests,
  REPO_ROOT,
  render,
  VALUES_FILES,
  valuesFile,
} from './helm.js';

const NS = 'trino';

const deployments = (objects: KubeObject[]) => objects.filter((object) => object.kind === 'Deployment');
const env = (container: KubeObject, name: string) =>
  (container['env'] as Array<{ name: string; value?: string; valueFrom?: unknown }>).find((e) => e.name === name);

/** The gateway and operator configs as the programs load them (same ${ENV:…} substitution and schema). */
function programConfigs(objects: KubeObject[]) {
  const processEnv = {
    JUNCTION_REDIS_URL: 'redis://127.0.0.1:6379/0',
    JUNCTION_COOKIE_SIGNING_SECRET: 'c2VjcmV0',
    POD_NAME: 'junction-operator-0',
  };
  const gatewayText = find(objects, 'ConfigMap', 'junction-proxy')['data']['gateway.yaml'] as string;
  const operatorText = find(objects, 'ConfigMap', 'junction-operator')['data']['operator.yaml'] as string;
  return {
    gateway: parseGatewayConfig(gatewayText, 'gateway.yaml', processEnv),
    operator: parseOperatorConfig(operatorText, 'operator.yaml', processEnv),
  };
}

describe('helm lint', () => {
  it.each(VALUES_FILES)('passes --strict with ci/%s-values.yaml', async (name) => {
    const result = await helm(['lint', CHART_DIR, '--strict', '-f', valuesFile(name)]);
    expect(result.stderr + result.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(result.code).toBe(0);
  });

  // helm lint renders in lint mode, where `fail` does not fail; template is what install runs.
  it('the bare defaults do not render, with a message saying which Redis to configure', async () => {
    const result = await helm(['template', 'junction', CHART_DIR]);
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/no Redis configured: set redis\.url .*redis\.bundled\.enabled=true/);
  });
});

describe.each(VALUES_FILES)('helm template with ci/%s-values.yaml', (name) => {
  let objects: KubeObject[];
  beforeAll(async () => {
    objects = await render(NS, name);
  });

  it('runs every container as non-root on a read-only root filesystem, without capabilities', () => {
    const pods = deployments(objects).map((d) => d['spec']['template']['spec']);
    expect(pods.length).toBeGreaterThanOrEqual(2);
    for (const pod of pods) {
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
      for (const container of pod.containers) {
        expect(container.securityContext).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          privileged: false,
          capabilities: { drop: ['ALL'] },
        });
        expect(container.resources.requests).toEqual(expect.objectContaining({ cpu: expect.any(String) }));
        expect(container.resources.requests.memory).toEqual(expect.any(String));
        expect(container.livenessProbe).toBeDefined();
        expect(container.readinessProbe).toBeDefined();
      }
    }
  });

  it('probes the proxy and the operator on their admin ports and keeps every namespaced object in the release namespace', () => {
    for (const component of ['proxy', 'operator']) {
      const container = find(objects, 'Deployment', `junction-${component}`)['spec']['template']['spec'][
        'containers'
      ][0];
      const admin = container.ports.find((port: { name: string }) => port.name === 'admin');
      expect(admin.containerPort).toBe(component === 'proxy' ? 8081 : 8082);
      expect(container.livenessProbe.httpGet).toEqual({ path: '/livez', port: 'admin' });
      expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'admin' });
      expect(container.args).toEqual([
        `${component}/dist/main.js`,
        '--config',
        `/etc/junction/${component === 'proxy' ? 'gateway' : 'operator'}.yaml`,
      ]);
    }
    for (const object of objects) {
      if (object.kind !== 'CustomResourceDefinition') expect(object.metadata.namespace).toBe(NS);
    }
  });

  it('renders configs that the proxy and the operator accept, wired to the same Redis prefix', () => {
    const { gateway, operator } = programConfigs(objects);
    expect(gateway.resources).toBeUndefined(); // follows the registry the operator publishes
    expect(gateway.redis?.url).toBe('redis://127.0.0.1:6379/0');
    expect(gateway.redis?.keyPrefix).toBe(operator.redis.keyPrefix);
    expect(gateway.admin.port).toBe(8081);
    expect(gateway.gatewayCookieConfiguration).toEqual({ enabled: true, cookieSigningSecret: 'c2VjcmV0' });
    expect(operator.kubernetes).toEqual({ namespace: NS });
    expect(operator.leaderElection).toMatchObject({ enabled: true, identity: 'junction-operator-0' });
    expect(operator.admin.port).toBe(8082);
    expect(operator.queueStatus.intervalSeconds).toBe(5);
  });

  it('gives the proxy pods longer than their preStop pause plus the drain deadline to stop', () => {
    const { gateway } = programConfigs(objects);
    const pod = find(objects, 'Deployment', 'junction-proxy')['spec']['template']['spec'];
    const preStop = pod.containers[0].lifecycle?.preStop?.sleep?.seconds ?? 0;
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(gateway.server.drainTimeout + preStop * 1000);
  });

  it('gives the proxies no Kubernetes API access: no token mounted, no binding', () => {
    const proxyPod = find(objects, 'Deployment', 'junction-proxy')['spec']['template']['spec'];
    expect(proxyPod.serviceAccountName).toBe('junction-proxy');
    expect(proxyPod.automountServiceAccountToken).toBe(false);
    expect(find(objects, 'ServiceAccount', 'junction-proxy')['automountServiceAccountToken']).toBe(false);
    const bindings = objects.filter((object) => object.kind === 'RoleBinding' || object.kind === 'ClusterRoleBinding');
    const subjects = bindings.flatMap((binding) => binding['subjects'] as Array<{ name: string }>);
    expect(subjects.map((subject) => subject.name)).toEqual(['junction-operator']);
    expect(objects.some((object) => object.kind === 'ClusterRole')).toBe(false);
  });
});

describe('values combinations', () => {
  it('defaults: two proxies with a PDB and topology spread, two operators, a generated cookie Secret', async () => {
    const objects = await render(NS, 'default');
    const proxy = find(objects, 'Deployment', 'junction-proxy');
    expect(proxy['spec']['replicas']).toBe(2);
    expect(find(objects, 'Deployment', 'junction-operator')['spec']['replicas']).toBe(2);
    expect(find(objects, 'PodDisruptionBudget', 'junction-proxy')['spec']['maxUnavailable']).toBe(1);
    const spread = proxy['spec']['template']['spec']['topologySpreadConstraints'];
    expect(spread.map((c: { topologyKey: string }) => c.topologyKey)).toEqual([
      'kubernetes.io/hostname',
      'topology.kubernetes.io/zone',
    ]);
    expect(spread[0].labelSelector.matchLabels).toEqual(proxy['spec']['selector']['matchLabels']);
    const secret = find(objects, 'Secret', 'junction-cookie');
    expect(Buffer.from(secret['data']['cookie-signing-secret'], 'base64').toString()).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(
      env(proxy['spec']['template']['spec']['containers'][0], 'JUNCTION_COOKIE_SIGNING_SECRET')?.valueFrom,
    ).toEqual({
      secretKeyRef: { name: 'junction-cookie', key: 'cookie-signing-secret' },
    });
    expect(objects.filter((object) => object.kind === 'HorizontalPodAutoscaler')).toHaveLength(0);
    expect(objects.filter((object) => object.kind === 'ServiceMonitor')).toHaveLength(0);
    expect(objects.filter((object) => object.kind === 'NetworkPolicy')).toHaveLength(0);
    // Trino traffic and the admin port on separate Services: exposing one never exposes the other.
    expect(find(objects, 'Service', 'junction')['spec']['ports']).toEqual([
      { name: 'trino', port: 8080, targetPort: 'trino', protocol: 'TCP' },
    ]);
    expect(find(objects, 'Service', 'junction-admin')['spec']['ports'][0]).toMatchObject({ name: 'admin', port: 8081 });
  });

  it('bundled Redis: one Redis Deployment and Service the proxies and the operator point at, fenced by NetworkPolicy', async () => {
    const objects = await render(NS, 'bundled-redis');
    const redis = find(objects, 'Deployment', 'junction-redis');
    expect(redis['spec']['replicas']).toBe(1);
    expect(find(objects, 'Service', 'junction-redis')['spec']['ports'][0].port).toBe(6379);
    for (const component of ['proxy', 'operator']) {
      const container = find(objects, 'Deployment', `junction-${component}`)['spec']['template']['spec'][
        'containers'
      ][0];
      expect(env(container, 'JUNCTION_REDIS_URL')?.value).toBe(`redis://junction-redis.${NS}.svc:6379/0`);
    }
    const policy = find(objects, 'NetworkPolicy', 'junction-redis');
    const allowed = policy['spec']['ingress'][0].from.map(
      (peer: { podSelector: { matchLabels: Record<string, string> } }) =>
        peer.podSelector.matchLabels['app.kubernetes.io/component'],
    );
    expect(allowed).toEqual(['proxy', 'operator']);
    expect(find(objects, 'NetworkPolicy', 'junction-proxy')['spec']['policyTypes']).toEqual(['Ingress']);
  });

  it('HPA on: the Deployment leaves replicas to the autoscaler; a longer drain lengthens the grace period', async () => {
    const objects = await render(NS, 'hpa');
    const proxy = find(objects, 'Deployment', 'junction-proxy');
    expect(proxy['spec']['replicas']).toBeUndefined();
    const hpa = find(objects, 'HorizontalPodAutoscaler', 'junction-proxy');
    expect(hpa['spec']).toMatchObject({
      minReplicas: 3,
      maxReplicas: 12,
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'junction-proxy' },
    });
    expect(hpa['spec']['metrics'].map((m: { resource: { name: string } }) => m.resource.name)).toEqual([
      'cpu',
      'memory',
    ]);
    expect(proxy['spec']['template']['spec']['terminationGracePeriodSeconds']).toBe(5 + 120 + 15);
    const { gateway } = programConfigs(objects);
    expect(gateway.server.drainTimeout).toBe(120_000);
    expect(gateway.routing.requestTimeout).toBe(600_000);
    expect(find(objects, 'Service', 'junction')['spec']['type']).toBe('LoadBalancer');
  });

  it('ServiceMonitor on: it scrapes /metrics on the admin port of the proxy and operator Services', async () => {
    const objects = await render(NS, 'servicemonitor');
    const monitor = find(objects, 'ServiceMonitor', 'junction');
    expect(monitor.metadata.labels?.['release']).toBe('prometheus');
    expect(monitor['spec']['endpoints']).toEqual([expect.objectContaining({ port: 'admin', path: '/metrics' })]);
    const selected = objects.filter(
      (object) =>
        object.kind === 'Service' &&
        Object.entries(monitor['spec']['selector']['matchLabels'] as Record<string, string>).every(
          ([key, value]) => object.metadata.labels?.[key] === value,
        ),
    );
    expect(selected.map((service) => service.metadata.name).sort()).toEqual(['junction-admin', 'junction-operator']);
    for (const service of selected) expect(service['spec']['ports'][0].name).toBe('admin');
  });

  it('external secrets: no Secret rendered; the pods read the Redis URL and the cookie secret from the named Secrets', async () => {
    const objects = await render(NS, 'external-secret');
    expect(objects.filter((object) => object.kind === 'Secret')).toHaveLength(0);
    const proxy = find(objects, 'Deployment', 'junction-proxy')['spec']['template']['spec']['containers'][0];
    expect(env(proxy, 'JUNCTION_REDIS_URL')?.valueFrom).toEqual({
      secretKeyRef: { name: 'junction-redis', key: 'url' },
    });
    expect(env(proxy, 'JUNCTION_COOKIE_SIGNING_SECRET')?.valueFrom).toEqual({
      secretKeyRef: { name: 'junction-cookie', key: 'secret' },
    });
  });
});

it('cookies off: no Secret, no secret in the environment, cookie routing disabled in the gateway config', async () => {
  const objects = await render(NS, 'default', ['--set', 'cookies.enabled=false']);
  const secrets = objects.filter((object) => object.kind === 'Secret');
  expect(secrets.map((secret) => secret['metadata'].name)).toEqual(['junction-admin-tokens']);
  const proxy = find(objects, 'Deployment', 'junction-proxy')['spec']['template']['spec']['containers'][0];
  expect(env(proxy, 'JUNCTION_COOKIE_SIGNING_SECRET')).toBeUndefined();
  const gatewayText = find(objects, 'ConfigMap', 'junction-proxy')['data']['gateway.yaml'] as string;
  const gateway = parseGatewayConfig(gatewayText, 'gateway.yaml', { JUNCTION_REDIS_URL: 'redis://r:6379' });
  expect(gateway.gatewayCookieConfiguration.enabled).toBe(false);
});

describe('admin authentication', () => {
  const proxyPod = (objects: KubeObject[]) => find(objects, 'Deployment', 'junction-proxy')['spec']['template']['spec'];

  it('is required by default: a generated token in a Secret, mounted, named in the gateway config', async () => {
    const objects = await render(NS, 'default');
    const secret = find(objects, 'Secret', 'junction-admin-tokens');
    expect(Buffer.from(secret['data']['tokens'], 'base64').toString()).toMatch(/^admin: [A-Za-z0-9]{64}\n$/);
    const pod = proxyPod(objects);
    expect(pod['volumes']).toContainEqual({
      name: 'admin-tokens',
      secret: { secretName: 'junction-admin-tokens', items: [{ key: 'tokens', path: 'tokens' }] },
    });
    expect(pod['containers'][0]['volumeMounts']).toContainEqual({
      name: 'admin-tokens',
      mountPath: '/etc/junction-admin-tokens',
      readOnly: true,
    });
    expect(programConfigs(objects).gateway.admin.auth).toEqual({
      mode: 'Required',
      tokensFile: '/etc/junction-admin-tokens/tokens',
      reloadInterval: 1000,
      openPaths: ['/livez', '/readyz', '/metrics'],
    });
  });

  it('an existing Secret replaces the generated one; OIDC settings reach the gateway config', async () => {
    const objects = await render(NS, 'external-secret', [
      '--set',
      'adminAuth.oidc.issuer=https://idp.example/realms/data',
      '--set',
      'adminAuth.oidc.audience=junction',
    ]);
    expect(objects.filter((object) => object.kind === 'Secret')).toHaveLength(0);
    expect(proxyPod(objects)['volumes']).toContainEqual({
      name: 'admin-tokens',
      secret: { secretName: 'junction-admin', items: [{ key: 'tokens.txt', path: 'tokens' }] },
    });
    expect(programConfigs(objects).gateway.admin.auth.oidc).toEqual({
      issuer: 'https://idp.example/realms/data',
      audience: 'junction',
    });
  });

  it('mode None is explicit: no Secret, no mount, an open admin port', async () => {
    const objects = await render(NS, 'default', ['--set', 'adminAuth.mode=None']);
    expect(objects.filter((object) => object['metadata'].name === 'junction-admin-tokens')).toEqual([]);
    expect(JSON.stringify(proxyPod(objects))).not.toContain('admin-tokens');
    expect(programConfigs(objects).gateway.admin.auth.mode).toBe('None');
  });
});

it('proxy.tracing reaches the gateway config as the proxy parses it; off unless set', async () => {
  expect(programConfigs(await render(NS, 'default')).gateway.tracing.enabled).toBe(false);
  const objects = await render(NS, 'default', [
    '--set',
    'proxy.tracing.enabled=true',
    '--set',
    'proxy.tracing.endpoint=http://otel-collector.observability:4318/v1/traces',
    '--set-json',
    'proxy.tracing.sampleRatio=0.25',
  ]);
  expect(programConfigs(objects).gateway.tracing).toMatchObject({
    enabled: true,
    endpoint: 'http://otel-collector.observability:4318/v1/traces',
    sampleRatio: 0.25,
  });
});

describe('rolling on configuration change', () => {
  const checksums = async (extra: string[]) => {
    const objects = await render(NS, 'default', extra);
    const annotations = (component: string) =>
      find(objects, 'Deployment', `junction-${component}`)['spec']['template']['metadata']['annotations'];
    return { proxy: annotations('proxy'), operator: annotations('operator'), objects };
  };

  it('the proxy checksum is the ConfigMap it mounts, and changes with it (the operator one does not)', async () => {
    const base = await checksums([]);
    const configMap = await helm([
      'template',
      'junction',
      CHART_DIR,
      '--namespace',
      NS,
      '-f',
      valuesFile('default'),
      '--show-only',
      'templates/configmap-gateway.yaml',
    ]);
    const rendered = configMap.stdout.replace(/^---\n# Source: [^\n]*\n/, '');
    expect(base.proxy['checksum/config']).toBe(createHash('sha256').update(rendered).digest('hex'));
    const again = await checksums([]);
    expect(again.proxy['checksum/config']).toBe(base.proxy['checksum/config']);
    const changed = await checksums(['--set', 'proxy.routing.requestTimeout=10m']);
    expect(changed.proxy['checksum/config']).not.toBe(base.proxy['checksum/config']);
    expect(changed.operator['checksum/config']).toBe(base.operator['checksum/config']);
    const operatorChanged = await checksums(['--set', 'operator.probeConcurrency=4']);
    expect(operatorChanged.operator['checksum/config']).not.toBe(base.operator['checksum/config']);
    expect(operatorChanged.proxy['checksum/config']).toBe(base.proxy['checksum/config']);
  });

  it('a user-supplied cookie signing secret rolls the proxies when it changes', async () => {
    const one = await checksums(['--set', 'cookies.signingSecret=first-secret']);
    const two = await checksums(['--set', 'cookies.signingSecret=second-secret']);
    expect(one.proxy['checksum/cookie-secret']).not.toBe(two.proxy['checksum/cookie-secret']);
    const secret = find(two.objects, 'Secret', 'junction-cookie');
    expect(Buffer.from(secret['data']['cookie-signing-secret'], 'base64').toString()).toBe('second-secret');
  });
});

describe('values.schema.json and template checks reject mistakes with a message naming them', () => {
  const rejects = async (extra: string[], message: RegExp) => {
    const result = await helm(['template', 'junction', CHART_DIR, '-f', valuesFile('default'), ...extra]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(message);
  };

  it('a misspelt key', async () => {
    await rejects(['--set', 'proxy.replica=3'], /at '\/proxy': additional properties 'replica' not allowed/);
  });

  it('a misspelt nested key of the gateway routing section', async () => {
    await rejects(
      ['--set', 'proxy.routing.requestTimeut=5m'],
      /at '\/proxy\/routing': additional properties 'requestTimeut' not allowed/,
    );
  });

  it('a misspelt top-level key', async () => {
    await rejects(['--set', 'serviceMonitr.enabled=true'], /additional properties 'serviceMonitr' not allowed/);
  });

  it('a value of the wrong type or shape', async () => {
    await rejects(['--set-string', 'proxy.replicaCount=two'], /at '\/proxy\/replicaCount'/);
    await rejects(['--set', 'redis.url=http://redis:6379'], /at '\/redis\/url'/);
    await rejects(['--set', 'proxy.routing.queryIdTtl=one-day'], /at '\/proxy\/routing\/queryIdTtl'/);
  });

  it('a grace period that would kill queries before they drain, and two Redis at once', async () => {
    await rejects(
      ['--set', 'proxy.terminationGracePeriodSeconds=30'],
      /proxy\.terminationGracePeriodSeconds \(30\) must be larger than .* \(35\)/,
    );
    await rejects(['--set', 'redis.bundled.enabled=true'], /redis\.bundled\.enabled=true and an external Redis/);
  });
});

describe('CRDs: one source', () => {
  it('the chart’s crds/ is crds/ of the repository, and helm ships exactly those documents', async () => {
    expect(realpathSync(join(CHART_DIR, 'crds'))).toBe(realpathSync(join(REPO_ROOT, 'crds')));
    const fromRepo = readdirSync(join(REPO_ROOT, 'crds'))
      .filter((file) => file.endsWith('.yaml'))
      .flatMap((file) => parseManifests(readFileSync(join(REPO_ROOT, 'crds', file), 'utf8')));
    expect(fromRepo.map((crd) => crd.metadata.name).sort()).toEqual([
      'routinggroups.junction.dev',
      'trinoclusters.junction.dev',
    ]);
    const result = await helm(['template', 'junction', CHART_DIR, '-f', valuesFile('default'), '--include-crds']);
    expect(result.code).toBe(0);
    const shipped = parseManifests(result.stdout).filter((object) => object.kind === 'CustomResourceDefinition');
    const byName = (a: KubeObject, b: KubeObject) => a.metadata.name.localeCompare(b.metadata.name);
    expect(shipped.sort(byName)).toEqual(fromRepo.sort(byName));
  });

  it('helm package copies the CRD files (not the link) into the chart archive', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'junction-package-'));
    try {
      const packaged = await helm(['package', CHART_DIR, '--destination', dir]);
      expect(packaged.code).toBe(0);
      execFileSync('tar', ['-xzf', join(dir, 'junction-0.1.0.tgz'), '-C', dir]);
      const crdsDir = join(dir, 'junction', 'crds');
      expect(lstatSync(crdsDir).isSymbolicLink()).toBe(false);
      const files = readdirSync(join(REPO_ROOT, 'crds')).sort();
      expect(readdirSync(crdsDir).sort()).toEqual(files);
      for (const file of files) {
        expect(readFileSync(join(crdsDir, file), 'utf8')).toBe(readFileSync(join(REPO_ROOT, 'crds', file), 'utf8'));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
