// New queries go where groups, rules, strategies and weights say; draining and relabelling take
// effect live from the watched resource file while running queries stay on their cluster.
import { request } from 'undici';
import type { RunningProxy } from '../../proxy/src/app.js';
import { SimTrino } from '../fixtures/sim-trino.js';
import { groupsOf } from '../harness/admin-view.js';
import { clusterResource, eventually, groupResource, startInProcess, Workspace } from '../harness/proxy.js';
import { followToEnd, runQuery, submit } from '../harness/trino-http.js';

const names = ['blue', 'green', 'red'] as const;
let sims: Record<(typeof names)[number], SimTrino>;
let workspace: Workspace;
let proxy: RunningProxy;

const baseResources = () => [
  clusterResource('blue', { url: sims.blue.url, labels: { pool: 'adhoc' } }),
  clusterResource('green', { url: sims.green.url, labels: { pool: 'etl' } }),
  clusterResource('red', { url: sims.red.url, labels: { pool: 'bi' } }),
  groupResource('adhoc', { matchLabels: { pool: 'adhoc' }, default: true }),
  groupResource('etl', {
    matchLabels: { pool: 'etl' },
    priority: 1,
    rules: [
      { name: 'airflow', condition: 'request.source == "airflow"' },
      { name: 'etl-tag', condition: '"etl" in request.clientTags' },
      { name: 'batch-user', condition: 'request.user.startsWith("batch_")' },
    ],
  }),
  groupResource('bi', {
    matchLabels: { pool: 'bi' },
    priority: 2,
    rules: [
      { name: 'catalog', condition: 'request.catalog == "warehouse" && request.schema == "sales"' },
      { name: 'header', condition: '"x-bi-tool" in request.headers && request.headers["x-bi-tool"] == "superset"' },
      { name: 'query-param', condition: '"bi" in request.query' },
      { name: 'method-path', condition: 'request.method == "GET" && request.path == "/v1/node"' },
    ],
  }),
];

/** Which cluster created the query with this id. */
function ownerOf(queryId: string): string | undefined {
  return names.find((name) => sims[name].queryIds().includes(queryId));
}

async function submitTo(headers: Record<string, string> = {}): Promise<string | undefined> {
  const answer = await submit(proxy.url, 'SELECT 1', headers);
  expect(answer.status).toBe(200);
  return ownerOf(answer.body.id);
}

beforeAll(async () => {
  sims = {
    blue: await SimTrino.start({ name: 'blue' }),
    green: await SimTrino.start({ name: 'green' }),
    red: await SimTrino.start({ name: 'red' }),
  };
  workspace = new Workspace();
  workspace.writeResources(baseResources());
  proxy = await startInProcess(workspace.config());
  await proxy.health.firstRound;
});

afterAll(async () => {
  await proxy.close();
  await Promise.all(names.map((name) => sims[name].close()));
  workspace.remove();
});

let dirty = false;

async function applyResources(resources: object[]): Promise<void> {
  dirty = true;
  const generation = proxy.registry().generation;
  workspace.writeResources(resources);
  await eventually(() => proxy.registry().generation > generation, 5_000);
  await proxy.health.probeNow();
}

afterEach(async () => {
  if (dirty) {
    await applyResources(baseResources());
    dirty = false;
  }
});

describe('group choice', () => {
  it('sends requests nothing claims to the default group', async () => {
    expect(await submitTo()).toBe('blue');
  });

  it('honours X-Trino-Routing-Group when it names a group, ignores it otherwise', async () => {
    expect(await submitTo({ 'x-trino-routing-group': 'bi' })).toBe('red');
    expect(await submitTo({ 'x-trino-routing-group': 'no-such-group' })).toBe('blue');
  });

  it('ignores X-Trino-Routing-Group when honorRoutingGroupHeader is false', async () => {
    const strict = await startInProcess(workspace.config({ routing: { honorRoutingGroupHeader: false } }));
    try {
      await strict.health.firstRound;
      const answer = await submit(strict.url, 'SELECT 1', { 'x-trino-routing-group': 'bi' });
      expect(ownerOf(answer.body.id)).toBe('blue');
    } finally {
      await strict.close();
    }
  });

  it.each([
    ['source', { 'x-trino-source': 'airflow' }, 'green'],
    ['clientTags', { 'x-trino-client-tags': 'adhoc, etl' }, 'green'],
    ['user', { 'x-trino-user': 'batch_loader' }, 'green'],
    ['catalog and schema', { 'x-trino-catalog': 'warehouse', 'x-trino-schema': 'sales' }, 'red'],
    ['headers', { 'x-bi-tool': 'superset' }, 'red'],
  ])('routes by a CEL rule on request.%s', async (_variable, headers, expected) => {
    expect(await submitTo(headers)).toBe(expected);
  });

  it('routes by a CEL rule on request.query', async () => {
    const answer = await submit(`${proxy.url}`, 'SELECT 1');
    expect(ownerOf(answer.body.id)).toBe('blue');
    const response = await request(`${proxy.url}/v1/statement?bi=1`, {
      method: 'POST',
      headers: { 'x-trino-user': 'tester' },
      body: 'SELECT 1',
    });
    expect(ownerOf(((await response.body.json()) as { id: string }).id)).toBe('red');
  });

  it('routes by a CEL rule on request.method and request.path', async () => {
    const before = sims.red.records.length;
    const response = await request(`${proxy.url}/v1/node`);
    await response.body.dump();
    expect(sims.red.records.length).toBe(before + 1);
  });

  it('evaluates rules in group priority order: the first match wins', async () => {
    // Matches etl (priority 1) by source and bi (priority 2) by catalog: etl wins.
    expect(
      await submitTo({ 'x-trino-source': 'airflow', 'x-trino-catalog': 'warehouse', 'x-trino-schema': 'sales' }),
    ).toBe('green');
  });
});

describe('strategies and weights', () => {
  const twoInAdhoc = (strategy: string, blueWeight: number, greenWeight: number) => [
    clusterResource('blue', { url: sims.blue.url, labels: { pool: 'adhoc' }, weight: blueWeight }),
    clusterResource('green', { url: sims.green.url, labels: { pool: 'adhoc' }, weight: greenWeight }),
    clusterResource('red', { url: sims.red.url, labels: { pool: 'bi' } }),
    groupResource('adhoc', { matchLabels: { pool: 'adhoc' }, default: true, strategy: strategy as 'Random' }),
  ];

  async function distribution(count: number): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (let i = 0; i < count; i++) {
      const owner = (await submitTo()) ?? 'none';
      counts[owner] = (counts[owner] ?? 0) + 1;
    }
    return counts;
  }

  it('RoundRobin alternates by weight exactly', async () => {
    await applyResources(twoInAdhoc('RoundRobin', 3, 1));
    expect(await distribution(40)).toEqual({ blue: 30, green: 10 });
  });

  it('Random follows weights within tolerance', async () => {
    await applyResources(twoInAdhoc('Random', 1, 3));
    const counts = await distribution(200);
    expect(counts.green).toBeGreaterThan(120);
    expect(counts.green).toBeLessThan(180);
    expect((counts.blue ?? 0) + (counts.green ?? 0)).toBe(200);
  });

  it('LeastLoaded prefers the cluster with fewer queries, counting the ones it just routed', async () => {
    sims.blue.setReportedLoad({ running: 10, queued: 0 });
    sims.green.setReportedLoad({ running: 0, queued: 0 });
    try {
      const rewritten = [
        clusterResource('blue', {
          url: sims.blue.url,
          labels: { pool: 'adhoc' },
          healthCheck: { type: 'Metrics', intervalSeconds: 60 },
        }),
        clusterResource('green', {
          url: sims.green.url,
          labels: { pool: 'adhoc' },
          healthCheck: { type: 'Metrics', intervalSeconds: 60 },
        }),
        groupResource('adhoc', { matchLabels: { pool: 'adhoc' }, default: true, strategy: 'LeastLoaded' }),
      ];
      await applyResources(rewritten);
      await eventually(() => proxy.health.get('blue').runningQueries === 10);
      // Green starts 10 behind: the first 10 go there, then the two alternate.
      const counts = await distribution(20);
      expect(counts.green).toBe(15);
      expect(counts.blue).toBe(5);
    } finally {
      sims.blue.setReportedLoad(undefined);
      sims.green.setReportedLoad(undefined);
    }
  });

  it('never sends a new query to a weight-0 cluster', async () => {
    await applyResources(twoInAdhoc('Random', 1, 0));
    expect(await distribution(30)).toEqual({ blue: 30 });
    // The admin API names the same routable members the router chooses from.
    const adhoc = (await groupsOf(proxy.adminUrl)).find((group) => group.name === 'adhoc');
    expect(adhoc).toMatchObject({ clusters: ['blue', 'green'], healthyClusters: 2, routableClusters: ['blue'] });
  });
});

describe('live changes from the watched file', () => {
  it('drain (enabled: false) keeps follow-ups flowing and sends no new query', async () => {
    const running = await submit(proxy.url, 'SELECT 1 -- sim:pages=3');
    expect(ownerOf(running.body.id)).toBe('blue');
    await applyResources([
      clusterResource('blue', { url: sims.blue.url, labels: { pool: 'adhoc' }, enabled: false }),
      clusterResource('green', { url: sims.green.url, labels: { pool: 'adhoc' } }),
      groupResource('adhoc', { matchLabels: { pool: 'adhoc' }, default: true }),
    ]);
    for (let i = 0; i < 10; i++) expect(await submitTo()).toBe('green');
    const adhoc = (await groupsOf(proxy.adminUrl)).find((group) => group.name === 'adhoc');
    expect(adhoc).toMatchObject({ clusters: ['blue', 'green'], healthyClusters: 1, routableClusters: ['green'] });
    // The query started before the drain finishes on blue.
    expect(await followToEnd(running.body.nextUri)).toBe('FINISHED');
    expect(sims.blue.recordsFor(running.body.id).length).toBeGreaterThan(3);
    expect(sims.green.recordsFor(running.body.id)).toHaveLength(0);
  });

  it('a relabel moves new queries within seconds; the running query stays', async () => {
    const running = await submit(proxy.url, 'SELECT 1 -- sim:pages=2');
    expect(ownerOf(running.body.id)).toBe('blue');
    const started = Date.now();
    dirty = true;
    workspace.writeResources([
      clusterResource('blue', { url: sims.blue.url, labels: { pool: 'retired' } }),
      clusterResource('green', { url: sims.green.url, labels: { pool: 'adhoc' } }),
      clusterResource('red', { url: sims.red.url, labels: { pool: 'bi' } }),
      groupResource('adhoc', { matchLabels: { pool: 'adhoc' }, default: true }),
    ]);
    await eventually(async () => (await submitTo()) === 'green', 5_000, 100);
    expect(Date.now() - started).toBeLessThan(5_000);
    const run = await runQuery(proxy.url, 'SELECT 1');
    expect(ownerOf(run.id)).toBe('green');
    const follow = await request(running.body.nextUri, { headers: { 'x-trino-user': 'tester' } });
    expect(follow.statusCode).toBe(200);
    await follow.body.dump();
    expect(sims.blue.recordsFor(running.body.id).length).toBe(2);
  });

  it('an invalid edit is rejected and the last valid registry keeps routing', async () => {
    const generation = proxy.registry().generation;
    dirty = true;
    workspace.writeResources([
      { apiVersion: 'junction.dev/v1alpha1', kind: 'TrinoCluster', metadata: { name: 'blue' }, spec: { url: 'nope' } },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(proxy.registry().generation).toBe(generation);
    expect(await submitTo()).toBe('blue');
    const metrics = await (await request(`${proxy.adminUrl}/metrics`)).body.text();
    expect(metrics).toMatch(/junction_registry_reload_errors_total [1-9]/);
  });

  it('falls back to the fallbackGroup when no member is routable, and fails clearly without one', async () => {
    await applyResources([
      clusterResource('blue', { url: sims.blue.url, labels: { pool: 'adhoc' } }),
      clusterResource('green', { url: sims.green.url, labels: { pool: 'etl' }, enabled: false }),
      groupResource('adhoc', { matchLabels: { pool: 'adhoc' }, default: true }),
      groupResource('etl', { matchLabels: { pool: 'etl' }, fallbackGroup: 'adhoc' }),
      groupResource('strict', { matchLabels: { pool: 'etl' } }),
    ]);
    expect(await submitTo({ 'x-trino-routing-group': 'etl' })).toBe('blue');
    const strict = await submit(proxy.url, 'SELECT 1', { 'x-trino-routing-group': 'strict' });
    expect(strict.body.stats.state).toBe('FAILED');
    expect(strict.body.error.message).toContain('green (draining)');
  });
});
