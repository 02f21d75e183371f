// From cached API objects to validated resources and the snapshot content that gets published.
import { buildRegistry } from '@junction/shared';
import type { KubeObject } from './kube-types.js';
import { contentKey, publishable, validateResources } from './resources.js';

const cluster = (
  name: string,
  spec: Record<string, unknown>,
  extra: Partial<KubeObject['metadata']> = {},
): KubeObject => ({
  apiVersion: 'junction.dev/v1alpha1',
  kind: 'TrinoCluster',
  metadata: { name, namespace: 'junction', labels: { pool: 'adhoc' }, resourceVersion: '7', generation: 2, ...extra },
  spec,
  status: { phase: 'Healthy' },
});

const group = (name: string, rules: Array<{ name: string; condition: string }>): KubeObject => ({
  apiVersion: 'junction.dev/v1alpha1',
  kind: 'RoutingGroup',
  metadata: { name, namespace: 'junction', resourceVersion: '9', uid: 'u-1', managedFields: [{}] },
  spec: { clusterSelector: { matchLabels: { pool: 'adhoc' } }, default: true, rules },
});

describe('validateResources', () => {
  it('parses valid objects with defaults and reports invalid ones by key', () => {
    const valid = validateResources(
      [cluster('blue', { url: 'http://blue:8080' }), cluster('bad', { url: 'http://bad:8080/trino', weight: -1 })],
      [group('adhoc', [])],
    );
    expect(valid.clusters.map((c) => [c.metadata.name, c.spec.enabled, c.spec.weight])).toEqual([['blue', true, 1]]);
    expect(valid.groups).toHaveLength(1);
    expect([...valid.invalid.keys()]).toEqual(['TrinoCluster/bad']);
    expect(valid.invalid.get('TrinoCluster/bad')).toMatch(/spec\.url: .*; spec\.weight: /);
  });
});

describe('publishable content', () => {
  const build = (objects: KubeObject[], groups: KubeObject[], previous?: ReturnType<typeof buildRegistry>) => {
    const valid = validateResources(objects, groups);
    const registry = buildRegistry({ ...valid, defaultRoutingGroup: 'adhoc', generation: 1, previous });
    return { valid, registry, resources: publishable(valid, registry) };
  };

  it('keeps spec and identity only, so status and resourceVersion changes are no change', () => {
    const first = build([cluster('blue', { url: 'http://blue:8080' })], [group('adhoc', [])]);
    expect(first.resources.clusters[0]).toEqual({
      apiVersion: 'junction.dev/v1alpha1',
      kind: 'TrinoCluster',
      metadata: { name: 'blue', namespace: 'junction', labels: { pool: 'adhoc' } },
      spec: expect.objectContaining({ url: 'http://blue:8080', enabled: true }),
    });
    const touched = build(
      [{ ...cluster('blue', { url: 'http://blue:8080' }, { resourceVersion: '99' }), status: { phase: 'Unhealthy' } }],
      [group('adhoc', [])],
    );
    expect(contentKey(touched.resources)).toBe(contentKey(first.resources));
    const relabeled = build(
      [cluster('blue', { url: 'http://blue:8080' }, { labels: { pool: 'etl' } })],
      [group('adhoc', [])],
    );
    expect(contentKey(relabeled.resources)).not.toBe(contentKey(first.resources));
  });

  it('publishes the last valid rules of a group whose new rules do not compile', () => {
    const good = build([], [group('adhoc', [{ name: 'airflow', condition: 'request.source == "airflow"' }])]);
    const broken = build([], [group('adhoc', [{ name: 'airflow', condition: 'request.source ==' }])], good.registry);
    expect(broken.registry.groups.get('adhoc')?.rulesValid).toBe(false);
    expect(broken.resources.groups[0]?.spec.rules).toEqual([
      { name: 'airflow', condition: 'request.source == "airflow"' },
    ]);
    expect(contentKey(broken.resources)).toBe(contentKey(good.resources));
    // Without any valid rules before, the group is published without rules.
    const never = build([], [group('adhoc', [{ name: 'x', condition: '(' }])]);
    expect(never.resources.groups[0]?.spec.rules).toEqual([]);
  });
});
