// Proves the test control plane (test/harness/kube.ts) is a real kube-apiserver + etcd: CRDs with a
// status subresource, custom resources, optimistic concurrency on Leases, RBAC enforcement and
// service-account tokens. Needs scripts/kube/ensure-control-plane.sh to have run once on the machine.
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { type ControlPlane, startControlPlane } from '../harness/kube.js';

const NAMESPACE = 'junction-test';
const STARTUP_TIMEOUT_MS = 180_000;
const TEST_TIMEOUT_MS = 90_000;

const WIDGET_CRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.junction.dev
spec:
  group: example.junction.dev
  scope: Namespaced
  names: { plural: widgets, singular: widget, kind: Widget, listKind: WidgetList }
  versions:
    - name: v1alpha1
      served: true
      storage: true
      subresources: { status: {} }
      additionalPrinterColumns:
        - { name: Size, type: integer, jsonPath: .spec.size }
        - { name: Phase, type: string, jsonPath: .status.phase }
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [size]
              properties:
                size: { type: integer, minimum: 1 }
            status:
              type: object
              properties:
                phase: { type: string }
`;

const widget = (name: string, size: number): string => `
apiVersion: example.junction.dev/v1alpha1
kind: Widget
metadata: { name: ${name}, namespace: ${NAMESPACE} }
spec: { size: ${size} }
`;

let cp: ControlPlane;

/** Runs kubectl and fails the test (with its stderr) unless it exits 0. */
async function kubectlOk(args: string[], input?: string): Promise<string> {
  const result = await cp.kubectl(args, input);
  if (result.code !== 0) {
    throw new Error(`kubectl ${args.join(' ')} exited ${result.code}:\n${result.stderr}${result.stdout}`);
  }
  return result.stdout;
}

interface KubeObject {
  metadata: { name: string; generation: number; resourceVersion: string };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

async function getObject(args: string[]): Promise<KubeObject> {
  return JSON.parse(await kubectlOk(['get', ...args, '-o', 'json'])) as KubeObject;
}

function httpsGet(path: string, options: { ca?: string; token: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = { authorization: `Bearer ${options.token}` };
    const req = request(`${cp.server}${path}`, { ca: options.ca, headers, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.once('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.once('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  cp = await startControlPlane({ namespace: NAMESPACE });
  await kubectlOk(['apply', '-f', '-'], WIDGET_CRD);
  await kubectlOk(['wait', '--for=condition=Established', 'crd/widgets.example.junction.dev', '--timeout=60s']);
}, STARTUP_TIMEOUT_MS);

afterAll(async () => {
  await cp?.stop();
});

describe('test control plane', () => {
  test(
    'serves the core API: namespaces include default and the requested one',
    async () => {
      const namespaces = await kubectlOk(['get', 'namespaces', '-o', 'name']);
      expect(namespaces.split('\n')).toEqual(expect.arrayContaining(['namespace/default', `namespace/${NAMESPACE}`]));
      const version = JSON.parse(await kubectlOk(['version', '-o', 'json'])) as {
        serverVersion?: { gitVersion?: string };
      };
      expect(version.serverVersion?.gitVersion).toMatch(/^v1\.\d+\.\d+$/);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'server, token and CA work for clients other than kubectl; TLS and authentication are real',
    async () => {
      const widgets = '/apis/example.junction.dev/v1alpha1/widgets';
      const ok = await httpsGet(widgets, { ca: cp.ca, token: cp.token });
      expect(ok.status).toBe(200);
      expect(JSON.parse(ok.body).kind).toBe('WidgetList');
      // A wrong token is rejected (401), and without the CA the self-signed certificate is refused.
      expect((await httpsGet(widgets, { ca: cp.ca, token: 'not-a-token' })).status).toBe(401);
      await expect(httpsGet(widgets, { token: cp.token })).rejects.toThrow(/certificate/);
      expect(await readFile(cp.kubeconfig, 'utf8')).toContain(`server: ${cp.server}`);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'CRDs with a status subresource and custom resources work',
    async () => {
      await kubectlOk(['apply', '-f', '-'], widget('sprocket', 3));
      const table = await kubectlOk(['get', 'widgets']);
      expect(table).toMatch(/^NAME\s+SIZE\s+PHASE/);
      expect(table).toMatch(/^sprocket\s+3\s/m);

      // The schema is enforced by the apiserver.
      const invalid = await cp.kubectl(['apply', '-f', '-'], widget('broken', 0));
      expect(invalid.code).not.toBe(0);
      expect(invalid.stderr).toMatch(/spec\.size|should be greater than or equal to 1/);

      // Status goes through the status subresource and does not bump metadata.generation.
      const before = await getObject(['widget', 'sprocket']);
      await kubectlOk([
        'patch',
        'widget',
        'sprocket',
        '--subresource=status',
        '--type=merge',
        '-p',
        '{"status":{"phase":"Ready"}}',
      ]);
      const after = await getObject(['widget', 'sprocket']);
      expect(after.status).toEqual({ phase: 'Ready' });
      expect(after.metadata.generation).toBe(before.metadata.generation);
      expect(after.metadata.resourceVersion).not.toBe(before.metadata.resourceVersion);

      // A spec change bumps the generation; status written through the main resource is ignored.
      await kubectlOk([
        'patch',
        'widget',
        'sprocket',
        '--type=merge',
        '-p',
        '{"spec":{"size":4},"status":{"phase":"X"}}',
      ]);
      const changed = await getObject(['widget', 'sprocket']);
      expect(changed.metadata.generation).toBe(before.metadata.generation + 1);
      expect(changed.status).toEqual({ phase: 'Ready' });
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'Leases support optimistic concurrency (stale resourceVersion → Conflict)',
    async () => {
      const lease = (holder: string, resourceVersion?: string): string =>
        JSON.stringify({
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: {
            name: 'junction-operator',
            namespace: NAMESPACE,
            ...(resourceVersion ? { resourceVersion } : {}),
          },
          spec: { holderIdentity: holder, leaseDurationSeconds: 15 },
        });
      await kubectlOk(['create', '-f', '-'], lease('replica-a'));
      const created = await getObject(['lease', 'junction-operator']);
      const staleVersion: string = created.metadata.resourceVersion;

      await kubectlOk(['replace', '-f', '-'], lease('replica-b', staleVersion));
      const renewed = await getObject(['lease', 'junction-operator']);
      expect(renewed.spec?.holderIdentity).toBe('replica-b');
      expect(renewed.metadata.resourceVersion).not.toBe(staleVersion);

      const conflict = await cp.kubectl(['replace', '-f', '-'], lease('replica-c', staleVersion));
      expect(conflict.code).not.toBe(0);
      expect(conflict.stderr).toMatch(/Conflict/);
      expect(conflict.stderr).toMatch(/the object has been modified/);
      const unchanged = await getObject(['lease', 'junction-operator']);
      expect(unchanged.spec?.holderIdentity).toBe('replica-b');
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'RBAC is enforced for service accounts',
    async () => {
      const sa = 'widget-reader';
      const subject = `system:serviceaccount:${NAMESPACE}:${sa}`;
      await kubectlOk(['create', 'serviceaccount', sa]);
      await kubectlOk(['create', 'role', 'widget-get', '--verb=get', '--resource=widgets.example.junction.dev']);
      await kubectlOk([
        'create',
        'rolebinding',
        'widget-get',
        '--role=widget-get',
        `--serviceaccount=${NAMESPACE}:${sa}`,
      ]);

      const canGet = await cp.kubectl(['auth', 'can-i', `--as=${subject}`, 'get', 'widgets.example.junction.dev']);
      expect({ code: canGet.code, answer: canGet.stdout.trim() }).toEqual({ code: 0, answer: 'yes' });
      const canDelete = await cp.kubectl([
        'auth',
        'can-i',
        `--as=${subject}`,
        'delete',
        'widgets.example.junction.dev',
      ]);
      expect({ code: canDelete.code, answer: canDelete.stdout.trim() }).toEqual({ code: 1, answer: 'no' });
      const canList = await cp.kubectl(['auth', 'can-i', `--as=${subject}`, 'list', 'widgets.example.junction.dev']);
      expect(canList.stdout.trim()).toBe('no');

      // With a real token for the service account (TokenRequest, signed by the apiserver's key).
      await kubectlOk(['apply', '-f', '-'], widget('gizmo', 1));
      const token = (await kubectlOk(['create', 'token', sa, '--duration=10m'])).trim();
      expect(token.split('.')).toHaveLength(3);
      const asSa = ['--token', token];
      const got = await cp.kubectl([...asSa, 'get', 'widget', 'gizmo', '-o', 'name']);
      expect({ code: got.code, stdout: got.stdout.trim() }).toEqual({
        code: 0,
        stdout: 'widget.example.junction.dev/gizmo',
      });
      const deleted = await cp.kubectl([...asSa, 'delete', 'widget', 'gizmo']);
      expect(deleted.code).not.toBe(0);
      expect(deleted.stderr).toMatch(/Forbidden/);
      expect(deleted.stderr).toContain(`User "${subject}" cannot delete resource "widgets"`);
      await kubectlOk(['get', 'widget', 'gizmo']);
    },
    TEST_TIMEOUT_MS,
  );
});
