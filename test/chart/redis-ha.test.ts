// The chart's highly available Redis modes rendered offline: ci/sentinel-values.yaml and ci/cluster-values.yaml
// become gateway and operator configs the programs parse (secrets only as ${ENV:…} from a Secret), and
// naming two Redis modes at once fails the render with a message naming both. Needs scripts/helm/ensure-helm.sh.
import { join } from 'node:path';
import { parseGatewayConfig, parseOperatorConfig } from '@junction/shared';
import { CHART_DIR, find, helm, helmOk, type KubeObject, parseManifests } from './helm.js';

const NS = 'trino';
const values = (name: 'sentinel' | 'cluster') => join(CHART_DIR, 'ci', `${name}-values.yaml`);

async function render(name: 'sentinel' | 'cluster', extra: string[] = []): Promise<KubeObject[]> {
  return parseManifests(
    await helmOk(['template', 'junction', CHART_DIR, '--namespace', NS, '-f', values(name), ...extra]),
  );
}

const containerOf = (objects: KubeObject[], name: string) =>
  find(objects, 'Deployment', name)['spec']['template']['spec']['containers'][0] as {
    env: Array<{ name: string; value?: string; valueFrom?: unknown }> | null;
  };

function configs(objects: KubeObject[], env: NodeJS.ProcessEnv) {
  const processEnv = { JUNCTION_COOKIE_SIGNING_SECRET: 'c2VjcmV0', POD_NAME: 'junction-operator-0', ...env };
  const gatewayText = find(objects, 'ConfigMap', 'junction-proxy')['data']['gateway.yaml'] as string;
  const operatorText = find(objects, 'ConfigMap', 'junction-operator')['data']['operator.yaml'] as string;
  return {
    gatewayText,
    gateway: parseGatewayConfig(gatewayText, 'gateway.yaml', processEnv),
    operator: parseOperatorConfig(operatorText, 'operator.yaml', processEnv),
  };
}

describe('chart: Redis Sentinel', () => {
  let objects: KubeObject[];
  beforeAll(async () => {
    objects = await render('sentinel');
  });

  test('both programs get the sentinels and master set; passwords come from the Secret', () => {
    const env = { JUNCTION_REDIS_PASSWORD: 'data-pw', JUNCTION_REDIS_SENTINEL_PASSWORD: 'sentinel-pw' };
    const { gateway, operator, gatewayText } = configs(objects, env);
    const expected = {
      sentinel: {
        masterName: 'junction',
        nodes: [
          { host: 'redis-sentinel-0.redis-sentinel', port: 26379 },
          { host: 'redis-sentinel-1.redis-sentinel', port: 26379 },
          { host: 'redis-sentinel-2.redis-sentinel', port: 26380 },
        ],
        password: 'sentinel-pw',
        db: 0,
      },
      password: 'data-pw',
      keyPrefix: 'junction:',
      commandTimeout: 500,
    };
    expect(gateway.redis).toEqual(expected);
    expect(operator.redis).toEqual(expected);
    expect(gatewayText).not.toContain('-pw');
    for (const name of ['junction-proxy', 'junction-operator']) {
      const env = containerOf(objects, name).env ?? [];
      expect(env.find((e) => e.name === 'JUNCTION_REDIS_URL')).toBeUndefined();
      expect(env.find((e) => e.name === 'JUNCTION_REDIS_PASSWORD')?.valueFrom).toEqual({
        secretKeyRef: { name: 'junction-redis', key: 'password' },
      });
      expect(env.find((e) => e.name === 'JUNCTION_REDIS_SENTINEL_PASSWORD')?.valueFrom).toEqual({
        secretKeyRef: { name: 'junction-redis', key: 'sentinel-password' },
      });
    }
  });

  test('master set without sentinels, or a sentinel password without a Secret, fails with a clear message', async () => {
    const failed = await helm(['template', 'junction', CHART_DIR, '--set', 'redis.sentinel.masterName=junction']);
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toMatch(/redis\.sentinel\.masterName is set but redis\.sentinel\.nodes is empty/);
    const noSecret = await helm([
      'template',
      'junction',
      CHART_DIR,
      '-f',
      values('sentinel'),
      '--set',
      'redis.auth.existingSecret=',
    ]);
    expect(noSecret.code).not.toBe(0);
    expect(noSecret.stderr).toMatch(/redis\.auth\.sentinelPasswordKey needs redis\.auth\.existingSecret/);
  });
});

describe('chart: Redis Cluster', () => {
  test('both programs get the seed nodes, TLS and the ACL user; no password, no URL in the environment', async () => {
    const objects = await render('cluster');
    const { gateway, operator } = configs(objects, {});
    const expected = {
      cluster: {
        nodes: [
          { host: 'redis-cluster-0.redis-cluster', port: 6379 },
          { host: 'redis-cluster-1.redis-cluster', port: 6379 },
          { host: 'redis-cluster-2.redis-cluster', port: 7000 },
        ],
      },
      username: 'junction',
      tls: true,
      keyPrefix: 'junction:',
      commandTimeout: 500,
    };
    expect(gateway.redis).toEqual(expected);
    expect(operator.redis).toEqual(expected);
    for (const name of ['junction-proxy', 'junction-operator']) {
      const names = (containerOf(objects, name).env ?? []).map((e) => e.name);
      expect(names.filter((n) => n.startsWith('JUNCTION_REDIS'))).toEqual([]);
    }
  });

  test('a URL beside the cluster fails the render, naming both', async () => {
    const result = await helm([
      'template',
      'junction',
      CHART_DIR,
      '-f',
      values('cluster'),
      '--set',
      'redis.url=redis://r',
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(
      /an external Redis \(redis\.url or redis\.existingSecret\.name\) and redis\.cluster are set/,
    );
  });

  test('the schema rejects a node without a host', async () => {
    const result = await helm(['template', 'junction', CHART_DIR, '--set', 'redis.cluster.nodes[0].port=7000']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/redis\/cluster\/nodes\/0/);
  });
});
