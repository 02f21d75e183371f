// The proxy speaks the Trino protocol: queries complete through it with every follow-up on the
// owning cluster, bodies pass byte-for-byte, and every failure is a clear JSON (or FAILED query)
// answer. Real sockets throughout: simulated coordinators and an in-process proxy.
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request } from 'undici';
import type { RunningProxy } from '../../proxy/src/app.js';
import { expectedSegmentBytes, SimTrino } from '../fixtures/sim-trino.js';
import { freePort } from '../harness/ports.js';
import { clusterResource, eventually, groupResource, startInProcess, Workspace } from '../harness/proxy.js';
import { runQuery, submit } from '../harness/trino-http.js';

let blue: SimTrino;
let green: SimTrino;
let workspace: Workspace;
let proxy: RunningProxy;
let deadPort: number;

/** A raw HTTP/1.1 request: no client-side URL normalisation or header checks. */
function raw(method: string, target: string, headers: Record<string, string> = {}) {
  const { hostname, port } = new URL(proxy.url);
  return new Promise<{ status: number; contentType: string; body: string }>((resolve, reject) => {
    const req = httpRequest(
      { host: hostname, port, method, path: target, headers, setHost: !('host' in headers) },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), body }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  blue = await SimTrino.start({ name: 'blue' });
  green = await SimTrino.start({ name: 'green' });
  deadPort = await freePort();
  workspace = new Workspace();
  workspace.writeResources([
    clusterResource('blue', { url: blue.url, labels: { pool: 'adhoc' } }),
    clusterResource('green', { url: green.url, labels: { pool: 'slow' } }),
    // Health "None" keeps the dead cluster routable, so forwarding itself meets the closed port.
    clusterResource('dead', {
      url: `http://127.0.0.1:${deadPort}`,
      labels: { pool: 'dead' },
      healthCheck: { type: 'None' },
    }),
    groupResource('adhoc', { matchLabels: { pool: 'adhoc' }, default: true }),
    groupResource('slow', { matchLabels: { pool: 'slow' } }),
    groupResource('dead', { matchLabels: { pool: 'dead' } }),
    groupResource('empty', { matchLabels: { pool: 'nothing' } }),
  ]);
  proxy = await startInProcess(workspace.config({ routing: { requestTimeout: '1s', queryLookupTimeout: '500ms' } }));
  await eventually(() => proxy.health.get('blue').phase === 'Healthy' && proxy.health.get('green').phase === 'Healthy');
});

afterAll(async () => {
  await proxy.close();
  await Promise.all([blue.close(), green.close()]);
  workspace.remove();
});

afterEach(() => {
  green.setFailure('none');
  green.setLatency(0);
});

describe('a query through the proxy', () => {
  it('completes, and every request of it reaches the owning cluster', async () => {
    const run = await runQuery(proxy.url, 'SELECT 1');
    expect(run.state).toBe('FINISHED');
    expect(run.rows.length).toBeGreaterThan(0);
    expect(blue.queryIds()).toContain(run.id);
    // nextUri points back at the gateway because the proxy sent X-Forwarded-*.
    for (const uri of run.uris) expect(uri.startsWith(proxy.url)).toBe(true);
    expect(blue.recordsFor(run.id).length).toBe(run.uris.length + 1);
    expect(green.recordsFor(run.id)).toHaveLength(0);
  });

  it('forwards X-Forwarded-* and Via, and drops hop-by-hop headers', async () => {
    const answer = await raw('GET', '/v1/info', {
      'x-trino-user': 'me',
      connection: 'keep-alive, x-hop',
      'x-hop': 'only for the first hop',
      te: 'trailers',
      'x-forwarded-for': '10.1.1.1',
    });
    expect(answer.status).toBe(200);
    const seen = blue.records.at(-1)?.headers;
    expect(seen?.via).toBe('1.1 junction');
    expect(seen?.['x-forwarded-for']).toBe('10.1.1.1, 127.0.0.1');
    expect(seen?.['x-forwarded-proto']).toBe('http');
    expect(seen?.['x-forwarded-host']).toBe(new URL(proxy.url).host);
    expect(seen?.['x-forwarded-port']).toBe(new URL(proxy.url).port);
    expect(seen?.['x-hop']).toBeUndefined();
    expect(seen?.te).toBeUndefined();
  });

  it('passes a 5 MB binary body through unchanged', async () => {
    const size = 5 * 1024 * 1024;
    const response = await request(`${proxy.url}/v1/spooled/download/segment-a?size=${size}`);
    const body = Buffer.from(await response.body.arrayBuffer());
    expect(response.statusCode).toBe(200);
    const digest = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
    expect(body.length).toBe(size);
    expect(digest(body)).toBe(digest(expectedSegmentBytes('segment-a', size)));
  });

  it('cancels the query on the owning cluster with DELETE', async () => {
    const first = await submit(proxy.url, 'SELECT 1 -- sim:pages=50 sim:pageDelayMs=20');
    const response = await request(first.body.nextUri, { method: 'DELETE', headers: { 'x-trino-user': 'tester' } });
    await response.body.dump();
    expect(response.statusCode).toBe(204);
    const deletes = blue.recordsFor(first.body.id).filter((r) => r.method === 'DELETE');
    expect(deletes).toHaveLength(1);
    const info = await request(`${proxy.url}/v1/query/${first.body.id}`, { headers: { 'x-trino-user': 'tester' } });
    expect(((await info.body.json()) as { state: string }).state).toBe('FAILED');
  });
});

describe('kill_query', () => {
  it('sends CALL system.runtime.kill_query to the cluster owning the query, not where new queries go', async () => {
    const victim = await submit(proxy.url, 'SELECT 1 -- sim:pages=50 sim:pageDelayMs=20', {
      'x-trino-routing-group': 'slow',
    });
    expect(green.queryIds()).toContain(victim.body.id);
    const kill = await submit(
      proxy.url,
      `CALL system.runtime.kill_query(query_id => '${victim.body.id}', message => 'stop')`,
    );
    expect(kill.status).toBe(200);
    expect(green.queryIds()).toContain(kill.body.id);
    // Unqualified, with the session catalog and schema, as Trino resolves it.
    const short = await submit(proxy.url, `CALL kill_query('${victim.body.id}')`, {
      'x-trino-catalog': 'system',
      'x-trino-schema': 'runtime',
    });
    expect(green.queryIds()).toContain(short.body.id);
  });
});

describe('errors are clear JSON, never HTML', () => {
  const json = async (response: Awaited<ReturnType<typeof request>>) => {
    expect(response.headers['content-type']).toMatch(/application\/json/);
    return (await response.body.json()) as { error: { code: number; name: string; message: string } };
  };

  it('rejects dot segments and bad escapes with 400', async () => {
    for (const target of [
      `http://127.0.0.1:${deadPort}/v1/info/../x`,
      '/v1/statement/../../etc/passwd',
      '/v1/info/%zz',
      '/ui/./x',
      '/v1/query/%2e%2e/x',
    ]) {
      const answer = await raw('GET', target);
      expect(answer.status).toBe(400);
      expect(answer.contentType).toMatch(/application\/json/);
      expect(JSON.parse(answer.body).error.name).toBe('INVALID_REQUEST_TARGET');
    }
    // Neither the Host header nor an absolute-form authority chooses a destination.
    const before = blue.records.length;
    const hosted = await raw('GET', '/v1/info', { host: `127.0.0.1:${deadPort}` });
    expect(hosted.status).toBe(200);
    const absolute = await raw('GET', `http://127.0.0.1:${deadPort}/v1/info`);
    expect(absolute.status).toBe(200);
    expect(blue.records.slice(before).map((r) => r.path)).toEqual(['/v1/info', '/v1/info']);
  });

  it('answers 404 for a path it does not proxy', async () => {
    const response = await request(`${proxy.url}/admin/secret`);
    expect(response.statusCode).toBe(404);
    expect((await json(response)).error.message).toContain('/admin/secret');
  });

  it('answers 404 JSON for a query id no cluster owns', async () => {
    const response = await request(`${proxy.url}/v1/statement/executing/20200416_160256_03078_6b4yt/y1/1`);
    expect(response.statusCode).toBe(404);
    expect((await json(response)).error.name).toBe('QUERY_NOT_FOUND');
  });

  it('fails a statement with no routable cluster as a FAILED query naming the group', async () => {
    const answer = await submit(proxy.url, 'SELECT 1', { 'x-trino-routing-group': 'empty' });
    expect(answer.status).toBe(200);
    expect(answer.body.stats.state).toBe('FAILED');
    expect(answer.body.nextUri).toBeUndefined();
    expect(answer.body.error.message).toContain('routing group "empty"');
    expect(answer.body.error.message).toContain('no member clusters');
  });

  it('answers 503 JSON on other paths when no cluster is routable', async () => {
    const response = await request(`${proxy.url}/v1/info`, { headers: { 'x-trino-routing-group': 'empty' } });
    expect(response.statusCode).toBe(503);
    expect((await json(response)).error.name).toBe('NO_HEALTHY_CLUSTER');
  });

  it('answers 502 JSON when the cluster cannot be reached', async () => {
    const response = await request(`${proxy.url}/v1/info`, { headers: { 'x-trino-routing-group': 'dead' } });
    expect(response.statusCode).toBe(502);
    expect((await json(response)).error.name).toBe('UPSTREAM_UNREACHABLE');
  });

  it('answers 504 JSON when the cluster does not answer in time', async () => {
    green.setFailure('hang');
    const response = await request(`${proxy.url}/v1/node`, { headers: { 'x-trino-routing-group': 'slow' } });
    expect(response.statusCode).toBe(504);
    expect((await json(response)).error.name).toBe('UPSTREAM_TIMEOUT');
  });

  it('relays a cluster error status as the cluster sent it', async () => {
    green.setFailure('status500');
    const response = await request(`${proxy.url}/v1/node`, { headers: { 'x-trino-routing-group': 'slow' } });
    await response.body.dump();
    expect(response.statusCode).toBe(500);
  });
});

describe('upstream lifecycle', () => {
  it('aborts the upstream request when the client goes away', async () => {
    green.setLatency(2_000);
    const before = green.records.length;
    const controller = new AbortController();
    const pending = request(`${proxy.url}/v1/node`, {
      headers: { 'x-trino-routing-group': 'slow' },
      signal: controller.signal,
    }).then(
      () => 'answered',
      () => 'aborted',
    );
    await eventually(() => green.records.length > before);
    controller.abort();
    expect(await pending).toBe('aborted');
    // The proxy closed its upstream request: the cluster saw the connection end before answering.
    await eventually(() => green.records.slice(before).some((r) => r.path === '/v1/node' && r.aborted === true), 3_000);
  });

  it('fails a submission over to another member when the first cannot be connected', async () => {
    // Health "None" keeps the dead member routable; the submission must still land on blue.
    const generation = proxy.registry().generation;
    workspace.writeResources([
      clusterResource('blue', { url: blue.url, labels: { pool: 'adhoc' } }),
      clusterResource('dead', {
        url: `http://127.0.0.1:${deadPort}`,
        labels: { pool: 'adhoc' },
        healthCheck: { type: 'None' },
      }),
      groupResource('adhoc', { matchLabels: { pool: 'adhoc' }, default: true, strategy: 'RoundRobin' }),
    ]);
    await eventually(() => proxy.registry().generation > generation);
    for (let i = 0; i < 4; i++) {
      const answer = await submit(proxy.url, 'SELECT 1');
      expect(answer.status).toBe(200);
      expect(blue.queryIds()).toContain(answer.body.id);
    }
    // The connect failure marked the dead member unhealthy at once.
    expect(proxy.health.get('dead').phase).toBe('Unhealthy');
  });
});
