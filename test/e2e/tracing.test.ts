// OpenTelemetry tracing over real sockets: a proxy exports OTLP/HTTP (JSON) to an in-process receiver.
// A submission routed by a rule makes a server span (joined to the client's own traceparent) with the
// routing attributes, and child spans for the decision, the owner write and the request to the
// cluster; the cluster receives a traceparent naming that upstream span, so Trino's spans join.
// A poll gets a span of its own. With tracing off (the default) nothing is added to the request.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningProxy } from '../../proxy/src/app.js';
import { SimTrino } from '../fixtures/sim-trino.js';
import { clusterResource, eventually, groupResource, startInProcess, Workspace } from '../harness/proxy.js';
import { submit } from '../harness/trino-http.js';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: Array<{ key: string; value: { stringValue?: string; boolValue?: boolean; intValue?: string } }>;
}

let receiver: Server;
const spans: OtlpSpan[] = [];
const services = new Set<string>();
let sims: { blue: SimTrino; green: SimTrino };
let workspace: Workspace;
let traced: RunningProxy;
let plain: RunningProxy;

const attribute = (span: OtlpSpan, key: string) => {
  const value = span.attributes.find((a) => a.key === key)?.value;
  return value?.stringValue ?? value?.boolValue ?? value?.intValue;
};

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans: Array<{
          resource: { attributes: OtlpSpan['attributes'] };
          scopeSpans: Array<{ spans: OtlpSpan[] }>;
        }>;
      };
      for (const resource of body.resourceSpans) {
        const name = resource.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue;
        if (name !== undefined) services.add(name);
        for (const scope of resource.scopeSpans) spans.push(...scope.spans);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
  const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/traces`;
  sims = { blue: await SimTrino.start({ name: 'blue' }), green: await SimTrino.start({ name: 'green' }) };
  workspace = new Workspace();
  workspace.writeResources([
    clusterResource('blue', { url: sims.blue.url, labels: { pool: 'adhoc' } }),
    clusterResource('green', { url: sims.green.url, labels: { pool: 'etl' } }),
    groupResource('adhoc', { matchLabels: { pool: 'adhoc' }, default: true }),
    groupResource('etl', {
      matchLabels: { pool: 'etl' },
      rules: [{ name: 'airflow', condition: 'request.source == "airflow"' }],
    }),
  ]);
  traced = await startInProcess(
    workspace.config({ tracing: { enabled: true, endpoint, exportInterval: '100ms', serviceName: 'junction-test' } }),
  );
  plain = await startInProcess(workspace.config());
  await Promise.all([traced.health.firstRound, plain.health.firstRound]);
});

afterAll(async () => {
  await traced.close();
  await plain.close();
  await Promise.all([sims.blue.close(), sims.green.close()]);
  receiver.closeAllConnections();
  await new Promise((done) => receiver.close(done));
  workspace.remove();
});

const CLIENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN = '00f067aa0ba902b7';

test('a submission: server span joined to the client trace, routing attributes, child spans, traceparent to Trino', async () => {
  const answer = await submit(traced.url, 'SELECT 1 -- sim:pages=2', {
    'x-trino-source': 'airflow',
    traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`,
  });
  expect(answer.body.error).toBeUndefined();
  const queryId = answer.body.id as string;
  let root: OtlpSpan | undefined;
  await eventually(() => {
    root = spans.find((span) => span.name === 'junction.submit' && attribute(span, 'trino.query_id') === queryId);
    return root !== undefined && spans.filter((span) => span.parentSpanId === root?.spanId).length >= 3;
  }, 15_000);
  const submitSpan = root as OtlpSpan;
  expect(services).toContain('junction-test');
  expect(submitSpan.traceId).toBe(CLIENT_TRACE);
  expect(submitSpan.parentSpanId).toBe(CLIENT_SPAN);
  expect(attribute(submitSpan, 'junction.routing_group')).toBe('etl');
  expect(attribute(submitSpan, 'junction.cluster')).toBe('green');
  expect(attribute(submitSpan, 'junction.routed_by')).toBe('rule');
  expect(attribute(submitSpan, 'junction.rule')).toBe('airflow');
  expect(attribute(submitSpan, 'junction.queued')).toBe(false);
  const children = spans.filter((span) => span.parentSpanId === submitSpan.spanId);
  expect(children.map((span) => span.name).sort()).toEqual([
    'junction.decide',
    'junction.record_owner',
    'junction.upstream',
  ]);
  const upstream = children.find((span) => span.name === 'junction.upstream') as OtlpSpan;
  const post = sims.green.recordsFor(queryId).find((record) => record.method === 'POST');
  expect(post?.headers.traceparent).toBe(`00-${CLIENT_TRACE}-${upstream.spanId}-01`);
});

test('a poll gets its own span, routed by query id, with the upstream child', async () => {
  const answer = await submit(traced.url, 'SELECT 1 -- sim:pages=3');
  const poll = await fetch(answer.body.nextUri as string, { headers: { 'x-trino-user': 'tester' } });
  await poll.arrayBuffer();
  let pollSpan: OtlpSpan | undefined;
  await eventually(() => {
    pollSpan = spans.find(
      (span) => span.name === 'junction.poll' && String(attribute(span, 'url.path')).includes(answer.body.id as string),
    );
    return (
      pollSpan !== undefined &&
      spans.some((span) => span.parentSpanId === pollSpan?.spanId && span.name === 'junction.upstream')
    );
  }, 15_000);
  expect(attribute(pollSpan as OtlpSpan, 'junction.routed_by')).toBe('query-id');
  expect(attribute(pollSpan as OtlpSpan, 'junction.cluster')).toBe('blue');
  expect(String(attribute(pollSpan as OtlpSpan, 'http.response.status_code'))).toBe('200');
});

test('tracing off (the default): nothing is added to what the cluster receives', async () => {
  const answer = await submit(plain.url, 'SELECT 1');
  const post = sims.blue.recordsFor(answer.body.id as string).find((record) => record.method === 'POST');
  expect(post).toBeDefined();
  expect(post?.headers.traceparent).toBeUndefined();
});
