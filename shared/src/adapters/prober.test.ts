// Each health-check type against a simulated Trino (real sockets), plus the failure shapes a real
// coordinator or network produces: refused connections, timeouts, error statuses and bad bodies.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimTrino } from '../../../test/fixtures/sim-trino.js';
import type { HealthCheck } from '../contract/schemas/resources.js';
import { parseOpenMetrics, probeCluster } from './prober.js';

function cluster(url: string, check: Partial<HealthCheck> = {}) {
  const healthCheck: HealthCheck = {
    type: 'Info',
    intervalSeconds: 10,
    timeoutSeconds: 5,
    failureThreshold: 3,
    ...check,
  };
  return { name: 'c', url, healthCheck };
}

/** A one-route HTTP server for answers a well-behaved simulator never gives. */
async function stub(
  status: number,
  body: string,
  contentType = 'application/json',
): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(status, { 'content-type': contentType });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

let sim: SimTrino;
const servers: Server[] = [];

beforeEach(async () => {
  sim = await SimTrino.start({ name: 'probed' });
});

afterEach(async () => {
  await sim.close();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function stubUrl(status: number, body: string, contentType?: string): Promise<string> {
  const { url, server } = await stub(status, body, contentType);
  servers.push(server);
  return url;
}

describe('Info', () => {
  test('healthy when /v1/info says starting=false', async () => {
    expect(await probeCluster(cluster(sim.url))).toEqual({ ok: true, starting: false });
    expect(sim.records.at(-1)?.path).toBe('/v1/info');
  });

  test('reports starting=true as ok but starting', async () => {
    sim.setStarting(true);
    expect(await probeCluster(cluster(sim.url))).toEqual({ ok: true, starting: true });
  });

  test('a refused connection names the URL and the socket error', async () => {
    const url = sim.url;
    await sim.close();
    const outcome = await probeCluster(cluster(url));
    expect(outcome).toEqual({
      ok: false,
      message: expect.stringMatching(/^GET http:\/\/127\.0\.0\.1:\d+\/v1\/info: .*ECONNREFUSED/),
    });
  });

  test('a slow coordinator fails after timeoutSeconds', async () => {
    sim.setLatency(30_000);
    const outcome = await probeCluster(cluster(sim.url, { timeoutSeconds: 1 }));
    expect(outcome).toEqual({ ok: false, message: `GET ${sim.url}/v1/info: timed out after 1s` });
  });

  test('error statuses and bodies without "starting" are failures', async () => {
    const failing = await probeCluster(cluster(await stubUrl(503, 'Service Unavailable', 'text/plain')));
    expect(failing).toEqual({ ok: false, message: expect.stringMatching(/\/v1\/info: HTTP 503 Service Unavailable$/) });
    const html = await probeCluster(cluster(await stubUrl(200, '<html>login</html>', 'text/html')));
    expect(html).toEqual({ ok: false, message: expect.stringContaining('invalid JSON body') });
    const shapeless = await probeCluster(cluster(await stubUrl(200, '{"coordinator":true}')));
    expect(shapeless).toEqual({ ok: false, message: expect.stringContaining('no boolean "starting"') });
  });

  test('an aborted signal ends the probe as a failure', async () => {
    sim.setLatency(30_000);
    const controller = new AbortController();
    const pending = probeCluster(cluster(sim.url), { signal: controller.signal });
    controller.abort();
    expect(await pending).toEqual({ ok: false, message: `GET ${sim.url}/v1/info: probe aborted` });
  });
});

describe('Metrics', () => {
  test('reads running, queued and active nodes, presenting a Trino user', async () => {
    sim.setReportedLoad({ running: 4, queued: 2, activeNodes: 3 });
    const outcome = await probeCluster(cluster(sim.url, { type: 'Metrics' }));
    expect(outcome).toEqual({ ok: true, starting: false, runningQueries: 4, queuedQueries: 2, activeNodes: 3 });
    const record = sim.records.at(-1);
    expect(record?.path).toBe('/metrics');
    expect(record?.headers['x-trino-user']).toBe('junction');
    expect(new URLSearchParams(record?.search).getAll('name[]')).toHaveLength(3);
  });

  test('counts live queries when no load is reported', async () => {
    for (let i = 0; i < 2; i++) {
      await fetch(`${sim.url}/v1/statement`, { method: 'POST', headers: { 'x-trino-user': 'a' }, body: 'SELECT 1' });
    }
    const outcome = await probeCluster(cluster(sim.url, { type: 'Metrics' }));
    expect(outcome).toMatchObject({ ok: true, runningQueries: 0, queuedQueries: 2, activeNodes: 1 });
  });

  test('no active nodes or a missing metric is unhealthy', async () => {
    sim.setReportedLoad({ running: 0, queued: 0, activeNodes: 0 });
    expect(await probeCluster(cluster(sim.url, { type: 'Metrics' }))).toEqual({
      ok: false,
      message: `GET ${sim.url}/metrics: no active nodes (ActiveNodeCount is 0)`,
    });
    const partial = await stubUrl(200, 'trino_execution_name_QueryManager_RunningQueries 1.0\n# EOF\n', 'text/plain');
    expect(await probeCluster(cluster(partial, { type: 'Metrics' }))).toEqual({
      ok: false,
      message:
        `GET ${partial}/metrics: metrics missing: trino_execution_name_QueryManager_QueuedQueries, ` +
        'trino_metadata_name_DiscoveryNodeManager_ActiveNodeCount',
    });
  });

  test('parseOpenMetrics skips metadata and accepts labels, exponents and timestamps', () => {
    const text = '# HELP x help\n# TYPE x gauge\nx 1.5e1\ny{node="a"} 2 1700000000\n\nbad line\nz NaN\n# EOF\n';
    expect([...parseOpenMetrics(text)]).toEqual([
      ['x', 15],
      ['y', 2],
    ]);
  });
});

describe('QueryList', () => {
  test('counts the simulator live queries', async () => {
    sim.setReportedLoad({ running: 5, queued: 1 });
    const outcome = await probeCluster(cluster(sim.url, { type: 'QueryList' }));
    expect(outcome).toEqual({ ok: true, starting: false, runningQueries: 5, queuedQueries: 1 });
    expect(sim.records.at(-1)?.headers['x-trino-user']).toBe('junction');
  });

  test('admitted states count as running, waiting ones as queued, finished ones not at all', async () => {
    const states = ['QUEUED', 'WAITING_FOR_RESOURCES', 'DISPATCHING', 'PLANNING', 'STARTING', 'RUNNING', 'FINISHING'];
    const list = [...states, 'FINISHED', 'FAILED'].map((state, i) => ({ queryId: `q${i}`, state }));
    const outcome = await probeCluster(cluster(await stubUrl(200, JSON.stringify(list)), { type: 'QueryList' }));
    expect(outcome).toEqual({ ok: true, starting: false, runningQueries: 5, queuedQueries: 2 });
  });

  test('a body that is not a list is a failure', async () => {
    const outcome = await probeCluster(cluster(await stubUrl(200, '{"queries":[]}'), { type: 'QueryList' }));
    expect(outcome).toEqual({ ok: false, message: expect.stringContaining('expected a JSON array') });
  });
});

test('None is healthy without touching the network', async () => {
  const url = sim.url;
  await sim.close();
  expect(await probeCluster(cluster(url, { type: 'None' }))).toEqual({ ok: true, starting: false });
});
