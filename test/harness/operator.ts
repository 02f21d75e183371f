// Runs the real operator (`node operator/dist/main.js --config …`) as a process for tests, and reads
// what tests ask of a running one: its metrics and who holds the leader Lease.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OperatorConfigInput } from '@junction/shared';
import { request } from 'undici';
import { freePort } from './ports.js';
import { eventually, REPO_ROOT } from './proxy.js';

export const OPERATOR_MAIN = join(REPO_ROOT, 'operator/dist/main.js');

export interface OperatorProcess {
  /** The name it was started under (also its POD_NAME, when the caller sets one). */
  readonly name: string;
  readonly adminUrl: string;
  readonly child: ChildProcess;
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number | null>;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** `node operator/dist/main.js <args>` with `env` added; for CLI tests (--help, bad configs) and spawnOperator. */
export function runOperator(args: string[], env: Record<string, string> = {}) {
  if (!existsSync(OPERATOR_MAIN)) throw new Error(`${OPERATOR_MAIN} is missing: run \`npm run build\` first`);
  const child = spawn(process.execPath, [OPERATOR_MAIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

/** Starts an operator on `config` (admin on a free loopback port) and resolves once /livez answers. */
export async function spawnOperator(
  dir: string,
  name: string,
  config: Omit<OperatorConfigInput, 'admin'>,
  env: Record<string, string> = {},
): Promise<OperatorProcess> {
  const port = await freePort();
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, JSON.stringify({ ...config, admin: { host: '127.0.0.1', port } }, null, 2));
  const { child, exited, output } = runOperator(['--config', file], env);
  const adminUrl = `http://127.0.0.1:${port}`;
  try {
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`operator exited with ${child.exitCode}:\n${output()}`);
        try {
          return (await request(`${adminUrl}/livez`)).statusCode === 200;
        } catch {
          return false;
        }
      },
      20_000,
      100,
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${output()}`);
  }
  return {
    name,
    adminUrl,
    child,
    exited,
    output,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
