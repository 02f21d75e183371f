// Runs the helm CLI that scripts/helm/ensure-helm.sh builds, and renders the chart into plain objects.
// Helm's own state (repositories, cache, plugins) lives in one temp dir, never in the user's home.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const CHART_DIR = join(REPO_ROOT, 'charts/junction');
const ENSURE_SCRIPT = join(REPO_ROOT, 'scripts/helm/ensure-helm.sh');
const HELM_HOME = join(tmpdir(), 'junction-helm-home');

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: rendered manifests are checked field by field in the tests
  [key: string]: any;
}

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** The cached helm binary: the same path logic as ensure-helm.sh (JUNCTION_CACHE, JUNCTION_HELM_VERSION). */
export function helmBinary(): string {
  const version = process.env['JUNCTION_HELM_VERSION'] || pinnedVersion();
  const cache = process.env['JUNCTION_CACHE'] || join(homedir(), '.cache', 'junction');
  const binary = join(cache, 'helm', version, 'helm');
  if (!existsSync(binary))
    throw new Error(`helm ${version} not built; run scripts/helm/ensure-helm.sh (looked for ${binary})`);
  return binary;
}

function pinnedVersion(): string {
  const match = /^HELM_VERSION="\$\{JUNCTION_HELM_VERSION:-(v\d+\.\d+\.\d+)\}"$/m.exec(
    readFileSync(ENSURE_SCRIPT, 'utf8'),
  );
  if (!match?.[1]) throw new Error(`no HELM_VERSION="\${JUNCTION_HELM_VERSION:-vX.Y.Z}" line in ${ENSURE_SCRIPT}`);
  return match[1];
}

/** Runs helm; never throws for a non-zero exit code. */
export function helm(args: string[], options: { kubeconfig?: string } = {}): Promise<Result> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    HOME: HELM_HOME,
    HELM_CACHE_HOME: join(HELM_HOME, 'cache'),
    HELM_CONFIG_HOME: join(HELM_HOME, 'config'),
    HELM_DATA_HOME: join(HELM_HOME, 'data'),
  };
  if (options.kubeconfig !== undefined) env['KUBECONFIG'] = options.kubeconfig;
  return new Promise((done, reject) => {
    const child = spawn(helmBinary(), args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) => done({ code: code ?? 128, stdout, stderr }));
  });
}

export async function helmOk(args: string[], options: { kubeconfig?: string } = {}): Promise<string> {
  const result = await helm(args, options);
  if (result.code !== 0) throw new Error(`helm ${args.join(' ')} exited ${result.code}:\n${result.stderr}`);
  return result.stdout;
}

/** The values files the chart is rendered, linted and applied with (chart-testing's ci/ convention). */
export const VALUES_FILES = ['default', 'bundled-redis', 'hpa', 'servicemonitor', 'external-secret'] as const;
export type ValuesName = (typeof VALUES_FILES)[number];
export const valuesFile = (name: ValuesName): string => join(CHART_DIR, 'ci', `${name}-values.yaml`);

/** Parses a multi-document YAML stream into objects, dropping empty documents. */
export function parseManifests(text: string): KubeObject[] {
  return parseAllDocuments(text)
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`invalid YAML: ${document.errors[0]?.message}`);
      return document.toJS() as KubeObject | null;
    })
    .filter((object): object is KubeObject => object !== null && object !== undefined);
}

/** `helm template` of the chart as objects. */
export async function render(
  namespace: string,
  values: ValuesName,
  extra: string[] = [],
  release = 'junction',
): Promise<KubeObject[]> {
  return parseManifests(
    await helmOk(['template', release, CHART_DIR, '--namespace', namespace, '-f', valuesFile(values), ...extra]),
  );
}

export function find(objects: KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (found === undefined) {
    const present = objects.map((object) => `${object.kind}/${object.metadata.name}`).join(', ');
    throw new Error(`no ${kind}/${name} among ${present}`);
  }
  return found;
}
