// Starts a throwaway PostgreSQL server for tests: initdb into a temp dir, then our own `postgres`
// process on a random loopback port (no system service, no shared data). PostgreSQL refuses to run
// as root, and tests run as root here: then initdb and postgres run as the `postgres` OS user
// (created by Debian's package) through spawn's uid/gid, in a directory owned by that user.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './ports.js';

export interface PostgresServer {
  /** postgres://junction@127.0.0.1:<port>/postgres (trust authentication on loopback). */
  readonly url: string;
  readonly port: number;
  /** A URL for `database` on this server. */
  urlFor(database: string): string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;
const MISSING =
  "PostgreSQL's initdb/postgres not found; run scripts/ensure-test-deps.sh (installs Debian's postgresql)";
const USER = 'junction';

/** The directory holding initdb and postgres: on PATH, else Debian's newest /usr/lib/postgresql/<n>/bin. */
function binDir(): string {
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((name) => existsSync(join(debian, name, 'bin', 'postgres')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0] !== undefined) return join(debian, versions[0], 'bin');
  }
  try {
    const initdb = execFileSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).trim();
    if (initdb !== '') return initdb.slice(0, initdb.lastIndexOf('/'));
  } catch {
    // not on PATH either
  }
  throw new Error(MISSING);
}

/** uid/gid to run the server as: the `postgres` user when we are root, else ourselves. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error('running as root and there is no `postgres` OS user to run PostgreSQL as');
  }
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = binDir();
  const identity = runAs();
  const dir = await mkdtemp(join(tmpdir(), 'junction-pg-'));
  if (identity !== undefined) await chown(dir, identity.uid, identity.gid);
  const data = join(dir, 'data');
  const options = { ...(identity ?? {}), env: { ...process.env, LC_ALL: 'C' }, cwd: dir };
  try {
    execFileSync(
      join(bin, 'initdb'),
      ['-D', data, '-U', USER, '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions'],
      { ...options, stdio: 'pipe' },
    );
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    const output = (error as { stderr?: Buffer }).stderr?.toString() ?? String(error);
    throw new Error(`initdb failed: ${output}`);
  }
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(
      join(bin, 'postgres'),
      ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', dir, '-c', 'fsync=off', '-c', 'synchronous_commit=off'],
      { ...options, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.removeListener('exit', killOnExit));
    const url = `postgres://${USER}@127.0.0.1:${port}/postgres`;
    try {
      await ready(url, child, () => output);
      return server(url, port, child, dir);
    } catch (error) {
      lastError = error;
      await terminate(child);
    }
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError;
}

function server(url: string, port: number, child: ChildProcess, dir: string): PostgresServer {
  const urlFor = (database: string) => url.replace(/\/postgres$/, `/${database}`);
  return {
    url,
    port,
    urlFor,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
      } finally {
        await client.end();
      }
      return urlFor(name);
    },
    async stop() {
      await terminate(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function ready(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`postgres exited early (code ${child.exitCode}):\n${output()}`);
    }
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch {
      await client.end().catch(() => {});
    }
    if (Date.now() > deadline) throw new Error(`postgres did not accept connections in time:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // SIGINT is PostgreSQL's fast shutdown: clients are disconnected, no checkpoint wait.
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
