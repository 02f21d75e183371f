// The routing decision's order, step by step, on a real registry, router, owners and cookie codec
// (in-memory stores; no sockets needed to decide).
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import {
  API_VERSION,
  buildRegistry,
  type ClusterHealth,
  createLogger,
  PENDING_HEALTH,
  type Registry,
  RoutingGroup,
  TrinoCluster,
} from '@junction/shared';
import { compilePathRules, type RequestKind } from '../http/classify.js';
import { NoHealthyClusterError, NoRoutingGroupError, UnknownClusterError, UnknownQueryError } from '../http/errors.js';
import { Statement } from '../sql/statement.js';
import { CookieCodec } from '../sticky/cookies.js';
import { MemoryStickyStore } from '../sticky/memory.js';
import { QueryOwners } from '../sticky/query-owners.js';
import { type Destination, RoutingDecision } from './decision.js';
import { MemoryRoutedCounter } from './routed-counter.js';
import { Router } from './router.js';

const ID = '20200416_160256_03078_6b4yt';
const HEALTHY: ClusterHealth = { ...PENDING_HEALTH, phase: 'Healthy', probedAt: 1, message: 'ok' };

const cluster = (name: string, pool: string) =>
  TrinoCluster.parse({
    apiVersion: API_VERSION,
    kind: 'TrinoCluster',
    metadata: { name, labels: { pool } },
    // Port 9 (discard) on loopback: query-id discovery must fail fast and find no owner.
    spec: { url: `http://127.0.0.1:9`, healthCheck: { type: 'None' } },
  });
const group = (name: string, spec: Record<string, unknown> = {}) =>
  RoutingGroup.parse({
    apiVersion: API_VERSION,
    kind: 'RoutingGroup',
    metadata: { name },
    spec: { clusterSelector: { matchLabels: { pool: name } }, strategy: 'RoundRobin', ...spec },
  });

function request(method: string, url: string, headers: Record<string, string> = {}): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  req.method = method;
  req.url = url;
  req.headers = headers;
  return req;
}

async function setup(options: { rules?: boolean; defaultGroup?: boolean } = {}) {
  const registry: Registry = buildRegistry({
    clusters: [cluster('a1', 'adhoc'), cluster('a2', 'adhoc'), cluster('e1', 'etl'), cluster('lonely', 'none')],
    groups: [
      group('adhoc', { default: options.defaultGroup ?? true }),
      group(
        'etl',
        options.rules === false ? {} : { rules: [{ name: 'airflow', condition: 'request.source == "airflow"' }] },
      ),
      group('empty', { fallbackGroup: 'etl' }),
    ],
    defaultRoutingGroup: options.defaultGroup === false ? 'nothing-by-that-name' : 'adhoc',
    generation: 1,
  });
  const health = new Map<string, ClusterHealth>([...registry.clusters.keys()].map((name) => [name, HEALTHY]));
  const counter = new MemoryRoutedCounter();
  const router = new Router({
    health: { get: (name) => health.get(name) ?? PENDING_HEALTH, version: () => 0 },
    counter,
    honorRoutingGroupHeader: true,
  });
  const store = new MemoryStickyStore();
  const owners = new QueryOwners({
    store,
    queryIdTtlMs: 60_000,
    oauthTtlMs: 60_000,
    lookupTimeoutMs: 500,
    logger: createLogger('error', 'test'),
  });
  const cookies = await CookieCodec.create({
    secrets: ['s3cret'],
    lifetimeMs: 60_000,
    routingPaths: ['/oauth2'],
    deletePaths: ['/logout'],
  });
  const paths = compilePathRules(
    { statementPaths: [], extraPaths: [] },
    { routingPaths: ['/oauth2'], deletePaths: [] },
  );
  const decision = new RoutingDecision({ router, owners, cookies, paths });
  const decide = (
    req: IncomingMessage,
    kind: RequestKind,
    more: { prefixCluster?: string; sql?: string; exclude?: Set<string> } = {},
  ): Promise<Destination> => {
    const [path = '', query = ''] = (req.url ?? '').split('?');
    const statement = more.sql === undefined ? undefined : new Statement(Buffer.from(more.sql), req.headers);
    return decision.decide(
      {
        req,
        path,
        query,
        target: req.url ?? '',
        kind,
        prefixCluster: more.prefixCluster,
        statement,
        exclude: more.exclude,
      },
      registry,
    );
  };
  return { registry, owners, cookies, counter, decide, close: () => store.close() };
}

const routed = (destination: Destination) => {
  if (destination.action !== 'route') throw new Error(`expected a route, got ${destination.action}`);
  return destination;
};
const rejected = (destination: Destination) => {
  if (destination.action !== 'reject') throw new Error(`expected a rejection, got ${destination.action}`);
  return destination.error;
};

describe('RoutingDecision', () => {
  test('a cluster prefix wins over everything, even a query id it does not own; an unknown one is rejected', async () => {
    const { owners, decide, close } = await setup();
    await owners.record(ID, 'a1');
    const byPrefix = routed(
      await decide(request('GET', `/v1/statement/executing/${ID}/x/1`), 'statement', { prefixCluster: 'e1' }),
    );
    expect([byPrefix.cluster.name, byPrefix.by, byPrefix.group]).toEqual(['e1', 'prefix', undefined]);
    expect(rejected(await decide(request('GET', '/v1/info'), 'info', { prefixCluster: 'gone' }))).toBeInstanceOf(
      UnknownClusterError,
    );
    await close();
  });

  test('a query id goes to its owner, ignoring group membership; an id nobody owns is rejected', async () => {
    const { owners, decide, close } = await setup();
    await owners.record(ID, 'lonely');
    const owned = routed(await decide(request('GET', `/v1/statement/executing/${ID}/x/1`), 'statement'));
    expect([owned.cluster.name, owned.by]).toEqual(['lonely', 'query-id']);
    const unknown = '20200416_160256_03079_zzzzz';
    expect(rejected(await decide(request('GET', `/v1/query/${unknown}`), 'query'))).toBeInstanceOf(UnknownQueryError);
    await close();
  });

  test('a kill_query submission goes to the owner of the query it kills, and is not counted as a new query', async () => {
    const { owners, counter, decide, close } = await setup();
    await owners.record(ID, 'e1');
    const sql = `CALL system.runtime.kill_query(query_id => '${ID}')`;
    const kill = routed(await decide(request('POST', '/v1/statement'), 'statement', { sql }));
    expect([kill.cluster.name, kill.by]).toEqual(['e1', 'query-id']);
    expect(counter.total('e1')).toBe(0);
    await close();
  });

  test('an OAuth2 token id pinned to a cluster routes there before any cookie', async () => {
    const { owners, cookies, decide, close } = await setup();
    await owners.pinOAuth('abc123', 'e1');
    const cookie = (await cookies.issue('a2', false)).split(';')[0] as string;
    const pinned = routed(await decide(request('GET', '/oauth2/token/abc123', { cookie }), 'oauth2'));
    expect([pinned.cluster.name, pinned.by]).toEqual(['e1', 'oauth2-id']);
    const byCookie = routed(await decide(request('GET', '/oauth2/callback', { cookie }), 'oauth2'));
    expect([byCookie.cluster.name, byCookie.by, byCookie.setCookie]).toEqual(['a2', 'cookie', undefined]);
    await close();
  });

  test('without a valid cookie an issuing path gets a new group choice and a cookie naming it', async () => {
    const { cookies, decide, close } = await setup();
    const fresh = routed(await decide(request('GET', '/oauth2/callback', { cookie: 'TG.OAUTH2=forged' }), 'oauth2'));
    expect(fresh.by).toBe('default');
    expect(fresh.setCookie).toBeDefined();
    const header = (fresh.setCookie as string).split(';')[0] as string;
    expect((await cookies.read(header))?.cluster).toBe(fresh.cluster.name);
    await close();
  });

  test('new queries: the group header, then the first matching rule, then the default group', async () => {
    const { counter, decide, close } = await setup();
    const submit = (headers: Record<string, string>) =>
      decide(request('POST', '/v1/statement', headers), 'statement', { sql: 'SELECT 1' }).then(routed);
    const header = await submit({ 'x-trino-routing-group': 'etl' });
    expect([header.cluster.name, header.by, header.group?.name, header.rule]).toEqual([
      'e1',
      'header',
      'etl',
      undefined,
    ]);
    const rule = await submit({ 'x-trino-source': 'airflow' });
    expect([rule.cluster.name, rule.by, rule.group?.name, rule.rule]).toEqual(['e1', 'rule', 'etl', 'airflow']);
    const fallback = await submit({ 'x-trino-routing-group': 'no-such-group', 'x-trino-source': 'cli' });
    expect([fallback.by, fallback.group?.name]).toEqual(['default', 'adhoc']);
    // Each new query was counted on the cluster it was sent to (LeastLoaded reads these).
    expect(counter.total('e1')).toBe(2);
    expect(counter.total('a1') + counter.total('a2')).toBe(1);
    await close();
  });

  test('a group with no member follows its fallbackGroup; failover skips excluded clusters, then rejects', async () => {
    const { decide, close } = await setup();
    const viaFallback = routed(
      await decide(request('POST', '/v1/statement', { 'x-trino-routing-group': 'empty' }), 'statement', {
        sql: 'SELECT 1',
      }),
    );
    expect([viaFallback.cluster.name, viaFallback.group?.name]).toEqual(['e1', 'empty']);
    const first = routed(await decide(request('POST', '/v1/statement'), 'statement', { sql: 'SELECT 1' }));
    const exclude = new Set([first.cluster.name]);
    const second = routed(await decide(request('POST', '/v1/statement'), 'statement', { sql: 'SELECT 1', exclude }));
    expect(second.cluster.name).not.toBe(first.cluster.name);
    exclude.add(second.cluster.name);
    const none = rejected(await decide(request('POST', '/v1/statement'), 'statement', { sql: 'SELECT 1', exclude }));
    expect(none).toBeInstanceOf(NoHealthyClusterError);
    expect(none.message).toContain('a1 (unreachable)');
    await close();
  });

  test('no matching rule and no default group is a rejection, not an exception', async () => {
    const { decide, close } = await setup({ defaultGroup: false });
    const error = rejected(await decide(request('POST', '/v1/statement'), 'statement', { sql: 'SELECT 1' }));
    expect(error).toBeInstanceOf(NoRoutingGroupError);
    await close();
  });
});
