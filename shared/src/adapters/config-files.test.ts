// Loading config files from disk: relative paths resolved against the file, and unreadable files reported.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadGatewayConfig, loadOperatorConfig } from './config-files.js';

describe('loadGatewayConfig', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(path.join(tmpdir(), 'junction-config-'));
  });
  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it("resolves relative resource files against the config file's directory", () => {
    mkdirSync(path.join(directory, 'conf'));
    const file = path.join(directory, 'conf', 'gateway.yaml');
    writeFileSync(file, 'resources:\n  files: [resources.yaml, ../shared/more.yaml, /etc/junction/abs.yaml]\n');
    expect(loadGatewayConfig(file, {}).resources?.files).toEqual([
      path.join(directory, 'conf', 'resources.yaml'),
      path.join(directory, 'shared', 'more.yaml'),
      '/etc/junction/abs.yaml',
    ]);
  });

  it("names problems by the file's base name", () => {
    const file = path.join(directory, 'proxy.yaml');
    writeFileSync(file, 'routing: { queryIdTtl: x }\n');
    expect(() => loadGatewayConfig(file, {})).toThrow(/^proxy\.yaml: routing\.queryIdTtl: must be a duration/);
  });

  it('reports a file it cannot read', () => {
    const file = path.join(directory, 'missing.yaml');
    expect(() => loadGatewayConfig(file, {})).toThrow(new RegExp(`^Cannot read configuration file ${file}: ENOENT`));
  });
});

describe('loadOperatorConfig', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(path.join(tmpdir(), 'junction-config-'));
  });
  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it("resolves a relative kubeconfig against the config file's directory", () => {
    const file = path.join(directory, 'operator.yaml');
    writeFileSync(file, 'kubernetes: { namespace: j, kubeconfig: kube/config }\nredis: { url: "redis://r:6379" }\n');
    expect(loadOperatorConfig(file, {}).kubernetes.kubeconfig).toBe(path.join(directory, 'kube', 'config'));
    writeFileSync(file, 'kubernetes: { namespace: j }\nredis: { url: "redis://r:6379" }\n');
    expect(loadOperatorConfig(file, {}).kubernetes.kubeconfig).toBeUndefined();
  });

  it('reports a file it cannot read', () => {
    const file = path.join(directory, 'missing.yaml');
    expect(() => loadOperatorConfig(file, {})).toThrow(new RegExp(`^Cannot read configuration file ${file}: ENOENT`));
  });
});
