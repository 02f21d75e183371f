// The chart's Grafana dashboard and PrometheusRule: off by default; when on, the dashboard ConfigMap
// carries the sidecar's label and valid JSON, and every metric a panel or an alert reads is one that a
// real proxy or operator exports (so a renamed metric cannot leave a silent, empty panel).
import { OperatorMetrics } from '../../operator/src/metrics.js';
import type { RunningProxy } from '../../proxy/src/app.js';
import { SimTrino } from '../fixtures/sim-trino.js';
import { clusterResource, groupResource, startInProcess, Workspace } from '../harness/proxy.js';
import { find, type KubeObject, render } from './helm.js';

const ON = ['--set', 'grafanaDashboard.enabled=true', '--set', 'prometheusRule.enabled=true'];

let sim: SimTrino;
let workspace: Workspace;
let proxy: RunningProxy;

beforeAll(async () => {
  sim = await SimTrino.start({ name: 'blue' });
  workspace = new Workspace();
  workspace.writeResources([
    clusterResource('blue', { url: sim.url, labels: { pool: 'adhoc' }, maxRunningQueries: 5 }),
    groupResource('adhoc', { matchLabels: { pool: 'adhoc' }, default: true }),
  ]);
  proxy = await startInProcess(workspace.config({ routing: { external: { url: 'http://127.0.0.1:9/route' } } }));
});

afterAll(async () => {
  await proxy.close();
  await sim.close();
  workspace.remove();
});

/** Every metric family the programs register (HELP/TYPE lines are printed even before a sample). */
async function exported(): Promise<Set<string>> {
  const text = `${await (await fetch(`${proxy.adminUrl}/metrics`)).text()}\n${await new OperatorMetrics().registry.metrics()}`;
  return new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1] as string));
}

/** The junction_* metric families an expression reads (histogram series mapped to their family). */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\bjunction_[a-z_]+/g)].map((match) => match[0].replace(/_(bucket|sum|count)$/, ''));
}

test('neither is rendered by default', async () => {
  const objects = await render('trino', 'default');
  expect(objects.filter((object) => object.kind === 'PrometheusRule')).toEqual([]);
  expect(objects.filter((object) => object.metadata.name === 'junction-grafana-dashboard')).toEqual([]);
});

test('the dashboard ConfigMap has the sidecar label and a dashboard whose panels read exported metrics', async () => {
  const objects = await render('trino', 'default', ON);
  const configMap = find(objects, 'ConfigMap', 'junction-grafana-dashboard');
  expect(configMap.metadata.labels?.['grafana_dashboard']).toBe('1');
  const dashboard = JSON.parse(configMap['data']['junction.json']) as {
    uid: string;
    panels: Array<{ type: string; title: string; targets?: Array<{ expr: string }> }>;
  };
  expect(dashboard.uid).toBe('junction-gateway');
  const titles = dashboard.panels.map((panel) => panel.title);
  for (const wanted of ['Queries per minute per cluster', 'Queue length per group', 'Healthy clusters']) {
    expect(titles).toContain(wanted);
  }
  const known = await exported();
  const used = dashboard.panels.flatMap((panel) => (panel.targets ?? []).flatMap((target) => metricsIn(target.expr)));
  expect(used.length).toBeGreaterThan(20);
  expect([...new Set(used)].filter((name) => !known.has(name))).toEqual([]);
});

test('the PrometheusRule alerts read exported metrics', async () => {
  const objects = await render('trino', 'default', ON);
  const rule = objects.find((object) => object.kind === 'PrometheusRule') as KubeObject;
  const rules = rule['spec']['groups'][0]['rules'] as Array<{ alert: string; expr: string }>;
  expect(rules.map((r) => r.alert)).toEqual([
    'JunctionClusterUnhealthy',
    'JunctionQueueGrowing',
    'JunctionRedisUnreachable',
    'JunctionRedisErrors',
    'JunctionHistoryDropping',
    'JunctionOperatorNoLeader',
  ]);
  const known = await exported();
  expect(rules.flatMap((r) => metricsIn(r.expr)).filter((name) => !known.has(name))).toEqual([]);
});
