// The command line both programs share: `--config <file>`, `--help`, configuration errors printed
// as the named fields (exit 1, no stack trace), and SIGTERM/SIGINT → graceful close, exit 0.
import { parseArgs } from 'node:util';
import { ConfigError } from '../contract/errors.js';

export interface CliProgram<T extends { close(): Promise<void> }> {
  /** e.g. "junction-proxy" */
  readonly name: string;
  readonly usage: string;
  /** Loads the config file and starts the program. */
  start(configFile: string): Promise<T>;
  /** The line printed once it runs. */
  started(program: T): string;
}

/** Runs the program until SIGTERM/SIGINT; resolves the process exit code. */
export async function runCli<T extends { close(): Promise<void> }>(program: CliProgram<T>): Promise<number> {
  let values: { config?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${program.usage}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(program.usage);
    return 0;
  }
  if (values.config === undefined) {
    process.stderr.write(`--config is required\n\n${program.usage}`);
    return 2;
  }
  let running: T;
  try {
    running = await program.start(values.config);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${program.name}: invalid configuration:\n${error.message}\n`);
      return 1;
    }
    throw error;
  }
  process.stdout.write(`${program.started(running)}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await running.close();
  return 0;
}

/** Entry-point glue: exit with the code, or print an unexpected error's message (no stack) and exit 1. */
export function exitWith(name: string, run: Promise<number>): void {
  run.then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${name}: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
