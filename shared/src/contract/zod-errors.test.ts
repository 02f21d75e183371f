// zod issues as start-up messages: YAML-style key paths and one short explanation per problem.
import { z } from 'zod';
import { API_VERSION } from './resource-kinds.js';
import { GatewayConfig } from './schemas/gateway-config.js';
import { RoutingGroup, TrinoCluster } from './schemas/resources.js';
import { formatIssues, formatPath } from './zod-errors.js';

function issues(schema: z.ZodType, input: unknown, prefix = 'gateway.yaml: '): string[] {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) throw new Error('expected a validation error');
  return formatIssues(prefix, result.error);
}

const cluster = (spec: unknown) => ({
  apiVersion: API_VERSION,
  kind: 'TrinoCluster',
  metadata: { name: 'blue' },
  spec,
});

describe('formatPath', () => {
  it('writes keys as YAML paths', () => {
    expect(formatPath(['routing', 'queryIdTtl'])).toBe('routing.queryIdTtl');
    expect(formatPath(['spec', 'rules', 0, 'name'])).toBe('spec.rules[0].name');
    expect(formatPath(['metadata', 'labels', 'app.kubernetes.io/name'])).toBe(
      'metadata.labels["app.kubernetes.io/name"]',
    );
    expect(formatPath([])).toBe('');
  });
});

describe('formatIssues', () => {
  it('names each unknown key on its own line', () => {
    expect(issues(GatewayConfig, { routing: { fooBar: 1, bazQux: true } })).toEqual([
      'gateway.yaml: routing.fooBar: unknown key',
      'gateway.yaml: routing.bazQux: unknown key',
    ]);
    expect(issues(GatewayConfig, { sever: {} })).toEqual(['gateway.yaml: sever: unknown key']);
  });

  it('says a missing key is required', () => {
    expect(issues(TrinoCluster, cluster({}), '')).toEqual(['spec.url: required']);
  });

  it('keeps custom messages from the schema', () => {
    expect(issues(GatewayConfig, { routing: { queryIdTtl: 'soon' } })).toEqual([
      'gateway.yaml: routing.queryIdTtl: must be a duration such as "500ms", "10s", "5m" or "24h", got "soon"',
    ]);
    expect(issues(TrinoCluster, cluster({ url: 'ftp://x' }), '')).toEqual(['spec.url: must be an http(s) URL']);
  });

  it('lists the allowed values of an enum and a literal', () => {
    expect(issues(GatewayConfig, { logging: { level: 'verbose' } })).toEqual([
      'gateway.yaml: logging.level: must be one of "error", "warn", "info", "debug", got "verbose"',
    ]);
    expect(issues(TrinoCluster, { ...cluster({ url: 'http://a' }), apiVersion: 'v1' }, '')).toEqual([
      'apiVersion: must be "junction.dev/v1alpha1", got "v1"',
    ]);
  });

  it('names the expected and the received type', () => {
    expect(issues(GatewayConfig, { server: { port: '8080' } })).toEqual([
      'gateway.yaml: server.port: expected number, got string',
    ]);
    expect(issues(GatewayConfig, { routing: 'adhoc' })).toEqual([
      'gateway.yaml: routing: expected mapping, got string',
    ]);
    expect(issues(GatewayConfig, [])).toEqual(['gateway.yaml: expected mapping, got list']);
  });

  it('explains a union that no branch accepts', () => {
    expect(issues(GatewayConfig, { gatewayCookieConfiguration: { cookieSigningSecret: 5 } })).toEqual([
      'gateway.yaml: gatewayCookieConfiguration.cookieSigningSecret: expected string or list, got number',
    ]);
  });

  it('explains bounds', () => {
    expect(issues(GatewayConfig, { server: { port: 70000 } })).toEqual(['gateway.yaml: server.port: must be <= 65535']);
    expect(issues(GatewayConfig, { resources: { files: [] } })).toEqual([
      'gateway.yaml: resources.files: must have at least one item',
    ]);
    const group = {
      apiVersion: API_VERSION,
      kind: 'RoutingGroup',
      metadata: { name: 'etl' },
      spec: { clusterSelector: {}, rules: [{ name: '', condition: 'true' }] },
    };
    expect(issues(RoutingGroup, group, 'r.yaml: ')).toEqual(['r.yaml: spec.rules[0].name: must not be empty']);
  });

  it('works without reportInput', () => {
    const result = z.strictObject({ url: z.string(), port: z.number() }).safeParse({ port: 'x' });
    expect(result.success).toBe(false);
    expect(formatIssues('', result.error as z.ZodError)).toEqual([
      'url: required',
      'port: expected number, got string',
    ]);
  });
});
