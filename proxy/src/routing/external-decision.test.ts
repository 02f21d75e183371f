// The external router inside the routing decision, against a real local HTTP service: asked once per
// submission (a second decision after a connect failure reuses its answer), never for requests that
// are not submissions or that X-Trino-Routing-Group routes, and recorded as RoutedBy 'external'.
import { createServer, IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Socket } from 'node:net';
import {
  API_VERSION,
  buildRegistry,
  type ClusterHealth,
  createLogger,
  PENDING_HEALTH,
  RoutingGroup,
  TrinoCluster,
} from '@junction/shared';
import { compilePathRules, type RequestKind } from '../http/classify.js';
import { Statement } from '../sql/statement.js';
import { MemoryStickyStore } from '../sticky/memory.js';
import { QueryOwners } from '../sticky/query-owners.js';
import { RoutingDecision } from './decision.js';
import { ExternalRouter } from './external-router.js';
import { MemoryRoutedCounter } from './routed-counter.js';
import { Router } from './router.js';

const HEALTHY: ClusterHealth = { ...PENDING_HEALTH, phase: 'Healthy', probedAt: 1, message: 'ok' };
let service: Server;
let calls = 0;
let external: ExternalRouter;

beforeAll(async () => {
  service = createServer((req, res) => {
    calls += 1;
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"routingGroup":"etl"}'));
  });
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
  external = new ExternalRouter({
    url: `http://127.0.0.1:${(service.address() as AddressInfo).port}/route`,
    timeoutMs: 5_000,
    failureThreshold: 3,
    openForMs: 60_000,
    headers: ['x-trino-user'],
    sqlFacts: false,
  });
});

afterAll(async () => {
  await external.close();
  service.closeAllConnections();
  await new Promise((resolve) => service.close(resolve));
});

const cluster = (name: string, pool: string) =>
  TrinoCluster.parse({
    apiVersion: API_VERSION,
    kind: 'TrinoCluster',
    metadata: { name, labels: { pool } },
    spec: { url: 'http://127.0.0.1:9', healthCheck: { type: 'None' } },
  });
const group = (name: string, spec: Record<string, unknown> = {}) =>
  RoutingGroup.parse({
    apiVersion: API_VERSION,
    kind: 'RoutingGroup',
    metadata: { name },
    spec: { clusterSelector: { matchLabels: { pool: name } }, strategy: 'RoundRobin', ...spec },
  });
const registry = buildRegistry({
  clusters: [cluster('a1', 'adhoc'), cluster('e1', 'etl'), cluster('e2', 'etl')],
  groups: [group('adhoc', { default: true }), group('etl')],
  defaultRoutingGroup: 'adhoc',
  generation: 1,
});

function decision() {
  return new RoutingDecision({
    router: new Router({
      health: { get: () => HEALTHY, version: () => 0 },
      counter: new MemoryRoutedCounter(),
      honorRoutingGroupHeader: true,
    }),
    owners: new QueryOwners({
      store: new MemoryStickyStore(),
      queryIdTtlMs: 60_000,
      oauthTtlMs: 60_000,
      lookupTimeoutMs: 500,
      logger: createLogger('error', 'test'),
    }),
    cookies: undefined,
    paths: compilePathRules({ statementPaths: [], extraPaths: [] }, undefined),
    external,
  });
}

function request(method: string, url: string, headers: Record<string, string> = {}): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  req.method = method;
  req.url = url;
  req.headers = { 'x-trino-user': 'alice', ...headers };
  return req;
}

async function decide(req: IncomingMessage, kind: RequestKind, statement?: Statement, exclude?: Set<string>) {
  const answer = await decision().decide(
    {
      req,
      path: req.url ?? '/',
      query: '',
      target: req.url ?? '/',
      kind,
      prefixCluster: undefined,
      statement,
      exclude,
    },
    registry,
  );
  if (answer.action !== 'route') throw new Error(`not routed: ${answer.action}`);
  return answer;
}

describe('the external router in the routing decision', () => {
  it('routes a submission to the group it names, asking once even when the decision runs again', async () => {
    const before = calls;
    const req = request('POST', '/v1/statement');
    const statement = new Statement(Buffer.from('SELECT 1'), req.headers);
    const first = await decide(req, 'statement', statement);
    expect({ group: first.group?.name, by: first.by }).toEqual({ group: 'etl', by: 'external' });
    const again = await decide(req, 'statement', statement, new Set([first.cluster.name]));
    expect({ group: again.group?.name, by: again.by }).toEqual({ group: 'etl', by: 'external' });
    expect(again.cluster.name).not.toBe(first.cluster.name);
    expect(calls).toBe(before + 1);
  });

  it('is not asked for requests that are not submissions, nor when X-Trino-Routing-Group names a group', async () => {
    const before = calls;
    expect((await decide(request('GET', '/v1/info'), 'info')).by).toBe('default');
    const req = request('POST', '/v1/statement', { 'x-trino-routing-group': 'adhoc' });
    const routed = await decide(req, 'statement', new Statement(Buffer.from('SELECT 1'), req.headers));
    expect({ group: routed.group?.name, by: routed.by }).toEqual({ group: 'adhoc', by: 'header' });
    expect(calls).toBe(before);
  });
});
