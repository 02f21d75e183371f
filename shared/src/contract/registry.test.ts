// buildRegistry: clusters, group membership by selector, the default group, rules and the problems it reports.
import type { Registry, RuleRequest } from './model.js';
import { buildRegistry, type RegistryInput } from './registry.js';
import { API_VERSION } from './resource-kinds.js';
import { RoutingGroup, TrinoCluster } from './schemas/resources.js';

function cluster(name: string, labels: Record<string, string>, spec: Record<string, unknown> = {}): TrinoCluster {
  return TrinoCluster.parse({
    apiVersion: API_VERSION,
    kind: 'TrinoCluster',
    metadata: { name, labels },
    spec: { url: `http://${name}:8080`, ...spec },
  });
}

function group(name: string, spec: Record<string, unknown> = {}): RoutingGroup {
  return RoutingGroup.parse({
    apiVersion: API_VERSION,
    kind: 'RoutingGroup',
    metadata: { name },
    spec: { clusterSelector: { matchLabels: { pool: name } }, ...spec },
  });
}

function build(input: Partial<RegistryInput>) {
  return buildRegistry({ clusters: [], groups: [], defaultRoutingGroup: 'adhoc', generation: 1, ...input });
}

const request: RuleRequest = {
  method: 'POST',
  path: '/v1/statement',
  query: {},
  headers: {},
  user: 'alice',
  source: 'airflow',
  clientTags: [],
  catalog: '',
  schema: '',
};

describe('buildRegistry: clusters', () => {
  const clusterProblems = (registry: Registry) => registry.problems.filter((p) => p.kind === 'TrinoCluster');

  it('normalizes the url to its origin and defaults externalUrl to it', () => {
    const registry = build({ clusters: [cluster('blue', {}, { url: 'http://Blue:8080/' })] });
    expect(registry.clusters.get('blue')).toMatchObject({ url: 'http://blue:8080', externalUrl: 'http://blue:8080' });
    expect(clusterProblems(registry)).toEqual([]);
  });

  it('keeps an explicit externalUrl without its trailing slash', () => {
    const registry = build({ clusters: [cluster('blue', {}, { externalUrl: 'https://blue.example.com/trino/' })] });
    expect(registry.clusters.get('blue')?.externalUrl).toBe('https://blue.example.com/trino');
  });

  it.each(['http://blue:8080/v1', 'http://blue:8080/?a=b', 'http://blue:8080/#x', 'http://u:p@blue:8080'])(
    'leaves out a cluster whose url %s is not an origin',
    (url) => {
      // The schema rejects such URLs too; the builder still guards resources that bypassed it.
      const valid = cluster('blue', {});
      const registry = build({ clusters: [{ ...valid, spec: { ...valid.spec, url } }] });
      expect(registry.clusters.has('blue')).toBe(false);
      expect(clusterProblems(registry)).toEqual([
        {
          kind: 'TrinoCluster',
          name: 'blue',
          severity: 'error',
          message: "spec.url: must be the coordinator's origin (scheme://host:port) without a path",
        },
      ]);
    },
  );

  it('keeps the first of two clusters with the same name', () => {
    const registry = build({
      clusters: [cluster('blue', {}, { url: 'http://one:8080' }), cluster('blue', {}, { url: 'http://two:8080' })],
    });
    expect(registry.clusters.get('blue')?.url).toBe('http://one:8080');
    expect(clusterProblems(registry)).toEqual([
      expect.objectContaining({ kind: 'TrinoCluster', name: 'blue', severity: 'error', message: expect.any(String) }),
    ]);
  });
});

describe('buildRegistry: groups', () => {
  it('selects members by label, sorted, and lists each cluster its groups', () => {
    const registry = build({
      clusters: [
        cluster('red', { pool: 'adhoc', tier: 'gold' }),
        cluster('green', { pool: 'adhoc' }),
        cluster('blue', { pool: 'etl', tier: 'gold' }),
      ],
      groups: [group('adhoc'), group('gold', { clusterSelector: { matchLabels: { tier: 'gold' } } }), group('etl')],
    });
    expect(registry.groups.get('adhoc')?.members).toEqual(['green', 'red']);
    expect(registry.groups.get('gold')?.members).toEqual(['blue', 'red']);
    expect(registry.clusters.get('red')?.groups).toEqual(['adhoc', 'gold']);
    expect(registry.clusters.get('blue')?.groups).toEqual(['etl', 'gold']);
    expect([...registry.clusters.keys()]).toEqual(['blue', 'green', 'red']);
  });

  it('warns about a selector that matches nothing', () => {
    const registry = build({ groups: [group('adhoc')] });
    expect(registry.groups.get('adhoc')?.members).toEqual([]);
    expect(registry.problems).toEqual([
      {
        kind: 'RoutingGroup',
        name: 'adhoc',
        severity: 'warning',
        message: 'spec.clusterSelector: matches no TrinoCluster',
      },
    ]);
  });

  it('gives a group with an invalid selector no members', () => {
    const selector = { matchExpressions: [{ key: 'pool', operator: 'In', values: [] }] };
    const registry = build({
      clusters: [cluster('blue', { pool: 'adhoc' })],
      groups: [group('adhoc', { clusterSelector: selector })],
    });
    expect(registry.groups.get('adhoc')?.members).toEqual([]);
    expect(registry.problems).toEqual([
      {
        kind: 'RoutingGroup',
        name: 'adhoc',
        severity: 'error',
        message: 'spec.clusterSelector.matchExpressions[0].values: must be non-empty for operator In',
      },
    ]);
  });

  it('keeps the first of two groups with the same name', () => {
    const registry = build({ groups: [group('adhoc', { priority: 1 }), group('adhoc', { priority: 2 })] });
    expect(registry.groups.get('adhoc')?.priority).toBe(1);
    expect(registry.problems.filter((p) => p.severity === 'error')).toHaveLength(1);
  });
});

describe('buildRegistry: default group', () => {
  it('uses the group marked default', () => {
    const registry = build({ groups: [group('adhoc'), group('etl', { default: true })] });
    expect(registry.defaultGroup).toBe('etl');
    expect(registry.groups.get('etl')?.isDefault).toBe(true);
    expect(registry.groups.get('adhoc')?.isDefault).toBe(false);
  });

  it('reports two default groups and uses the first by name', () => {
    const registry = build({ groups: [group('zeta', { default: true }), group('beta', { default: true })] });
    expect(registry.defaultGroup).toBe('beta');
    expect(registry.problems).toContainEqual({
      kind: 'Registry',
      name: '',
      severity: 'error',
      message: 'RoutingGroup "beta", "zeta" are all marked default; using "beta"',
    });
  });

  it('falls back to routing.defaultRoutingGroup when none is marked', () => {
    expect(build({ groups: [group('adhoc'), group('etl')] }).defaultGroup).toBe('adhoc');
  });

  it('has no default group, and says so, when neither exists', () => {
    const registry = build({ groups: [group('etl')] });
    expect(registry.defaultGroup).toBeUndefined();
    expect(registry.problems).toContainEqual(
      expect.objectContaining({ kind: 'Registry', severity: 'warning', message: expect.stringContaining('"adhoc"') }),
    );
  });
});

describe('buildRegistry: fallbackGroup', () => {
  it('keeps a fallback that names another group', () => {
    expect(
      build({ groups: [group('adhoc'), group('etl', { fallbackGroup: 'adhoc' })] }).groups.get('etl')?.fallbackGroup,
    ).toBe('adhoc');
  });

  it.each([
    ['missing', 'spec.fallbackGroup: RoutingGroup "missing" does not exist; ignored'],
    ['etl', 'spec.fallbackGroup: names the group itself; ignored'],
  ])('ignores the fallback %s with a warning', (fallbackGroup, message) => {
    const registry = build({ groups: [group('adhoc'), group('etl', { fallbackGroup })] });
    expect(registry.groups.get('etl')?.fallbackGroup).toBeUndefined();
    expect(registry.problems).toContainEqual({ kind: 'RoutingGroup', name: 'etl', severity: 'warning', message });
  });
});

describe('buildRegistry: rules', () => {
  const airflow = { name: 'airflow', condition: 'request.source == "airflow"' };

  it('compiles rules that route to their group', () => {
    const registry = build({ groups: [group('adhoc'), group('etl', { rules: [airflow], priority: 5 })] });
    const [rule] = registry.rules;
    expect(registry.rules).toHaveLength(1);
    expect(rule).toMatchObject({ name: 'airflow', group: 'etl', priority: 5, condition: airflow.condition });
    expect(rule?.matches(request)).toBe(true);
    expect(rule?.matches({ ...request, source: 'cli' })).toBe(false);
    expect(registry.groups.get('etl')?.rulesValid).toBe(true);
  });

  it('orders rules by group priority, then group name, then rule order', () => {
    const rule = (name: string) => ({ name, condition: 'true' });
    const registry = build({
      groups: [
        group('c', { priority: 1, rules: [rule('c1')] }),
        group('b', { priority: 10, rules: [rule('b1'), rule('b2')] }),
        group('a', { priority: 10, rules: [rule('a1')] }),
        group('d', { priority: -3, rules: [rule('d1'), rule('d0')] }),
      ],
    });
    expect(registry.rules.map((r) => r.name)).toEqual(['d1', 'd0', 'c1', 'a1', 'b1', 'b2']);
  });

  it('reports a rule that does not compile and keeps the previous rules', () => {
    const previous = build({ groups: [group('etl', { rules: [airflow] })] });
    const broken = { name: 'broken', condition: 'requets.user == "x"' };
    const registry = build({
      groups: [group('etl', { priority: 7, rules: [{ name: 'new', condition: 'true' }, broken] })],
      previous,
      generation: 2,
    });
    const etl = registry.groups.get('etl');
    expect(etl?.rulesValid).toBe(false);
    expect(etl?.rules.map((r) => r.name)).toEqual(['airflow']);
    expect(registry.rules.map((r) => [r.name, r.priority])).toEqual([['airflow', 7]]);
    expect(registry.problems).toContainEqual({
      kind: 'RoutingGroup',
      name: 'etl',
      severity: 'error',
      message: "spec.rules[1].condition: undeclared reference to 'requets'",
    });
  });

  it('has no rules for a new group whose rules do not compile', () => {
    const registry = build({
      groups: [group('etl', { rules: [airflow, { name: 'bad', condition: 'request.user' }] })],
    });
    expect(registry.groups.get('etl')).toMatchObject({ rules: [], rulesValid: false });
    expect(registry.rules).toEqual([]);
  });

  it('warns about duplicate rule names', () => {
    const registry = build({ groups: [group('adhoc'), group('etl', { rules: [airflow, airflow] })] });
    expect(registry.groups.get('etl')?.rules).toHaveLength(2);
    expect(registry.problems).toContainEqual({
      kind: 'RoutingGroup',
      name: 'etl',
      severity: 'warning',
      message: 'spec.rules[1].name: duplicate rule name "airflow"',
    });
  });
});

describe('buildRegistry: immutability', () => {
  const registry = build({
    clusters: [cluster('blue', { pool: 'adhoc' })],
    groups: [group('adhoc', { rules: [{ name: 'r', condition: 'true' }] })],
  });

  it('freezes the registry and everything in it', () => {
    const blue = registry.clusters.get('blue');
    const adhoc = registry.groups.get('adhoc');
    for (const value of [registry, blue, blue?.labels, blue?.healthCheck, blue?.groups, adhoc, adhoc?.members]) {
      expect(Object.isFrozen(value)).toBe(true);
    }
    for (const value of [adhoc?.rules, adhoc?.rules[0], registry.rules, registry.problems]) {
      expect(Object.isFrozen(value)).toBe(true);
    }
  });

  it('refuses changes to its maps', () => {
    const clusters = registry.clusters as Map<string, unknown>;
    expect(() => clusters.set('x', {})).toThrow(TypeError);
    expect(() => clusters.delete('blue')).toThrow(TypeError);
    expect(() => (registry.groups as Map<string, unknown>).clear()).toThrow(TypeError);
    expect(registry.clusters.size).toBe(1);
    expect(registry.groups.size).toBe(1);
  });

  it('carries the generation it was given', () => {
    expect(build({ generation: 42 }).generation).toBe(42);
  });
});
