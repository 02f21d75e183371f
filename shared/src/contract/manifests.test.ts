// Parsing TrinoCluster/RoutingGroup manifests from YAML text: defaults, List documents, and every problem named.
import { parse as parseYaml } from 'yaml';
import { ConfigError } from './errors.js';
import { parseResources } from './manifests.js';

const blue = `
apiVersion: junction.dev/v1alpha1
kind: TrinoCluster
metadata: { name: blue, labels: { pool: adhoc } }
spec: { url: "http://trino-blue:8080" }
`;

const adhoc = `
apiVersion: junction.dev/v1alpha1
kind: RoutingGroup
metadata: { name: adhoc }
spec:
  clusterSelector: { matchLabels: { pool: adhoc } }
  default: true
  rules:
    - name: airflow
      condition: 'request.source == "airflow"'
`;

function problems(text: string): string[] {
  try {
    parseResources(text, 'resources.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseResources', () => {
  it('reads clusters and groups from a multi-document file, with defaults', () => {
    const { clusters, groups } = parseResources(`${blue}---${adhoc}`, 'resources.yaml');
    expect(clusters).toHaveLength(1);
    expect(clusters[0]?.metadata).toEqual({ name: 'blue', labels: { pool: 'adhoc' } });
    expect(clusters[0]?.spec).toMatchObject({ url: 'http://trino-blue:8080', enabled: true, weight: 1 });
    expect(groups).toHaveLength(1);
    expect(groups[0]?.spec).toMatchObject({ default: true, strategy: 'LeastLoaded', priority: 0 });
    expect(groups[0]?.spec.rules).toEqual([{ name: 'airflow', condition: 'request.source == "airflow"' }]);
  });

  it('accepts a kind: List with items', () => {
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [parseYaml(blue), parseYaml(adhoc)],
    };
    const { clusters, groups } = parseResources(JSON.stringify(list), 'resources.yaml');
    expect(clusters.map((c) => c.metadata.name)).toEqual(['blue']);
    expect(groups.map((g) => g.metadata.name)).toEqual(['adhoc']);
  });

  it('returns nothing for an empty file', () => {
    expect(parseResources('', 'resources.yaml')).toEqual({ clusters: [], groups: [] });
  });

  it('names the resource and the field of an invalid value', () => {
    expect(problems(blue.replace('http://trino-blue:8080', 'trino-blue'))).toEqual([
      'resources.yaml: TrinoCluster "blue": spec.url: must be an http(s) URL',
    ]);
  });

  it('rejects a cluster url with a path, which the proxy would silently drop', () => {
    expect(problems(blue.replace('http://trino-blue:8080', 'http://trino-blue:8080/trino'))).toEqual([
      'resources.yaml: TrinoCluster "blue": spec.url: must be the coordinator\'s origin (scheme://host:port) without a path',
    ]);
  });

  it('uses the document number for a wrong kind or a resource without a name', () => {
    const configMap = 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\n';
    const nameless = 'apiVersion: junction.dev/v1alpha1\nkind: RoutingGroup\nspec: { clusterSelector: {} }\n';
    expect(problems(`${blue}---${adhoc}---\n${configMap}---\n${nameless}---\n- a list\n`)).toEqual([
      'resources.yaml: document 3: kind: must be TrinoCluster or RoutingGroup',
      'resources.yaml: document 4: metadata: required',
      'resources.yaml: document 5: must be a mapping with apiVersion, kind, metadata and spec',
    ]);
  });

  it('collects every problem of every document before throwing', () => {
    const badGroup = adhoc.replace('default: true', 'default: true\n  strategy: Fastest');
    const badCluster = blue.replace('spec: {', 'spec: { colour: blue, weight: -1,');
    expect(problems(`${badCluster}---${badGroup}`)).toEqual([
      'resources.yaml: TrinoCluster "blue": spec.weight: must be >= 0',
      'resources.yaml: TrinoCluster "blue": spec.colour: unknown key',
      'resources.yaml: RoutingGroup "adhoc": spec.strategy: must be one of "LeastLoaded", "RoundRobin", "Random", got "Fastest"',
    ]);
  });

  it('names List items by position', () => {
    const list = { apiVersion: 'v1', kind: 'List', items: [parseYaml(blue), { kind: 'Secret' }] };
    expect(problems(JSON.stringify(list))).toEqual([
      'resources.yaml: document 1, items[1]: kind: must be TrinoCluster or RoutingGroup',
    ]);
  });
});
