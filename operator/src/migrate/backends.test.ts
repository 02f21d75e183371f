// Trino Gateway backends → TrinoClusters labelled by routing group, plus one RoutingGroup per
// group: from the API export and from database rows, with the refusals the schema requires.
import { describe, expect, test } from '@jest/globals';
import { buildRegistry, parseResources } from '@junction/shared';
import { migrate } from './migration.js';

const OPTIONS = { defaultGroup: 'adhoc', labelKey: 'pool', strategy: 'Random' } as const;

function run(text: string, skipUnconvertible = false, rules?: string) {
  return migrate({
    backends: { file: 'backends.json', text },
    rules: rules === undefined ? undefined : { file: 'rules.yaml', text: rules },
    options: OPTIONS,
    skipUnconvertible,
  });
}

// As GET /gateway/backend/all returns them (externalUrl reads back as proxyTo when unset).
const API_EXPORT = JSON.stringify([
  {
    name: 'trino-1',
    proxyTo: 'http://trino-1:8080',
    active: true,
    routingGroup: 'adhoc',
    externalUrl: 'http://trino-1:8080',
  },
  {
    name: 'trino-2',
    proxyTo: 'https://trino-2.example.com/',
    active: false,
    routingGroup: 'adhoc',
    externalUrl: 'https://ui.example.com/trino-2/',
  },
  {
    name: 'Trino_ETL',
    proxyTo: 'http://etl:8080',
    active: true,
    routingGroup: 'etl_batch',
    externalUrl: 'http://etl:8080',
  },
  { name: 'no-group', proxyTo: 'http://ng:8080' },
]);

describe('backends', () => {
  test('the API export becomes TrinoClusters and one RoutingGroup per group', () => {
    const result = run(API_EXPORT);
    const { clusters, groups } = parseResources(result.output as string, 'output');
    expect(
      clusters.map((c) => [c.metadata.name, c.metadata.labels, c.spec.url, c.spec.externalUrl, c.spec.enabled]),
    ).toEqual([
      ['trino-1', { pool: 'adhoc' }, 'http://trino-1:8080', undefined, true],
      ['trino-2', { pool: 'adhoc' }, 'https://trino-2.example.com', 'https://ui.example.com/trino-2', false],
      ['trino-etl', { pool: 'etl-batch' }, 'http://etl:8080', undefined, true],
      // Trino Gateway's defaults for a backend added without them: active, group "adhoc".
      ['no-group', { pool: 'adhoc' }, 'http://ng:8080', undefined, true],
    ]);
    expect(clusters[2]?.metadata.annotations).toEqual({ 'junction.dev/trino-gateway-name': 'Trino_ETL' });
    expect(groups.map((g) => [g.metadata.name, g.spec.clusterSelector, g.spec.default, g.spec.fallbackGroup])).toEqual([
      ['adhoc', { matchLabels: { pool: 'adhoc' } }, true, undefined],
      ['etl-batch', { matchLabels: { pool: 'etl-batch' } }, false, 'adhoc'],
    ]);
    const registry = buildRegistry({ clusters, groups, defaultRoutingGroup: 'adhoc', generation: 1 });
    expect(registry.problems).toEqual([]);
    expect(registry.groups.get('adhoc')?.members).toEqual(['no-group', 'trino-1', 'trino-2']);
    expect(result.notes).toContain(
      '"Trino_ETL" is named "trino-etl" (resource names are DNS names); the original is kept in an annotation',
    );
  });

  test('rows of the gateway_backend table (column names, 0/1 booleans) convert the same way', () => {
    const rows = `- { name: a, backend_url: "http://a:8080", external_url: null, active: 1, routing_group: etl }
- { name: b, backend_url: "http://b:8080", external_url: "http://b-ui", active: 0, routing_group: etl }
`;
    const { clusters } = parseResources(run(rows).output as string, 'output');
    expect(clusters.map((c) => [c.metadata.name, c.spec.url, c.spec.externalUrl, c.spec.enabled])).toEqual([
      ['a', 'http://a:8080', undefined, true],
      ['b', 'http://b:8080', 'http://b-ui', false],
    ]);
  });

  test('a proxyTo with a path is refused with the reason; skipping converts the others', () => {
    const text = JSON.stringify([
      { name: 'ok', proxyTo: 'http://ok:8080', routingGroup: 'adhoc' },
      { name: 'behind-lb', proxyTo: 'http://lb.example.com/trino', routingGroup: 'adhoc' },
      { name: 'bad-active', proxyTo: 'http://x:8080', active: 'yes' },
    ]);
    const strict = run(text);
    expect(strict.output).toBeUndefined();
    expect(strict.unconvertible).toEqual([
      expect.stringMatching(
        /^backends\.json:1: backend "behind-lb": proxyTo "http:\/\/lb\.example\.com\/trino" is more than an origin \(scheme:\/\/host:port\)/,
      ),
      'backends.json:1: backend "bad-active": active must be true or false, got "yes"',
    ]);
    const skipped = run(text, true);
    expect(parseResources(skipped.output as string, 'output').clusters.map((c) => c.metadata.name)).toEqual(['ok']);
  });

  test('names that collide once made DNS names are refused', () => {
    const text = JSON.stringify([
      { name: 'Trino-A', proxyTo: 'http://a:8080' },
      { name: 'trino-a', proxyTo: 'http://b:8080' },
    ]);
    expect(run(text).unconvertible).toEqual([
      'backends.json:1: backend "trino-a": TrinoCluster names "trino-a" and "Trino-A" would both become "trino-a"',
    ]);
  });

  test("Trino Gateway's config.yaml holds no backends: the message says where they are", () => {
    const result = run('serverConfig:\n  node.environment: test\ndataStore:\n  jdbcUrl: jdbc:postgresql://db/gw\n');
    expect(result.output).toBeUndefined();
    expect(result.fatal).toEqual([
      expect.stringContaining('backends.json: this is a Trino Gateway config.yaml, which holds no backends'),
    ]);
    expect(result.fatal[0]).toContain('/gateway/backend/all');
  });

  test('with --rules the rule groups and the backend groups are one set of RoutingGroups', () => {
    const rules = `name: airflow\ncondition: 'request.getHeader("X-Trino-Source") == "airflow"'\nactions: ['result.put("routingGroup", "etl_batch")']\n`;
    const { clusters, groups } = parseResources(run(API_EXPORT, false, rules).output as string, 'output');
    expect(clusters).toHaveLength(4);
    expect(groups.map((g) => [g.metadata.name, g.spec.priority, g.spec.rules.map((r) => r.name)])).toEqual([
      ['etl-batch', 10, ['airflow']],
      ['adhoc', 0, []],
    ]);
  });
});
