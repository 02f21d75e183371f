// Runs the real operator (`node operator/dist/main.js --config …`) as a process for tests.
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OperatorConfigInput } from '@junction/shared';
import { request } from 'undici';
import { freePort } from './ports.js';
import { eventually, REPO_ROOT } from './proxy.js';

export const OPERATOR_MAIN = join(REPO_ROOT, 'operator/dist/main.js');

export interface OperatorProcess {
  readonly adminUrl: string;
  readonly child: ChildProcess;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function spawnOperator(
  dir: string,
  name: string,
  config: Omit<OperatorConfigInput, 'admin'>,
): Promise<OperatorProcess> {
  const port = await freePort();
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, JSON.stringify({ ...config, admin: { host: '127.0.0.1', port } }, null, 2));
  const child = spawn(process.execPath, [OPERATOR_MAIN, '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const adminUrl = `http://127.0.0.1:${port}`;
  try {
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`operator exited with ${child.exitCode}:\n${output}`);
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
    throw new Error(`${(error as Error).message}\n${output}`);
  }
  return {
    adminUrl,
    child,
    output: () => output,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
