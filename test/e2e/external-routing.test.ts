// routing.external over real sockets: a local HTTP service answers Trino Gateway's external routing shape;
// its group is used, and when it hangs past the timeout, answers garbage or fails repeatedly (opening the
// circuit, which closes again after openFor) the CEL rules decide instead.
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import type { RunningProxy } from '../../proxy/src/app.js';
import { SimTrino } from '../fixtures/sim-trino.js';
import { clusterResource, eventually, groupResource, startInProcess, Workspace } from '../harness/proxy.js';
import { submit } from '../harness/trino-http.js';

type Mode = 'answer' | 'hang' | 'malformed' | 'status500';

/** The external routing service: answers `{ routingGroup }`, or misbehaves as `mode` says. */
class RoutingService {
  mode: Mode = 'answer';
  group = 'etl';
  /** Sent as the answer's externalHeaders when set. */
  externalHeaders: Record<string, string> | undefined;
  readonly calls: Array<{ headers: IncomingHttpHeaders; body: Record<string, unknown> }> = [];
  readonly #held: ServerResponse[] = [];
  readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      this.calls.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      if (this.mode === 'hang') {
        this.#held.push(res);
        return;
      }
      if (this.mode === 'status500') {
        res.writeHead(500).end('down');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        this.mode === 'malformed'
          ? '{"routingGroup": 42'
          : JSON.stringify({ routingGroup: this.group, errors: [], externalHeaders: this.externalHeaders }),
      );
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/gateway-rules`;
  }

  async close(): Promise<void> {
    for (const res of this.#held) res.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

const names = ['blue', 'green', 'red'] as const;
let sims: Record<(typeof names)[number], SimTrino>;
let service: RoutingService;
let workspace: Workspace;
let proxy: RunningProxy;

beforeAll(async () => {
  sims = {
    blue: await SimTrino.start({ name: 'blue' }),
    green: await SimTrino.start({ name: 'green' }),
    red: await SimTrino.start({ name: 'red' }),
  };
  service = new RoutingService();
  const url = await service.start();
  workspace = new Workspace();
  workspace.writeResources([
    clusterResource('blue', { url: sims.blue.url, labels: { pool: 'adhoc' } }),
    clusterResource('green', { url: sims.green.url, labels: { pool: 'etl' } }),
    clusterResource('red', { url: sims.red.url, labels: { pool: 'bi' } }),
    groupResource('adhoc', { matchLabels: { pool: 'adhoc' }, default: true }),
    groupResource('etl', { matchLabels: { pool: 'etl' } }),
    groupResource('bi', {
      matchLabels: { pool: 'bi' },
      rules: [{ name: 'airflow', condition: 'request.source == "airflow"' }],
    }),
  ]);
  // Generous bounds: a loaded machine must not turn a prompt answer into a timeout, nor end openFor early.
  const external = { url, timeout: '1s', failureThreshold: 3, openFor: '3s' };
  proxy = await startInProcess(workspace.config({ routing: { external } }));
  await proxy.health.firstRound;
});

afterAll(async () => {
  await proxy?.close();
  await service?.close();
  await Promise.all(names.map((name) => sims?.[name]?.close()));
  workspace?.remove();
});

async function landsOn(sql: string, headers: Record<string, string> = {}): Promise<string | undefined> {
  const answer = await submit(proxy.url, sql, headers);
  expect(answer.status).toBe(200);
  return names.find((name) => sims[name].queryIds().includes(answer.body.id));
}

async function metrics(pattern: RegExp): Promise<string[]> {
  const text = await (await request(`${proxy.adminUrl}/metrics`)).body.text();
  return text.split('\n').filter((line) => pattern.test(line));
}

const AIRFLOW = { 'x-trino-source': 'airflow' };

describe('the external routing service', () => {
  it('names the group, before the rules; X-Trino-Routing-Group still comes first', async () => {
    service.mode = 'answer';
    expect(await landsOn('SELECT * FROM tpch.tiny.nation', AIRFLOW)).toBe('green');
    const calls = service.calls.length;
    expect(await landsOn('SELECT 1', { 'x-trino-routing-group': 'bi' })).toBe('red');
    expect(service.calls.length).toBe(calls);
  });

  it("is sent Trino Gateway's request shape, the SQL facts and only the configured headers", async () => {
    service.mode = 'answer';
    const before = service.calls.length;
    await landsOn('SELECT * FROM nation', {
      ...AIRFLOW,
      'x-trino-catalog': 'tpch',
      'x-trino-schema': 'tiny',
      authorization: 'Bearer secret',
    });
    const call = service.calls[before];
    expect(call?.headers['x-trino-source']).toBe('airflow');
    expect(call?.headers.authorization).toBeUndefined();
    expect(call?.body).toMatchObject({
      trinoRequestUser: { user: 'tester' },
      method: 'POST',
      requestURI: '/v1/statement',
      trinoQueryProperties: {
        body: 'SELECT * FROM nation',
        queryType: 'Query',
        resourceGroupQueryType: 'SELECT',
        tables: ['tpch.tiny.nation'],
        catalogs: ['tpch'],
        schemas: ['tiny'],
        catalogSchemas: ['tpch.tiny'],
        defaultCatalog: 'tpch',
        defaultSchema: 'tiny',
        isNewQuerySubmission: true,
        errorMessage: null,
      },
      junction: { user: 'tester', source: 'airflow', sql: { parsed: true, tables: ['tpch.tiny.nation'] } },
    });
  });

  it("the answer's externalHeaders reach the cluster with the statement; framing and X-Forwarded-* are not the service's", async () => {
    service.mode = 'answer';
    service.externalHeaders = {
      'X-Trino-Client-Tags': 'routed-by-service',
      'X-Trino-Session': 'query_max_run_time=1h',
      'X-Forwarded-Host': 'evil.example',
    };
    try {
      const answer = await submit(proxy.url, 'SELECT 1', { ...AIRFLOW, 'x-trino-client-tags': 'from-client' });
      const post = sims.green.recordsFor(answer.body.id as string).find((record) => record.method === 'POST');
      expect(post?.headers['x-trino-client-tags']).toBe('routed-by-service');
      expect(post?.headers['x-trino-session']).toBe('query_max_run_time=1h');
      expect(post?.headers['x-forwarded-host']).not.toBe('evil.example');
      expect(post?.headers['x-trino-source']).toBe('airflow');
    } finally {
      service.externalHeaders = undefined;
    }
  });

  it('an answer naming no group or an unknown one leaves the choice to the rules', async () => {
    service.mode = 'answer';
    service.group = 'no-such-group';
    try {
      expect(await landsOn('SELECT 1', AIRFLOW)).toBe('red');
      expect(await landsOn('SELECT 1')).toBe('blue');
    } finally {
      service.group = 'etl';
    }
    expect(await metrics(/^junction_external_routing_total\{outcome="unknown_group"\} 2$/)).toHaveLength(1);
  });

  it('a service slower than the timeout: the rules decide', async () => {
    service.mode = 'hang';
    const before = service.calls.length;
    expect(await landsOn('SELECT 1', AIRFLOW)).toBe('red');
    expect(service.calls.length).toBe(before + 1);
    expect(await metrics(/^junction_external_routing_total\{outcome="timeout"\} 1$/)).toHaveLength(1);
    service.mode = 'answer';
    expect(await landsOn('SELECT 1', AIRFLOW)).toBe('green');
  });

  it('a malformed answer: the rules decide', async () => {
    service.mode = 'malformed';
    expect(await landsOn('SELECT 1', AIRFLOW)).toBe('red');
    expect(await metrics(/^junction_external_routing_total\{outcome="malformed"\} 1$/)).toHaveLength(1);
    service.mode = 'answer';
    expect(await landsOn('SELECT 1', AIRFLOW)).toBe('green');
  });

  it('after failureThreshold failures it is not asked, and after openFor it is asked again', async () => {
    service.mode = 'status500';
    const before = service.calls.length;
    for (let i = 0; i < 3; i++) expect(await landsOn('SELECT 1', AIRFLOW)).toBe('red');
    expect(service.calls.length).toBe(before + 3);
    expect(await metrics(/^junction_external_routing_circuit_open 1$/)).toHaveLength(1);
    // Open: the next statement is routed by the rules without a call.
    expect(await landsOn('SELECT 1', AIRFLOW)).toBe('red');
    expect(service.calls.length).toBe(before + 3);
    expect(await metrics(/^junction_external_routing_total\{outcome="circuit_open"\} [1-9]/)).toHaveLength(1);
    service.mode = 'answer';
    // Once openFor has passed one statement tries the service again; its answer closes the circuit.
    await eventually(async () => (await landsOn('SELECT 1', AIRFLOW)) === 'green', 10_000);
    expect(await metrics(/^junction_external_routing_circuit_open 0$/)).toHaveLength(1);
    expect(await landsOn('SELECT 1', AIRFLOW)).toBe('green');
  });
});
