// The proxy as a process: --help, configuration errors that name the field, the admin port,
// and SIGTERM letting in-flight requests finish before exiting 0.
import { spawnSync } from 'node:child_process';
import { request } from 'undici';
import { SimTrino } from '../fixtures/sim-trino.js';
import { clusterResource, eventually, groupResource, PROXY_MAIN, spawnProxy, Workspace } from '../harness/proxy.js';
import { submit } from '../harness/trino-http.js';

let blue: SimTrino;
let workspace: Workspace;

beforeAll(async () => {
  blue = await SimTrino.start({ name: 'blue' });
  workspace = new Workspace();
  workspace.writeResources([
    clusterResource('blue', { url: blue.url, labels: { pool: 'adhoc' } }),
    groupResource('adhoc', { matchLabels: { pool: 'adhoc' }, default: true }),
  ]);
});

afterAll(async () => {
  await blue.close();
  workspace.remove();
});

const run = (args: string[]) =>
  spawnSync(process.execPath, [PROXY_MAIN, ...args], { encoding: 'utf8', timeout: 10_000 });

it('explains its flags with --help', () => {
  const result = run(['--help']);
  expect(result.status).toBe(0);
  expect(result.stdout).toContain('--config');
});

it('stops with a message naming the invalid key', () => {
  const file = workspace.writeConfig(
    { ...workspace.config(), routing: { queryIdTtl: 'forever', honorGroupHeader: true } } as never,
    'bad.yaml',
  );
  const result = run(['--config', file]);
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('bad.yaml: routing.queryIdTtl');
  expect(result.stderr).toContain('routing.honorGroupHeader: unknown key');
  expect(result.stderr).not.toMatch(/\n\s+at /);
});

it('stops with a message naming the invalid resource field', () => {
  workspace.writeResources([clusterResource('blue', { url: 'ftp://nope' })]);
  try {
    const result = run(['--config', workspace.writeConfig(workspace.config(), 'ok.yaml')]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('resources.yaml: TrinoCluster "blue": spec.url: must be an http(s) URL');
  } finally {
    workspace.writeResources([
      clusterResource('blue', { url: blue.url, labels: { pool: 'adhoc' } }),
      groupResource('adhoc', { matchLabels: { pool: 'adhoc' }, default: true }),
    ]);
  }
});

it('serves the admin endpoints on their own port', async () => {
  const proxy = await spawnProxy(workspace.writeConfig(workspace.config(), 'admin.yaml'));
  try {
    await eventually(async () => (await request(`${proxy.adminUrl}/readyz`)).statusCode === 200);
    const clusters = (await (await request(`${proxy.adminUrl}/api/v1/clusters`)).body.json()) as Array<{
      name: string;
      phase: string;
    }>;
    expect(clusters).toEqual([expect.objectContaining({ name: 'blue', phase: 'Healthy' })]);
    const groups = (await (await request(`${proxy.adminUrl}/api/v1/groups`)).body.json()) as Array<{
      name: string;
      clusters: string[];
      default: boolean;
    }>;
    expect(groups).toEqual([
      expect.objectContaining({ name: 'adhoc', clusters: ['blue'], routableClusters: ['blue'], default: true }),
    ]);
    await submit(proxy.url, 'SELECT 1');
    const metrics = await (await request(`${proxy.adminUrl}/metrics`)).body.text();
    expect(metrics).toMatch(/junction_requests_total\{kind="submit",status_class="2xx"\} 1/);
    expect(metrics).toMatch(/junction_cluster_phase\{cluster="blue",phase="Healthy"\} 1/);
    expect(metrics).toContain('junction_request_duration_seconds_bucket{le="0.0005"');
    // Admin endpoints are not on the Trino port, and Trino paths are not on the admin port.
    expect((await request(`${proxy.url}/metrics`)).statusCode).toBe(404);
    expect((await request(`${proxy.adminUrl}/v1/info`)).statusCode).toBe(404);
  } finally {
    await proxy.stop();
  }
});

it('on SIGTERM lets in-flight requests finish, then exits 0', async () => {
  const proxy = await spawnProxy(workspace.writeConfig(workspace.config(), 'drain.yaml'));
  await eventually(async () => (await request(`${proxy.adminUrl}/readyz`)).statusCode === 200);
  blue.setLatency(1_000);
  try {
    const inFlight = request(`${proxy.url}/v1/node`);
    await eventually(() => blue.records.some((r) => r.path === '/v1/node'));
    const exit = proxy.stop('SIGTERM');
    const response = await inFlight;
    expect(response.statusCode).toBe(200);
    await response.body.dump();
    expect(await exit).toBe(0);
  } finally {
    blue.setLatency(0);
  }
});
