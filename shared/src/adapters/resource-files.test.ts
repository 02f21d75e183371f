// Loading several manifest files: resources concatenated, problems of all files reported together.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError } from '../contract/errors.js';
import { loadResourceFiles } from './resource-files.js';

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

describe('loadResourceFiles', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(path.join(tmpdir(), 'junction-resources-'));
  });
  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('concatenates the resources of several files', () => {
    writeFileSync(path.join(directory, 'clusters.yaml'), blue);
    writeFileSync(path.join(directory, 'groups.yaml'), adhoc);
    const files = [path.join(directory, 'clusters.yaml'), path.join(directory, 'groups.yaml')];
    const { clusters, groups } = loadResourceFiles(files);
    expect(clusters.map((c) => c.metadata.name)).toEqual(['blue']);
    expect(groups.map((g) => g.metadata.name)).toEqual(['adhoc']);
  });

  it('reports the problems of all files together, naming each file', () => {
    writeFileSync(path.join(directory, 'bad.yaml'), 'kind: Pod\n');
    const files = [path.join(directory, 'bad.yaml'), path.join(directory, 'missing.yaml')];
    let error: unknown;
    try {
      loadResourceFiles(files);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const lines = (error as ConfigError).problems;
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/bad\.yaml: document 1: kind: must be TrinoCluster or RoutingGroup$/);
    expect(lines[1]).toMatch(/missing\.yaml: cannot read resource file: ENOENT/);
  });
});
