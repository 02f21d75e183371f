// Operator processes for tests (`node operator/dist/main.js`, run `npm run build` first): spawn one
// named as a Deployment names its pods, read its metrics, and see who holds the leader Lease.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type Environment, eventually, getJson, OPERATOR_MAIN } from './support.js';

export interface OperatorProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly adminUrl: string;
  readonly exited: Promise<number | null>;
  output(): string;
}

export function runOperator(args: string[], extraEnv: Record<string, string> = {}) {
  if (!existsSync(OPERATOR_MAIN)) throw new Error(`${OPERATOR_MAIN} is missing: run \`npm run build\` first`);
  const child = spawn(process.execPath, [OPERATOR_MAIN, ...args], {
    env: { ...process.env, ...extraEnv },
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

/** Starts `node operator/dist/main.js --config <file>` with POD_NAME=`name`; resolves once it serves its admin port. */
export async function startOperator(name: string, configFile: string): Promise<OperatorProcess> {
  const { child, exited, output } = runOperator(['--config', configFile], { POD_NAME: name });
  const adminUrl = await eventually(`${name} started`, () => {
    if (child.exitCode !== null) throw new Error(`${name} exited ${child.exitCode}:\n${output()}`);
    return /started \(admin (\S+)\)/.exec(output())?.[1];
  });
  return { name, child, adminUrl, exited, output };
}

/** Sum over every series of the metric (0 when it has none). */
export async function operatorMetric(target: OperatorProcess, name: string): Promise<number> {
  const text = await (await fetch(`${target.adminUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

/** Who holds the operator's leader Lease now. */
export async function leaseHolder(env: Environment): Promise<string | undefined> {
  const lease = await getJson(env, 'lease', 'junction-operator');
  return lease.spec['holderIdentity'] as string | undefined;
}
