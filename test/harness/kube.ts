// Starts a real, throwaway Kubernetes control plane for tests: our own etcd and kube-apiserver on random
// loopback ports, state in a temp dir, no controller manager, scheduler or kubelet. Enough for CRDs,
// custom resources (with status subresources), Leases, Events, RBAC checks and watches.
// The binaries come from scripts/kube/ensure-control-plane.sh (etcd from Debian, kube-apiserver built
// from the Go module proxy into ${JUNCTION_CACHE:-~/.cache/junction}/kube/<version>/bin).
import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { freePorts } from './ports.js';

export interface ControlPlane {
  /** Path of a kubeconfig file (admin user, namespace preselected when one was given). */
  kubeconfig: string;
  /** `https://127.0.0.1:<port>` */
  server: string;
  /** Bearer token of the admin user (group system:masters). */
  token: string;
  /** PEM of the CA that signed the apiserver's serving certificate (also in the kubeconfig). */
  ca: string;
  /** Temp dir holding etcd's data, keys, certificates and logs; removed by stop(). */
  dir: string;
  /** Runs kubectl against this control plane; never throws for a non-zero exit code. */
  kubectl(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

export interface ControlPlaneBinaries {
  /** Kubernetes release of the cached kube-apiserver, e.g. v1.32.13. */
  version: string;
  etcd: string;
  kubeApiserver: string;
  kubectl: string;
}

const REPO_ROOT = resolve(import.meta.dirname, '../..');
const ENSURE_SCRIPT = join(REPO_ROOT, 'scripts/kube/ensure-control-plane.sh');
const HINT = 'run scripts/kube/ensure-control-plane.sh';
const ETCD_READY_TIMEOUT_MS = 20_000;
const APISERVER_READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;
const LOG_TAIL_CHARS = 6_000;

/**
 * Where the control plane's programs are: the same cache path logic as ensure-control-plane.sh
 * (JUNCTION_CACHE, JUNCTION_KUBE_VERSION, else the KUBE_VERSION pinned in the script).
 * Throws with a hint to run the script when something is missing.
 */
export function controlPlaneBinaries(): ControlPlaneBinaries {
  const version = process.env['JUNCTION_KUBE_VERSION'] || pinnedVersion();
  const cacheRoot = join(process.env['JUNCTION_CACHE'] || join(homedir(), '.cache', 'junction'), 'kube');
  const binDir = join(cacheRoot, version, 'bin');
  const kubeApiserver = join(binDir, 'kube-apiserver');
  if (!existsSync(kubeApiserver)) throw new Error(`kube-apiserver not built; ${HINT} (looked for ${kubeApiserver})`);
  const etcd = onPath('etcd');
  if (etcd === undefined) throw new Error(`etcd not found on PATH; ${HINT} (installs Debian's etcd-server)`);
  const kubectl = onPath('kubectl') ?? (existsSync(join(binDir, 'kubectl')) ? join(binDir, 'kubectl') : undefined);
  if (kubectl === undefined) throw new Error(`kubectl not found on PATH or in ${binDir}; ${HINT}`);
  return { version, etcd, kubeApiserver, kubectl };
}

function pinnedVersion(): string {
  let script: string;
  try {
    script = readFileSync(ENSURE_SCRIPT, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${ENSURE_SCRIPT} to find the pinned Kubernetes version: ${String(error)}`);
  }
  const match = /^KUBE_VERSION="\$\{JUNCTION_KUBE_VERSION:-(v\d+\.\d+\.\d+)\}"$/m.exec(script);
  if (!match?.[1]) throw new Error(`no KUBE_VERSION="\${JUNCTION_KUBE_VERSION:-vX.Y.Z}" line in ${ENSURE_SCRIPT}`);
  return match[1];
}

function onPath(name: string): string | undefined {
  for (const entry of (process.env['PATH'] ?? '').split(delimiter)) {
    if (entry === '') continue;
    const candidate = join(entry, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Starts etcd and kube-apiserver, waits until /readyz passes and the `default` namespace exists,
 * writes a kubeconfig and creates `options.namespace` if given. Always call stop() (afterAll).
 */
export async function startControlPlane(options: { namespace?: string } = {}): Promise<ControlPlane> {
  const binaries = controlPlaneBinaries();
  // tmpfs when available: etcd fsyncs every write, which is slow on a shared disk and pointless here.
  const base = existsSync('/dev/shm') && (await writable('/dev/shm')) ? '/dev/shm' : tmpdir();
  const dir = await mkdtemp(join(base, 'junction-kube-'));
  const processes: Proc[] = [];
  const stopAll = async (): Promise<void> => {
    for (const proc of processes.reverse()) await proc.stop();
    processes.length = 0;
  };
  try {
    // A freshly probed port can be taken before etcd binds it; etcd then exits, so try again.
    let etcd: { proc: Proc; url: string } | undefined;
    for (let attempt = 1; etcd === undefined; attempt++) {
      try {
        etcd = await startEtcd(binaries.etcd, dir, attempt);
      } catch (error) {
        if (attempt >= 3) throw error;
      }
    }
    processes.push(etcd.proc);

    const token = randomBytes(24).toString('hex');
    const files = await writeApiserverInputs(dir, token);
    let apiserver: { proc: Proc; port: number } | undefined;
    for (let attempt = 1; apiserver === undefined; attempt++) {
      try {
        apiserver = await startApiserver(binaries.kubeApiserver, dir, etcd.url, files, token, attempt);
      } catch (error) {
        if (attempt >= 2 || !(error instanceof PortInUse)) throw error;
      }
    }
    processes.push(apiserver.proc);

    const server = `https://127.0.0.1:${apiserver.port}`;
    const ca = await servingCa(join(dir, 'certs'));
    const api = (method: string, path: string, body?: unknown) => apiRequest(server, token, ca, method, path, body);
    await waitFor('the default namespace', APISERVER_READY_TIMEOUT_MS, apiserver.proc, async () => {
      return (await api('GET', '/api/v1/namespaces/default')).status === 200;
    });
    if (options.namespace !== undefined) {
      const created = await api('POST', '/api/v1/namespaces', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: options.namespace },
      });
      if (created.status !== 201 && created.status !== 409) {
        throw new Error(`creating namespace ${options.namespace} failed: HTTP ${created.status} ${created.body}`);
      }
    }

    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(kubeconfig, kubeconfigYaml(server, token, ca, options.namespace), { mode: 0o600 });
    const cacheDir = join(dir, 'kubectl-cache');
    let stopped: Promise<void> | undefined;
    return {
      kubeconfig,
      server,
      token,
      ca,
      dir,
      kubectl: (args, input) =>
        run(binaries.kubectl, ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args], input),
      stop() {
        stopped ??= (async () => {
          await stopAll();
          await rm(dir, { recursive: true, force: true });
        })();
        return stopped;
      },
    };
  } catch (error) {
    await stopAll();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function writable(path: string): Promise<boolean> {
  try {
    await access(path, 2 /* W_OK */);
    return true;
  } catch {
    return false;
  }
}

async function startEtcd(binary: string, dir: string, attempt: number): Promise<{ proc: Proc; url: string }> {
  const [clientPort, peerPort] = await freePorts(2);
  const url = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const dataDir = join(dir, `etcd-${attempt}`);
  const proc = spawnLogged('etcd', binary, join(dir, `etcd-${attempt}.log`), [
    '--name=junction-test',
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${url}`,
    `--advertise-client-urls=${url}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=junction-test=${peer}`,
    '--initial-cluster-state=new',
    '--logger=zap',
    '--log-level=warn',
  ]);
  try {
    await waitFor('etcd /health', ETCD_READY_TIMEOUT_MS, proc, async () => {
      const health = await plainGet(`${url}/health`);
      return health.status === 200 && /"health":\s*"true"/.test(health.body);
    });
  } catch (error) {
    await proc.stop();
    throw error;
  }
  return { proc, url };
}

interface ApiserverFiles {
  saPublicKey: string;
  saPrivateKey: string;
  tokens: string;
}

async function writeApiserverInputs(dir: string, token: string): Promise<ApiserverFiles> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const files = {
    saPublicKey: join(dir, 'sa.pub'),
    saPrivateKey: join(dir, 'sa.key'),
    tokens: join(dir, 'tokens.csv'),
  };
  await writeFile(files.saPublicKey, publicKey);
  await writeFile(files.saPrivateKey, privateKey, { mode: 0o600 });
  // token,user,uid,"group1,group2"
  await writeFile(files.tokens, `${token},junction-admin,junction-admin,"system:masters"\n`, { mode: 0o600 });
  return files;
}

class PortInUse extends Error {}

async function startApiserver(
  binary: string,
  dir: string,
  etcdUrl: string,
  files: ApiserverFiles,
  token: string,
  attempt: number,
): Promise<{ proc: Proc; port: number }> {
  const port = (await freePorts(1))[0]!;
  const proc = spawnLogged('kube-apiserver', binary, join(dir, `kube-apiserver-${attempt}.log`), [
    `--etcd-servers=${etcdUrl}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${port}`,
    // Self-signed serving certificate (with its CA in the same file) for 127.0.0.1 and localhost.
    `--cert-dir=${join(dir, 'certs')}`,
    `--token-auth-file=${files.tokens}`,
    '--authorization-mode=RBAC',
    `--service-account-key-file=${files.saPublicKey}`,
    `--service-account-signing-key-file=${files.saPrivateKey}`,
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    '--service-cluster-ip-range=10.0.0.0/24',
    '--allow-privileged=true',
    // There is no controller manager: the ServiceAccount admission plugin would reject pods whose
    // service account nobody creates. NamespaceLifecycle and the other defaults stay on.
    '--disable-admission-plugins=ServiceAccount',
    // The default `kubernetes` Service gets no Endpoints: 127.0.0.1 is not a valid endpoint address
    // and the reconciler would log an error every 10 s.
    '--endpoint-reconciler-type=none',
    // Less background work on a shared 2-core machine; nothing here tests API priority and fairness.
    '--enable-priority-and-fairness=false',
    '--profiling=false',
    '--v=1',
  ]);
  try {
    await waitFor('kube-apiserver /readyz', APISERVER_READY_TIMEOUT_MS, proc, async () => {
      const ready = await insecureGet(`https://127.0.0.1:${port}/readyz`, token);
      return ready.status === 200;
    });
  } catch (error) {
    await proc.stop();
    if (/address already in use/.test(proc.tail())) throw new PortInUse(String(error));
    throw error;
  }
  return { proc, port };
}

// The serving certificate file from --cert-dir holds the certificate followed by the CA that signed it.
async function servingCa(certDir: string): Promise<string> {
  const bundle = await readFile(join(certDir, 'apiserver.crt'), 'utf8');
  const certificates = bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];
  const ca = certificates[certificates.length - 1];
  if (ca === undefined) throw new Error(`no certificate in ${join(certDir, 'apiserver.crt')}`);
  return ca.endsWith('\n') ? ca : `${ca}\n`;
}

function kubeconfigYaml(server: string, token: string, ca: string, namespace?: string): string {
  const caData = Buffer.from(ca).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '  - name: junction-test',
    '    cluster:',
    `      server: ${server}`,
    `      certificate-authority-data: ${caData}`,
    'users:',
    '  - name: junction-admin',
    '    user:',
    `      token: ${token}`,
    'contexts:',
    '  - name: junction-test',
    '    context:',
    '      cluster: junction-test',
    '      user: junction-admin',
    ...(namespace === undefined ? [] : [`      namespace: ${namespace}`]),
    'current-context: junction-test',
    '',
  ].join('\n');
}

interface Proc {
  child: ChildProcess;
  /** The last few KB of the process' output. */
  tail(): string;
  /** Rejects once the process exits (used while waiting for readiness). */
  exited: Promise<never>;
  stop(): Promise<void>;
}

function spawnLogged(name: string, binary: string, logFile: string, args: string[]): Proc {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(logFile);
  log.on('error', () => {}); // the dir may be removed while the last lines are written
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-LOG_TAIL_CHARS);
    log.write(chunk);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  // If the test process dies without stop(), do not leave servers behind.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  child.once('exit', () => {
    process.removeListener('exit', killOnExit);
    log.end();
  });
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'ENOENT' ? new Error(`${binary} not found; ${HINT}`) : error);
    });
    child.once('exit', (code, signal) => {
      reject(new Error(`${name} exited (code ${code}, signal ${signal}); last output:\n${output}`));
    });
  });
  exited.catch(() => {}); // only observed while waiting for readiness; later exits are expected (stop)
  return {
    child,
    tail: () => output,
    exited,
    async stop() {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((done) => child.once('exit', () => done()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await gone;
      clearTimeout(timer);
    },
  };
}

async function waitFor(what: string, timeoutMs: number, proc: Proc, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    try {
      if (await Promise.race([check(), proc.exited])) return;
    } catch (error) {
      if (proc.child.exitCode !== null || proc.child.signalCode !== null) throw error;
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) {
      const detail = lastError === '' ? '' : ` (last error: ${lastError})`;
      throw new Error(`${what} not ready within ${timeoutMs / 1000} s${detail}; last output:\n${proc.tail()}`);
    }
    await new Promise((done) => setTimeout(done, 250));
  }
}

interface HttpResult {
  status: number;
  body: string;
}

function plainGet(url: string): Promise<HttpResult> {
  return new Promise((done, reject) => {
    const req = httpRequest(url, { timeout: 2_000 }, (res) => collect(res, done, reject));
    req.once('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.once('error', reject);
    req.end();
  });
}

// Only used before the serving certificate exists on disk; afterwards requests verify it.
function insecureGet(url: string, token: string): Promise<HttpResult> {
  return new Promise((done, reject) => {
    const req = httpsRequest(
      url,
      { rejectUnauthorized: false, timeout: 5_000, headers: { authorization: `Bearer ${token}` } },
      (res) => collect(res, done, reject),
    );
    req.once('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.once('error', reject);
    req.end();
  });
}

function apiRequest(
  server: string,
  token: string,
  ca: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<HttpResult> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((done, reject) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (payload !== undefined) headers['content-type'] = 'application/json';
    const req = httpsRequest(`${server}${path}`, { method, ca, headers, timeout: 10_000 }, (res) =>
      collect(res, done, reject),
    );
    req.once('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.once('error', reject);
    req.end(payload);
  });
}

function collect(res: IncomingMessage, done: (result: HttpResult) => void, reject: (error: Error) => void): void {
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    body += chunk;
  });
  res.once('end', () => done({ status: res.statusCode ?? 0, body }));
  res.once('error', reject);
}

function run(
  binary: string,
  args: string[],
  input?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done, reject) => {
    const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('close', (code, signal) => done({ code: code ?? (signal === null ? 0 : 128), stdout, stderr }));
    child.stdin.on('error', () => {}); // kubectl may exit before reading all of its input
    child.stdin.end(input ?? '');
  });
}
