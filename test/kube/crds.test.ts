// The checked-in CRDs (crds/) against a real kube-apiserver: they install, and the apiserver then validates,
// defaults, explains and prints TrinoClusters and RoutingGroups the way the zod schemas do.
// Needs scripts/kube/ensure-control-plane.sh to have run once on the machine.
import { resolve } from 'node:path';
import { RoutingGroup, TrinoCluster } from '../../shared/src/contract/schemas/resources.js';
import { selectorProblems } from '../../shared/src/contract/selector.js';
import { type ControlPlane, startControlPlane } from '../harness/kube.js';

const NAMESPACE = 'junction-crds';
const CRDS_DIR = resolve(import.meta.dirname, '../../crds');
const STARTUP_TIMEOUT_MS = 180_000;
const TEST_TIMEOUT_MS = 90_000;
// The apiserver publishes a new CRD's OpenAPI (for explain and --validate=strict) a moment after it is Established.
const OPENAPI_PUBLISH_TIMEOUT_MS = 30_000;

let cp: ControlPlane;

async function kubectlOk(args: string[], input?: string): Promise<string> {
  const result = await cp.kubectl(args, input);
  if (result.code !== 0) {
    throw new Error(`kubectl ${args.join(' ')} exited ${result.code}:\n${result.stderr}${result.stdout}`);
  }
  return result.stdout;
}

/** Retries a kubectl command until it succeeds (the OpenAPI for new CRDs appears asynchronously). */
async function kubectlEventually(args: string[]): Promise<string> {
  const deadline = Date.now() + OPENAPI_PUBLISH_TIMEOUT_MS;
  for (;;) {
    const result = await cp.kubectl(args);
    if (result.code === 0) return result.stdout;
    if (Date.now() > deadline) throw new Error(`kubectl ${args.join(' ')} kept failing:\n${result.stderr}`);
    await new Promise((done) => setTimeout(done, 500));
  }
}

function trinoCluster(name: string, spec: Record<string, unknown>, labels: Record<string, string> = {}): object {
  return {
    apiVersion: 'junction.dev/v1alpha1',
    kind: 'TrinoCluster',
    metadata: { name, namespace: NAMESPACE, labels },
    spec,
  };
}

function routingGroup(name: string, spec: Record<string, unknown>): object {
  return { apiVersion: 'junction.dev/v1alpha1', kind: 'RoutingGroup', metadata: { name, namespace: NAMESPACE }, spec };
}

/** What the apiserver stored, minus server-set metadata, as our schemas would read it. */
async function stored(resource: 'tc' | 'rg', name: string): Promise<{ spec: Record<string, unknown> }> {
  return JSON.parse(await kubectlOk(['get', resource, name, '-o', 'json'])) as { spec: Record<string, unknown> };
}

/** `kubectl apply --dry-run=server --validate=strict`: the apiserver's verdict without storing anything. */
async function serverVerdict(object: object): Promise<{ code: number; stderr: string }> {
  const result = await cp.kubectl(
    ['apply', '--dry-run=server', '--validate=strict', '-f', '-'],
    JSON.stringify(object),
  );
  return { code: result.code, stderr: result.stderr };
}

beforeAll(async () => {
  cp = await startControlPlane({ namespace: NAMESPACE });
}, STARTUP_TIMEOUT_MS);

afterAll(async () => {
  await cp?.stop();
});

describe('generated CRDs on a real kube-apiserver', () => {
  test(
    'kubectl apply -f crds/ installs both and they become Established under their short names',
    async () => {
      const applied = await kubectlOk(['apply', '-f', CRDS_DIR]);
      expect(applied).toContain('customresourcedefinition.apiextensions.k8s.io/trinoclusters.junction.dev');
      expect(applied).toContain('customresourcedefinition.apiextensions.k8s.io/routinggroups.junction.dev');
      await kubectlOk([
        'wait',
        '--for=condition=Established',
        'crd/trinoclusters.junction.dev',
        'crd/routinggroups.junction.dev',
        '--timeout=60s',
      ]);
      const resources = await kubectlEventually(['api-resources', '--api-group=junction.dev', '--no-headers']);
      expect(resources).toMatch(/^trinoclusters\s+tc\s+junction\.dev\/v1alpha1\s+true\s+TrinoCluster$/m);
      expect(resources).toMatch(/^routinggroups\s+rg\s+junction\.dev\/v1alpha1\s+true\s+RoutingGroup$/m);
      // Re-applying unchanged CRDs is a no-op, as CI and Helm upgrades do it.
      expect(await kubectlOk(['apply', '-f', CRDS_DIR])).toMatch(/unchanged[\s\S]*unchanged/);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'valid resources apply; the apiserver fills in the same defaults as the zod schemas',
    async () => {
      const blue = trinoCluster('blue', { url: 'http://trino-blue:8080' }, { pool: 'adhoc' });
      const adhoc = routingGroup('adhoc', { clusterSelector: { matchLabels: { pool: 'adhoc' } }, default: true });
      await kubectlOk(['apply', '--validate=strict', '-f', '-'], JSON.stringify(blue));
      await kubectlOk(['apply', '--validate=strict', '-f', '-'], JSON.stringify(adhoc));

      const tc = await stored('tc', 'blue');
      expect(tc.spec).toEqual({
        url: 'http://trino-blue:8080',
        enabled: true,
        weight: 1,
        healthCheck: { type: 'Info', intervalSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
      });
      expect(tc.spec).toEqual(TrinoCluster.parse(blue).spec);

      const rg = await stored('rg', 'adhoc');
      expect(rg.spec).toEqual({
        clusterSelector: { matchLabels: { pool: 'adhoc' } },
        default: true,
        strategy: 'LeastLoaded',
        priority: 0,
        rules: [],
        queue: { maxQueued: 1000, maxWaitSeconds: 3600, priorityClasses: [], fairShare: 'User' },
        admission: [],
      });
      expect(rg.spec).toEqual(RoutingGroup.parse(adhoc).spec);

      // Nested defaults fill a partly written healthCheck, as zod does.
      const partial = trinoCluster('green', {
        url: 'https://trino-green.example.com:8443/',
        externalUrl: 'https://green.example.com/ui/',
        enabled: false,
        weight: 0.5,
        healthCheck: { type: 'Metrics', intervalSeconds: 30 },
      });
      await kubectlOk(['apply', '--validate=strict', '-f', '-'], JSON.stringify(partial));
      const green = await stored('tc', 'green');
      expect(green.spec['healthCheck']).toEqual({
        type: 'Metrics',
        intervalSeconds: 30,
        timeoutSeconds: 5,
        failureThreshold: 3,
      });
      expect(green.spec).toEqual(TrinoCluster.parse(partial).spec);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'kubectl get shows the printer columns, filled from .spec and .status',
    async () => {
      await kubectlOk([
        'patch',
        'tc',
        'blue',
        '--subresource=status',
        '--type=merge',
        '-p',
        JSON.stringify({
          status: {
            phase: 'Healthy',
            runningQueries: 3,
            queuedQueries: 1,
            admittedQueries: 2,
            routingGroups: ['adhoc'],
            observedGeneration: 1,
            conditions: [
              {
                type: 'Ready',
                status: 'True',
                reason: 'ProbeSucceeded',
                message: 'GET /v1/info answered starting=false',
                lastTransitionTime: new Date().toISOString(), // with milliseconds, as JavaScript writes it
                observedGeneration: 1,
              },
            ],
          },
        }),
      ]);
      await kubectlOk([
        'patch',
        'rg',
        'adhoc',
        '--subresource=status',
        '--type=merge',
        '-p',
        JSON.stringify({
          status: {
            clusters: ['blue', 'green'],
            healthyClusters: 1,
            queuedQueries: 4,
            admission: 'per-user: 20 concurrent per User, Reject',
          },
        }),
      ]);
      await kubectlOk([
        'patch',
        'tc',
        'blue',
        '--type=merge',
        '-p',
        JSON.stringify({ spec: { maxRunningQueries: 5 } }),
      ]);

      const clusters = await kubectlOk(['get', 'tc']);
      expect(clusters).toMatch(/^NAME\s+URL\s+PHASE\s+RUNNING\s+QUEUED\s+ADMITTED\s+LIMIT\s+GROUPS\s+AGE$/m);
      expect(clusters).toMatch(/^blue\s+http:\/\/trino-blue:8080\s+Healthy\s+3\s+1\s+2\s+5\s+\["adhoc"\]\s+\d+s$/m);
      const groups = await kubectlOk(['get', 'rg']);
      expect(groups).toMatch(/^NAME\s+DEFAULT\s+STRATEGY\s+CLUSTERS\s+HEALTHY\s+QUEUED\s+AGE$/m);
      expect(groups).toMatch(/^adhoc\s+true\s+LeastLoaded\s+\["blue","green"\]\s+1\s+4\s+\d+s$/m);
      const wide = await kubectlOk(['get', 'rg', '-o', 'wide']);
      expect(wide).toMatch(/^NAME\s+DEFAULT\s+STRATEGY\s+CLUSTERS\s+HEALTHY\s+QUEUED\s+ADMISSION\s+AGE$/m);
      expect(wide).toContain('per-user: 20 concurrent per User, Reject');
      // The category lists both kinds at once.
      const all = await kubectlOk(['get', 'junction', '-o', 'name']);
      expect(all.trim().split('\n').sort()).toEqual([
        'routinggroup.junction.dev/adhoc',
        'trinocluster.junction.dev/blue',
        'trinocluster.junction.dev/green',
      ]);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'kubectl explain prints the descriptions from schemas.ts',
    async () => {
      const weight = await kubectlEventually(['explain', 'tc.spec.weight']);
      expect(weight).toContain('Relative share of new queries inside a routing group; 0 receives none.');
      const spec = await kubectlEventually(['explain', 'tc.spec']);
      expect(spec).toContain('Where the coordinator is and how Junction routes to it and probes it.');
      expect(spec).toMatch(/url\s+<string> -required-/);
      const strategy = await kubectlEventually(['explain', 'rg.spec.strategy']);
      expect(strategy).toContain('How a member is chosen');
      expect(strategy).toMatch(/LeastLoaded/);
    },
    TEST_TIMEOUT_MS,
  );

  // Junction's own verdict on a resource: the zod schema, plus selectorProblems() for RoutingGroups.
  const junctionAccepts = (object: object): boolean => {
    if ((object as { kind: string }).kind === 'TrinoCluster') return TrinoCluster.safeParse(object).success;
    const parsed = RoutingGroup.safeParse(object);
    return parsed.success && selectorProblems(parsed.data.spec.clusterSelector).length === 0;
  };

  // Each invalid input and what the apiserver's message must say; Junction's own validation rejects it too.
  const invalid: Array<[string, object, RegExp]> = [
    [
      'a non-http URL',
      trinoCluster('bad', { url: 'ftp://x' }),
      // One error only: the origin rule stays quiet about what the pattern already reports.
      /is invalid: spec\.url: Invalid value: "ftp:\/\/x": spec\.url in body should match '\^https\?:\/\/'$/m,
    ],
    ['a URL that is not a URL', trinoCluster('bad', { url: 'http://' }), /spec\.url.*must be the coordinator's origin/],
    [
      'a URL with a path',
      trinoCluster('bad', { url: 'http://trino:8080/ui' }),
      /spec\.url.*must be the coordinator's origin \(scheme:\/\/host:port\) without a path/,
    ],
    [
      'a URL with credentials',
      trinoCluster('bad', { url: 'http://admin:secret@trino:8080' }),
      /spec\.url.*must be the coordinator's origin/,
    ],
    [
      'an externalUrl without a host',
      trinoCluster('bad', { url: 'http://trino:8080', externalUrl: 'https://' }),
      /spec\.externalUrl.*must be an http\(s\) URL/,
    ],
    [
      'a negative weight',
      trinoCluster('bad', { url: 'http://trino:8080', weight: -1 }),
      /spec\.weight.*should be greater than or equal to 0/,
    ],
    [
      'an unknown health check type',
      trinoCluster('bad', { url: 'http://trino:8080', healthCheck: { type: 'Ping' } }),
      /spec\.healthCheck\.type.*Unsupported value: "Ping"/,
    ],
    ['a missing url', trinoCluster('bad', { weight: 1 }), /spec\.url: Required value/],
    [
      'an unknown field in spec',
      trinoCluster('bad', { url: 'http://trino:8080', wieght: 2 }),
      /unknown field "spec\.wieght"/,
    ],
    [
      'an unknown strategy',
      routingGroup('bad', { clusterSelector: {}, strategy: 'Fastest' }),
      /spec\.strategy.*Unsupported value: "Fastest": supported values: "LeastLoaded", "RoundRobin", "Random"/,
    ],
    [
      'an In requirement without values',
      routingGroup('bad', { clusterSelector: { matchExpressions: [{ key: 'pool', operator: 'In' }] } }),
      /spec\.clusterSelector\.matchExpressions\[0\].*values must be non-empty for In and NotIn/,
    ],
    [
      'an unknown field in a selector',
      routingGroup('bad', { clusterSelector: { matchLabel: { pool: 'etl' } } }),
      /unknown field "spec\.clusterSelector\.matchLabel"/,
    ],
    [
      'a fallbackGroup that is not a DNS name',
      routingGroup('bad', { clusterSelector: {}, fallbackGroup: 'Ad Hoc' }),
      /spec\.fallbackGroup.*should match/,
    ],
  ];

  test.each(invalid)(
    'the apiserver rejects %s with a message naming the field (and Junction agrees)',
    async (_what, object, message) => {
      const verdict = await serverVerdict(object);
      expect(verdict.code).not.toBe(0);
      expect(verdict.stderr).toMatch(message);
      expect(junctionAccepts(object)).toBe(false);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'the apiserver accepts what zod accepts at the edges (weight 0, https origin with a trailing slash, Exists)',
    async () => {
      const edges = [
        trinoCluster('edge', { url: 'https://trino.example.com/', weight: 0 }),
        routingGroup('edge', {
          clusterSelector: { matchExpressions: [{ key: 'pool', operator: 'Exists' }] },
          rules: [{ name: 'airflow', condition: 'request.source == "airflow"' }],
        }),
      ];
      for (const object of edges) {
        expect(await serverVerdict(object)).toEqual({ code: 0, stderr: '' });
        expect(junctionAccepts(object)).toBe(true);
      }
    },
    TEST_TIMEOUT_MS,
  );
});
