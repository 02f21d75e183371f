// The real Trino clients the suite drives, each behind one small function: the CLI executable jar, the
// JDBC driver (test/trino/clients/JdbcClient.java), the Python `trino` package (run_query.py), and the
// npm trino-client and presto-client. scripts/trino/ensure-clients.sh installs the non-npm ones.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import presto from 'presto-client';
import { BasicAuth, Trino } from 'trino-client';
import { REPO_ROOT } from '../harness/proxy.js';
import { findTrinoInstall } from '../harness/trino-server.js';

export interface ClientInstall {
  java: string;
  cliJar: string;
  jdbcJar: string;
  python: string;
}

/** Where ensure-clients.sh put the clients (same version as the servers); throws if it has not run. */
export function findClients(): ClientInstall {
  const { version, javaHome } = findTrinoInstall();
  const dir = join(process.env['JUNCTION_CACHE'] || join(homedir(), '.cache', 'junction'), 'trino-clients', version);
  const install = {
    java: join(javaHome, 'bin', 'java'),
    cliJar: join(dir, `trino-cli-${version}-executable.jar`),
    jdbcJar: join(dir, `trino-jdbc-${version}.jar`),
    python: join(dir, 'python', 'bin', 'python'),
  };
  for (const file of [install.cliJar, install.jdbcJar, join(dir, 'python', '.complete')]) {
    if (!existsSync(file))
      throw new Error(`Trino clients not installed (${file}); run scripts/trino/ensure-clients.sh`);
  }
  return install;
}

export interface Identity {
  user?: string;
  source?: string;
  clientTags?: string[];
  /** Extra HTTP headers; only the clients that can send them (Python, npm) take these. */
  headers?: Record<string, string>;
}

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

function collect(child: ChildProcess, timeoutMs: number): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${child.spawnargs.slice(0, 4).join(' ')} timed out after ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function mustSucceed(what: string, result: Finished): string {
  if (result.code !== 0) throw new Error(`${what} exited with ${result.code}:\n${result.stderr}\n${result.stdout}`);
  return result.stdout;
}

// ---- Trino CLI -------------------------------------------------------------------------------------

export function spawnCli(server: string, sql: string, identity: Identity = {}): ChildProcess {
  const { java, cliJar } = findClients();
  const args = ['-jar', cliJar, '--server', server, '--user', identity.user ?? 'cli-user'];
  args.push('--source', identity.source ?? 'junction-cli', '--output-format', 'CSV_UNQUOTED', '--execute', sql);
  if (identity.clientTags) args.push('--client-tags', identity.clientTags.join(','));
  return spawn(java, args, { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs `sql` (statements separated by ';') with the CLI; resolves with its output lines. */
export async function runCli(server: string, sql: string, identity: Identity = {}): Promise<string[]> {
  const stdout = mustSucceed('trino-cli', await collect(spawnCli(server, sql, identity), 120_000));
  return stdout.split('\n').filter((line) => line !== '');
}

export { collect as waitForExit };

// ---- JDBC ------------------------------------------------------------------------------------------

export interface JdbcQuery {
  id: string;
  rows: string[];
  updateCount?: number;
}

export function jdbcUrl(server: string, identity: Identity = {}): string {
  const { host } = new URL(server);
  const params = new URLSearchParams({
    user: identity.user ?? 'jdbc-user',
    source: identity.source ?? 'junction-jdbc',
  });
  if (identity.clientTags) params.set('clientTags', identity.clientTags.join(','));
  return `jdbc:trino://${host}?${params}`;
}

export function spawnJdbc(url: string, mode: 'run' | 'cancel', statements: string[]): ChildProcess {
  const { java, jdbcJar } = findClients();
  const program = join(REPO_ROOT, 'test/trino/clients/JdbcClient.java');
  return spawn(java, ['-cp', jdbcJar, program, url, mode, ...statements], { stdio: ['pipe', 'pipe', 'pipe'] });
}

export async function runJdbc(server: string, statements: string[], identity: Identity = {}): Promise<JdbcQuery[]> {
  const child = spawnJdbc(jdbcUrl(server, identity), 'run', statements);
  child.stdin?.end();
  const stdout = mustSucceed('JdbcClient', await collect(child, 120_000));
  const queries: JdbcQuery[] = [];
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#query ')) queries.push({ id: line.slice(7), rows: [] });
    else if (line.startsWith('#update ')) queries.at(-1)!.updateCount = Number(line.slice(8));
    else queries.at(-1)!.rows.push(line);
  }
  return queries;
}

// ---- Python ----------------------------------------------------------------------------------------

export interface PythonQuery {
  id: string;
  rows: unknown[][];
}

function spawnPython(server: string, statements: string[], identity: Identity, cancel: boolean): ChildProcess {
  const { python } = findClients();
  const { hostname, port } = new URL(server);
  const spec = {
    host: hostname,
    port: Number(port),
    user: identity.user ?? 'python-user',
    source: identity.source ?? 'junction-python',
    client_tags: identity.clientTags,
    headers: identity.headers,
    sql: statements,
    cancel,
  };
  return spawn(python, [join(REPO_ROOT, 'test/trino/clients/run_query.py'), JSON.stringify(spec)], {
    stdio: [cancel ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
}

/** The JSON document run_query.py prints last. */
function pythonResult<T>(stdout: string): T {
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as T;
}

export async function runPython(server: string, statements: string[], identity: Identity = {}): Promise<PythonQuery[]> {
  const stdout = mustSucceed('run_query.py', await collect(spawnPython(server, statements, identity, false), 120_000));
  return pythonResult<{ queries: PythonQuery[] }>(stdout).queries;
}

/**
 * Starts `sql` with Python `trino` in a thread; `cancel()` makes the client call cursor.cancel() from
 * the main thread (as an application would) and resolves with the id it kept and the error it saw.
 */
export function startPythonCancellable(server: string, sql: string, identity: Identity = {}) {
  const child = spawnPython(server, [sql], identity, true);
  const finished = collect(child, 120_000);
  return {
    async cancel(): Promise<{ id: string | null; error: string | null }> {
      child.stdin?.end('cancel\n');
      const stdout = mustSucceed('run_query.py', await finished);
      return pythonResult<{ cancelled: { id: string | null; error: string | null } }>(stdout).cancelled;
    },
  };
}

// ---- npm: trino-client and presto-client -----------------------------------------------------------

export async function runTrinoClient(server: string, sql: string, identity: Identity = {}) {
  const trino = Trino.create({
    server,
    source: identity.source ?? 'junction-trino-client',
    auth: new BasicAuth(identity.user ?? 'node-user'),
    ...(identity.headers ? { extraHeaders: identity.headers } : {}),
  });
  const rows: unknown[][] = [];
  let id = '';
  let state = '';
  for await (const result of await trino.query(sql)) {
    if (result.error) throw new Error(`trino-client: ${result.error.errorName}: ${result.error.message}`);
    id = result.id;
    rows.push(...(result.data ?? []));
    state = result.stats?.state ?? state;
  }
  return { id, rows, state };
}

export function runPrestoClient(server: string, sql: string, identity: Identity = {}) {
  const { hostname, port } = new URL(server);
  const client = new presto.Client({
    host: hostname,
    port: Number(port),
    user: identity.user ?? 'presto-user',
    source: identity.source ?? 'junction-presto-client',
    engine: 'trino',
    checkInterval: 1,
  });
  return new Promise<{ id: string; rows: unknown[][]; state: string }>((resolve, reject) => {
    const rows: unknown[][] = [];
    let id = '';
    client.execute({
      query: sql,
      ...(identity.headers ? { headers: identity.headers } : {}),
      state: (_error, queryId) => {
        id = queryId;
      },
      data: (_error, data) => rows.push(...data),
      success: (_error, stats) => resolve({ id, rows, state: stats.state }),
      error: (error) => reject(new Error(`presto-client: ${error.message}`)),
    });
  });
}
