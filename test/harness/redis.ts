// Starts a throwaway redis-server for tests: our own process on a random loopback port, no persistence,
// so tests never depend on (or disturb) a Redis the machine may already run on 6379.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Stops (if running) and starts again on the same port; the data is lost. */
  restart(): Promise<void>;
  /** Sends `signal` to the server process: SIGSTOP/SIGCONT pause and resume it, SIGKILL kills it. */
  signal(signal: NodeJS.Signals): void;
}

const READY_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 2_000;
const missing = (binary: string) =>
  `${binary} not found; run scripts/ensure-test-deps.sh (installs Debian's ${binary})`;
const MISSING_BINARY = missing('redis-server');

export async function startRedis(options: { port?: number } = {}): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'junction-redis-'));
  // A freshly probed port can be taken before redis binds it; retry only when we chose the port.
  const attempts = options.port === undefined ? 3 : 1;
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = options.port ?? (await freePort());
    try {
      let child = await spawnRedis(port, dir);
      const stopChild = async (): Promise<void> => {
        await terminate(child);
      };
      return {
        url: `redis://127.0.0.1:${port}`,
        port,
        async stop() {
          await stopChild();
          await rm(dir, { recursive: true, force: true });
        },
        async restart() {
          await stopChild();
          await mkdir(dir, { recursive: true }); // also after stop(), which removed it
          child = await spawnRedis(port, dir);
        },
        signal(signal: NodeJS.Signals) {
          child.kill(signal);
        },
      };
    } catch (error) {
      lastError = error;
      if (error instanceof Error && error.message === MISSING_BINARY) break;
    }
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError;
}

async function spawnRedis(port: number, dir: string): Promise<ChildProcess> {
  return spawnRedisProcess(port, ['--port', String(port), '--bind', '127.0.0.1', ...NO_PERSISTENCE, '--dir', dir]);
}

/** What every throwaway server is told: keep nothing on disk. */
export const NO_PERSISTENCE = ['--save', '', '--appendonly', 'no'];

/**
 * Spawns `redis-server` (or, with `binary`, `redis-sentinel`) with `args`, and resolves once it answers
 * PING on `port`; it is SIGKILLed if the test process exits first. Also for test/harness/redis-ha.ts.
 */
export async function spawnRedisProcess(port: number, args: string[], binary = 'redis-server'): Promise<ChildProcess> {
  const child = spawn(binary, [...args, '--loglevel', 'warning'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keepTail = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-2000);
  };
  child.stdout?.on('data', keepTail);
  child.stderr?.on('data', keepTail);
  // If the test process dies without stop(), do not leave a redis-server behind.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));

  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'ENOENT' ? new Error(binary === 'redis-server' ? MISSING_BINARY : missing(binary)) : error);
    });
    child.once('exit', (code, signal) => {
      reject(new Error(`${binary} on port ${port} exited early (code ${code}, signal ${signal}):\n${output}`));
    });
  });
  failed.catch(() => {}); // only observed while waiting below; later exits are expected (stop)

  const deadline = Date.now() + READY_TIMEOUT_MS;
  try {
    while (!(await Promise.race([answersPing(port), failed]))) {
      if (Date.now() > deadline) {
        throw new Error(`${binary} on port ${port} did not answer PING within ${READY_TIMEOUT_MS} ms:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } catch (error) {
    await terminate(child);
    throw error;
  }
  return child;
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      // A server with requirepass answers NOAUTH: it is up all the same.
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG') || reply.startsWith('-NOAUTH'));
    });
  });
}

/** Stops a process from spawnRedisProcess: SIGTERM, then SIGKILL after a grace period. */
export async function terminate(child: ChildProcess): Promise<void> {
  // No pid: the spawn itself failed, so there is no process to wait for.
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}
