// Starts Junction proxies for tests: in-process (fast, most tests) or as real `node
// proxy/dist/main.js` processes (multi-replica, signals, CLI behaviour).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GatewayConfig, type GatewayConfigInput, silentLogger } from '@junction/shared';
import { type RunningProxy, startProxy } from '../../proxy/src/app.js';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const PROXY_MAIN = join(REPO_ROOT, 'proxy/dist/main.js');

export interface ClusterSpec {
  url: string;
  labels?: Record<string, string>;
  enabled?: boolean;
  weight?: number;
  healthCheck?: Record<string, unknown>;
  maxRunningQueries?: number;
}

export interface GroupSpec {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
  default?: boolean;
  strategy?: 'LeastLoaded' | 'RoundRobin' | 'Random';
  priority?: number;
  fallbackGroup?: string;
  rules?: Array<{ name: string; condition: string }>;
  queue?: Record<string, unknown>;
  admission?: Array<Record<string, unknown>>;
}

export function clusterResource(name: string, spec: ClusterSpec): object {
  const { labels, ...rest } = spec;
  return {
    apiVersion: 'junction.dev/v1alpha1',
    kind: 'TrinoCluster',
    metadata: { name, labels: labels ?? {} },
    spec: { healthCheck: { intervalSeconds: 1, timeoutSeconds: 1, failureThreshold: 1 }, ...rest },
  };
}

export function groupResource(name: string, spec: GroupSpec): object {
  const { matchLabels, matchExpressions, ...rest } = spec;
  return {
    apiVersion: 'junction.dev/v1alpha1',
    kind: 'RoutingGroup',
    metadata: { name },
    spec: {
      clusterSelector: { ...(matchLabels ? { matchLabels } : {}), ...(matchExpressions ? { matchExpressions } : {}) },
      ...rest,
    },
  };
}

/** A temp directory holding a resources file and configs; JSON documents are valid YAML. */
export class Workspace {
  readonly dir = mkdtempSync(join(tmpdir(), 'junction-test-'));
  readonly resourcesFile = join(this.dir, 'resources.yaml');

  writeResources(resources: readonly object[]): void {
    writeFileSync(this.resourcesFile, resources.map((r) => JSON.stringify(r)).join('\n---\n'));
  }

  writeConfig(config: GatewayConfigInput, name = 'gateway.yaml'): string {
    const file = join(this.dir, name);
    writeFileSync(file, JSON.stringify(config, null, 2));
    return file;
  }

  /** A config on loopback with free ports, reading this workspace's resources file. */
  config(overrides: Partial<GatewayConfigInput> = {}): GatewayConfigInput {
    return {
      server: { host: '127.0.0.1', port: 0, drainTimeout: '5s' },
      // The admin views are open in tests of other features; test/e2e/admin-auth.test.ts tests the default.
      admin: { host: '127.0.0.1', port: 0, auth: { mode: 'None' } },
      resources: { files: [this.resourcesFile] },
      logging: { level: 'warn' },
      ...overrides,
    };
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function startInProcess(config: GatewayConfigInput): Promise<RunningProxy> {
  return startProxy(GatewayConfig.parse(config), silentLogger());
}

export interface ProxyProcess {
  readonly url: string;
  readonly adminUrl: string;
  readonly child: ChildProcess;
  output(): string;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Runs `node proxy/dist/main.js --config <file>` and waits until it logs its listening URLs. */
export async function spawnProxy(configFile: string, timeoutMs = 15_000): Promise<ProxyProcess> {
  const child = spawn(process.execPath, [PROXY_MAIN, '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  const urls = await new Promise<{ url: string; adminUrl: string }>((resolveUrls, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`proxy did not start within ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /junction proxy listening on (\S+) \(admin (\S+)\)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolveUrls({ url: match[1] as string, adminUrl: match[2] as string });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`proxy exited with ${code} before listening:\n${output}`));
    });
  });
  return {
    ...urls,
    child,
    output: () => output,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

export { eventually } from './wait.js';
