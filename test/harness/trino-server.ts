// Starts real Trino coordinators for end-to-end tests: each one a single-node cluster (coordinator that
// also runs tasks) with the tpch and memory catalogs, on its own loopback port, with its own etc/ and
// data directory in a temp dir. The server itself is installed by scripts/trino/ensure-trino.sh into a
// cache outside the repository; this harness only finds it there.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { request } from 'undici';
import { freePort } from './ports.js';

export interface TrinoServer {
  name: string;
  /** http://127.0.0.1:<port>, no trailing slash. */
  url: string;
  port: number;
  /** The instance's temp dir (etc/, data/, tmp/); removed by stop(). */
  dir: string;
  /** Kills the server's process tree and removes `dir`. Safe to call twice. */
  stop(): Promise<void>;
  /** The last `lines` lines (default 60) the server printed. */
  logTail(lines?: number): string;
}

export interface TrinoInstall {
  version: string;
  /** The unpacked server (bin/launcher, lib/, plugin/). */
  home: string;
  /** The JDK the server runs on (Temurin 25 on this machine). */
  javaHome: string;
}

const REPO_ROOT = resolve(import.meta.dirname, '../..');
const ENSURE_SCRIPT = join(REPO_ROOT, 'scripts/trino/ensure-trino.sh');
const NOT_INSTALLED = 'Trino not installed; run scripts/trino/ensure-trino.sh';
const START_TIMEOUT_MS = Number(process.env['JUNCTION_TRINO_START_TIMEOUT_MS'] ?? 180_000);
const STOP_GRACE_MS = 10_000;
const LOG_LINES_KEPT = 2_000;

/**
 * Finds the Trino that scripts/trino/ensure-trino.sh installed: the version pinned in that script, under
 * ${JUNCTION_CACHE:-~/.cache/junction}/trino/<version>/. TRINO_JAVA_HOME overrides the recorded JDK.
 */
export function findTrinoInstall(): TrinoInstall {
  const pinned = /^TRINO_VERSION=(\S+)\s*$/m.exec(readFileSync(ENSURE_SCRIPT, 'utf8'))?.[1];
  if (pinned === undefined) throw new Error(`no TRINO_VERSION=... line in ${ENSURE_SCRIPT}`);
  const version = pinned.replace(/^["']|["']$/g, '');
  const cacheRoot = process.env['JUNCTION_CACHE'] || join(homedir(), '.cache', 'junction');
  const installDir = join(cacheRoot, 'trino', version);
  const home = join(installDir, 'server');
  const javaHomeFile = join(installDir, 'java-home');
  if (!existsSync(join(home, '.complete')) || !existsSync(javaHomeFile)) {
    throw new Error(`${NOT_INSTALLED} (looked for Trino ${version} in ${installDir})`);
  }
  const javaHome = process.env['TRINO_JAVA_HOME'] || readFileSync(javaHomeFile, 'utf8').trim();
  if (!existsSync(join(javaHome, 'bin', 'java'))) {
    throw new Error(`${NOT_INSTALLED} (the recorded JDK ${javaHome} has no bin/java)`);
  }
  return { version, home, javaHome };
}

/**
 * Starts one coordinator and resolves once GET /v1/info reports `"starting": false` and a tpch query runs
 * (the coordinator schedules work on itself only once it has seen its own announcement).
 */
export async function startTrino(options: { name: string; port?: number }): Promise<TrinoServer> {
  const install = findTrinoInstall();
  // A probed free port can be taken before Trino binds it; retry only when we chose the port.
  const attempts = options.port === undefined ? 3 : 1;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const port = options.port ?? (await freePort());
    try {
      return await launch(install, options.name, port);
    } catch (error) {
      lastError = error;
      if (!(error instanceof PortTakenError)) throw error;
      progress(options.name, `port ${port} was taken; retrying on another`);
    }
  }
  throw lastError;
}

/** Starts one coordinator per name in parallel; if any fails, stops the others and rethrows. */
export async function startTrinoClusters(names: string[]): Promise<TrinoServer[]> {
  const results = await Promise.allSettled(names.map((name) => startTrino({ name })));
  const failures = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failures.length === 0) {
    return results.map((result) => (result as PromiseFulfilledResult<TrinoServer>).value);
  }
  await Promise.all(results.map((result) => (result.status === 'fulfilled' ? result.value.stop() : Promise.resolve())));
  const first = failures[0]!.reason;
  if (failures.length === 1) throw first;
  const messages = failures.map((failure) => String(failure.reason?.message ?? failure.reason));
  throw new Error(`${failures.length} of ${names.length} Trino clusters failed to start:\n${messages.join('\n\n')}`);
}

class PortTakenError extends Error {}

async function launch(install: TrinoInstall, name: string, port: number): Promise<TrinoServer> {
  const dir = await mkdtemp(join(tmpdir(), `junction-trino-${name.replace(/[^A-Za-z0-9_-]/g, '_')}-`));
  const etc = join(dir, 'etc');
  await writeConfig(etc, dir, name, port);
  await mkdir(join(dir, 'tmp'), { recursive: true });

  const started = Date.now();
  progress(name, `starting Trino ${install.version} on port ${port} (JDK ${install.javaHome}, dir ${dir})`);
  const child = spawn(
    join(install.home, 'bin', 'launcher'),
    ['run', `--etc-dir=${etc}`, `--data-dir=${join(dir, 'data')}`],
    {
      cwd: dir,
      // Its own process group, so stop() can signal the launcher and the JVM together.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        JAVA_HOME: install.javaHome,
        PATH: `${join(install.javaHome, 'bin')}:${process.env['PATH'] ?? ''}`,
      },
    },
  );
  const log = new LogBuffer();
  child.stdout?.on('data', (chunk: Buffer) => log.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => log.push(chunk));
  // If the test process dies without stop(), do not leave a JVM behind.
  const killOnExit = (): void => killGroup(child, 'SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await terminate(child);
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await waitUntilStarted(name, port, child, log);
  } catch (error) {
    await stop();
    throw error;
  }
  progress(name, `ready at http://127.0.0.1:${port} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    port,
    dir,
    stop,
    logTail: (lines = 60) => log.tail(lines),
  };
}

async function writeConfig(etc: string, dir: string, name: string, port: number): Promise<void> {
  await mkdir(join(etc, 'catalog'), { recursive: true });
  const files: Record<string, string[]> = {
    'node.properties': [
      'node.environment=junction_test',
      `node.id=${name.replace(/[^A-Za-z0-9_-]/g, '_')}-${randomUUID()}`,
      `node.data-dir=${join(dir, 'data')}`,
      // Announce and bind on loopback only: tests never reach Trino from another host.
      'node.internal-address=127.0.0.1',
      'node.bind-ip=127.0.0.1',
    ],
    // Two coordinators share 2 cores and a few GB: a 1 GB heap each is plenty for tpch.tiny and
    // small memory tables. The rest are the flags Trino's deployment docs require or recommend.
    'jvm.config': [
      '-server',
      '-Xmx1G',
      '-Xms256M',
      '-XX:+UseG1GC',
      '-XX:G1HeapRegionSize=32M',
      '-XX:+ExplicitGCInvokesConcurrent',
      '-XX:+ExitOnOutOfMemoryError',
      '-XX:-OmitStackTraceInFastThrow',
      '-XX:ReservedCodeCacheSize=256M',
      '-XX:PerMethodRecompilationCutoff=10000',
      '-XX:PerBytecodeRecompilationCutoff=10000',
      '-XX:+EnableDynamicAgentLoading',
      '-Djdk.attach.allowAttachSelf=true',
      '-Djdk.nio.maxCachedBufferSize=2000000',
      '-Dfile.encoding=UTF-8',
      `-Djava.io.tmpdir=${join(dir, 'tmp')}`,
    ],
    'config.properties': [
      'coordinator=true',
      'node-scheduler.include-coordinator=true',
      `http-server.http.port=${port}`,
      `discovery.uri=http://127.0.0.1:${port}`,
      // Honour X-Forwarded-* from the gateway when building nextUri/infoUri.
      'http-server.process-forwarded=true',
      'http-server.log.enabled=false',
      'query.max-memory=256MB',
      'query.max-memory-per-node=256MB',
      'memory.heap-headroom-per-node=256MB',
    ],
    'log.properties': ['io.trino=INFO'],
    'catalog/tpch.properties': ['connector.name=tpch'],
    'catalog/memory.properties': ['connector.name=memory', 'memory.max-data-per-node=128MB'],
  };
  for (const [file, lines] of Object.entries(files)) {
    await writeFile(join(etc, file), `${lines.join('\n')}\n`);
  }
}

async function waitUntilStarted(name: string, port: number, child: ChildProcess, log: LogBuffer): Promise<void> {
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError: Error | undefined;
  child.once('exit', (code, signal) => {
    exited = { code, signal };
  });
  child.once('error', (error) => {
    spawnError = error;
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  let lastState = 'GET /v1/info: no answer yet';
  let nextReport = Date.now() + 15_000;
  let infoStartedAt: number | undefined;
  for (;;) {
    if (spawnError) throw new Error(`Trino '${name}' could not be launched: ${spawnError.message}`);
    if (exited) {
      const tail = log.tail(60);
      if (/Address already in use|BindException/.test(tail)) throw new PortTakenError(`port ${port} taken`);
      throw new Error(
        `Trino '${name}' on port ${port} exited during start-up (code ${exited.code}, signal ${exited.signal}). ` +
          `Log tail:\n${tail}`,
      );
    }
    const info = await getInfo(port);
    if (info?.starting === false) {
      // "starting": false comes before the coordinator has seen its own announcement; until then
      // queries fail with NO_NODES_AVAILABLE ("nodes is empty"). Ready means a tpch query runs.
      infoStartedAt ??= Date.now();
      const probe = await probeQuery(port);
      if (probe.ok) {
        const lag = ((Date.now() - infoStartedAt) / 1000).toFixed(1);
        progress(name, `/v1/info said started ${lag} s before the first query ran`);
        return;
      }
      lastState = `GET /v1/info: starting=false; probe query: ${probe.detail}`;
    } else if (info) {
      lastState = `GET /v1/info: starting=${String(info.starting)}`;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Trino '${name}' on port ${port} did not finish starting within ${START_TIMEOUT_MS / 1000} s ` +
          `(${lastState}). Log tail:\n${log.tail(60)}`,
      );
    }
    if (Date.now() > nextReport) {
      progress(name, `still starting (${lastState}); last log line: ${log.tail(1)}`);
      nextReport = Date.now() + 15_000;
    }
    await new Promise((done) => setTimeout(done, 500));
  }
}

async function getInfo(port: number): Promise<{ starting?: unknown } | undefined> {
  try {
    const response = await request(`http://127.0.0.1:${port}/v1/info`, {
      headersTimeout: 2_000,
      bodyTimeout: 2_000,
    });
    const text = await response.body.text();
    if (response.statusCode !== 200) return undefined;
    return JSON.parse(text) as { starting?: unknown };
  } catch {
    return undefined; // not listening yet
  }
}

const PROBE_SQL = 'SELECT count(*) FROM tpch.tiny.region';

/** Runs PROBE_SQL through the plain client protocol; ok when it finishes with the 5 regions. */
async function probeQuery(port: number): Promise<{ ok: boolean; detail: string }> {
  try {
    const headers = { 'x-trino-user': 'junction-harness', 'x-trino-source': 'junction-harness' };
    let response = await request(`http://127.0.0.1:${port}/v1/statement`, { method: 'POST', headers, body: PROBE_SQL });
    const rows: unknown[][] = [];
    for (let page = 0; page < 1000; page++) {
      const text = await response.body.text();
      if (response.statusCode !== 200) return { ok: false, detail: `HTTP ${response.statusCode}` };
      const body = JSON.parse(text) as ProbePage;
      if (body.error) return { ok: false, detail: `${body.error.errorName}: ${body.error.message}` };
      rows.push(...(body.data ?? []));
      if (body.nextUri === undefined) {
        const ok = rows.length === 1 && rows[0]?.[0] === 5;
        return { ok, detail: `${body.stats?.state} with rows ${JSON.stringify(rows)}` };
      }
      response = await request(body.nextUri, { headers });
    }
    return { ok: false, detail: 'too many pages' };
  } catch (error) {
    return { ok: false, detail: String(error) };
  }
}

interface ProbePage {
  nextUri?: string;
  data?: unknown[][];
  error?: { errorName?: string; message?: string };
  stats?: { state?: string };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.pid === undefined) return;
  const running = child.exitCode === null && child.signalCode === null;
  if (running) {
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }
  // Anything left in the group (the launcher may have forked the JVM) goes too.
  killGroup(child, 'SIGKILL');
}

function progress(name: string, message: string): void {
  process.stderr.write(`[trino ${name}] ${message}\n`);
}

/** Keeps the last LOG_LINES_KEPT lines of the server's output. */
class LogBuffer {
  private lines: string[] = [];
  private partial = '';

  push(chunk: Buffer): void {
    const parts = (this.partial + chunk.toString()).split('\n');
    this.partial = parts.pop() ?? '';
    this.lines.push(...parts);
    if (this.lines.length > LOG_LINES_KEPT) this.lines.splice(0, this.lines.length - LOG_LINES_KEPT);
  }

  tail(count: number): string {
    const all = this.partial === '' ? this.lines : [...this.lines, this.partial];
    return all.slice(-count).join('\n');
  }
}
