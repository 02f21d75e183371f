// The chart's query-history settings: the history section reaches gateway.yaml as the proxy parses
// it, the PostgreSQL URL comes only from a Secret (never the ConfigMap), and postgres without one fails.
import { parseGatewayConfig } from '@junction/shared';
import { CHART_DIR, find, helm, type KubeObject, render, valuesFile } from './helm.js';

const NS = 'trino';

function gatewayOf(objects: KubeObject[], env: Record<string, string>) {
  const text = find(objects, 'ConfigMap', 'junction-proxy')['data']['gateway.yaml'] as string;
  return {
    text,
    config: parseGatewayConfig(text, 'gateway.yaml', {
      JUNCTION_REDIS_URL: 'redis://r:6379',
      JUNCTION_COOKIE_SIGNING_SECRET: 'c2VjcmV0',
      ...env,
    }),
  };
}

it('history settings pass through; with Redis the default store is redis', async () => {
  const plain = gatewayOf(await render(NS, 'default'), {});
  expect(plain.config.history.store).toBeUndefined();
  const tuned = gatewayOf(
    await render(NS, 'default', ['--set', 'proxy.history.recordSql=false', '--set', 'proxy.history.maxRecords=50000']),
    {},
  );
  expect(tuned.config.history).toMatchObject({ recordSql: false, maxRecords: 50_000 });
});

it('postgres: the URL comes from the named Secret through the environment', async () => {
  const objects = await render(NS, 'default', [
    '--set',
    'proxy.history.store=postgres',
    '--set',
    'proxy.historyPostgres.existingSecret=history-db',
  ]);
  const { text, config } = gatewayOf(objects, { JUNCTION_HISTORY_POSTGRES_URL: 'postgres://u:p@db/h' });
  expect(config.history).toMatchObject({ store: 'postgres', postgres: { urlEnv: 'JUNCTION_HISTORY_POSTGRES_URL' } });
  expect(text).not.toContain('postgres://');
  const proxy = find(objects, 'Deployment', 'junction-proxy')['spec']['template']['spec']['containers'][0];
  const env = (proxy['env'] as Array<{ name: string; valueFrom?: unknown }>).find(
    (entry) => entry.name === 'JUNCTION_HISTORY_POSTGRES_URL',
  );
  expect(env?.valueFrom).toEqual({ secretKeyRef: { name: 'history-db', key: 'postgres-url' } });
});

it('postgres without a Secret, or a misspelt key, does not render', async () => {
  const base = ['template', 'junction', CHART_DIR, '--namespace', NS, '-f', valuesFile('default')];
  const missing = await helm([...base, '--set', 'proxy.history.store=postgres']);
  expect(missing.code).not.toBe(0);
  expect(missing.stdout + missing.stderr).toMatch(/proxy\.historyPostgres\.existingSecret/);
  const typo = await helm([...base, '--set', 'proxy.history.maxRecord=5']);
  expect(typo.code).not.toBe(0);
  expect(typo.stdout + typo.stderr).toMatch(/maxRecord/);
});
