// Runs a program the way a pod does, without a kubelet: the ServiceAccount token, CA bundle and
// namespace files at /var/run/secrets/kubernetes.io/serviceaccount (where client-node's
// loadFromCluster() reads them) and KUBERNETES_SERVICE_HOST/PORT in a bare environment, no
// kubeconfig anywhere, as the chart's non-root uid. The files are bind-mounted in a private mount
// namespace (unshare, as root), so nothing on the host changes and other processes see nothing.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface ServiceAccountFiles {
  readonly token: string;
  readonly ca: string;
  readonly namespace: string;
}

export interface PodProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  output(): string;
  /** Replaces the token file, as the kubelet does when it rotates a projected token. */
  rotateToken(token: string): void;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Removes the projected files (after the process exited). */
  cleanup(): void;
}

/** Why this machine cannot run the in-cluster path, or undefined when it can. */
export function inClusterUnsupported(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (a private mount namespace and a bind mount)';
  const probe = spawnSync('unshare', ['--mount', '--propagation', 'private', 'true'], { encoding: 'utf8' });
  if (probe.status !== 0) return `unshare --mount failed: ${probe.stderr || probe.error?.message}`;
  return undefined;
}

/**
 * Starts `command args…` with the ServiceAccount files mounted and only `env` (plus PATH) in its
 * environment, as uid/gid `uid` (the chart runs both programs as 65532).
 */
export function spawnAsPod(
  command: string,
  args: readonly string[],
  options: {
    files: ServiceAccountFiles;
    apiserver: { host: string; port: number };
    env: Record<string, string>;
    uid?: number;
  },
): PodProcess {
  const projected = mkdtempSync(join(tmpdir(), 'junction-sa-'));
  chmodSync(projected, 0o755);
  const write = (name: string, text: string) => writeFileSync(join(projected, name), text, { mode: 0o644 });
  write('token', options.files.token);
  write('ca.crt', options.files.ca);
  write('namespace', options.files.namespace);
  const uid = String(options.uid ?? 65532);
  // /var/run is /run on Debian; a tmpfs over /run (in this namespace only) gives the mount point a home.
  const script = [
    'set -e',
    'mount -t tmpfs -o mode=0755,size=1m tmpfs /run',
    `mkdir -p ${SERVICE_ACCOUNT_DIR}`,
    `mount --bind -o ro "$0" ${SERVICE_ACCOUNT_DIR}`,
    `exec setpriv --reuid=${uid} --regid=${uid} --clear-groups -- "$@"`,
  ].join('; ');
  const child = spawn(
    'unshare',
    ['--mount', '--propagation', 'private', '--', 'sh', '-c', script, projected, command, ...args],
    {
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        HOME: '/nonexistent',
        KUBERNETES_SERVICE_HOST: options.apiserver.host,
        KUBERNETES_SERVICE_PORT: String(options.apiserver.port),
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const append = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    output: () => output,
    rotateToken: (token) => write('token', token),
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      // setpriv execs the program, so the child is the program itself by now.
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    cleanup: () => rmSync(projected, { recursive: true, force: true }),
  };
}
