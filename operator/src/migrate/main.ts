#!/usr/bin/env node
// Command-line entry point: `node operator/dist/migrate/main.js rules|backends <file> [options]`.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { exitWith, RoutingStrategy } from '@junction/shared';
import { migrate, type SourceFile } from './migration.js';
import { isLabelKey } from './resources.js';

const NAME = 'junction-migrate';

const USAGE = `Usage: junction-migrate rules <rules.yaml> [options]
       junction-migrate backends <backends.json> [--rules <rules.yaml>] [options]

Converts a Trino Gateway setup into Junction resources, written as multi-document YAML.

  rules      Trino Gateway routing rules (MVEL; one rule per YAML document) → RoutingGroups
             with CEL rules that choose the same group. Trino Gateway lets the last matching
             rule win, Junction the first: the rules are reordered, and guarded where needed.
  backends   Trino Gateway backends as exported by GET /gateway/backend/all (JSON or YAML;
             rows of the gateway_backend table work too) → TrinoClusters labelled with their
             routing group, and one RoutingGroup per group that selects them by that label.

Options:
  -o, --out <file>            write the resources to <file> instead of stdout
      --rules <rules.yaml>    with backends: convert these rules into the same RoutingGroups
      --default-group <name>  Trino Gateway's routing.defaultRoutingGroup (default: adhoc)
      --label <key>           TrinoCluster label that names the routing group (default: pool)
      --strategy <name>       RoutingGroup strategy: Random (as Trino Gateway's default
                              router), LeastLoaded or RoundRobin (default: Random)
      --skip-unconvertible    write what converts and list what was skipped
  -h, --help                  show this help

Anything that cannot be converted is printed as file:line with the reason, nothing is written
and the exit status is 1, unless --skip-unconvertible is given. Notes on edge cases in which a
converted rule can behave differently go to stderr and into the output's header comment.
`;

function usageError(message: string): number {
  process.stderr.write(`${NAME}: ${message}\n\n${USAGE}`);
  return 2;
}

function read(file: string): SourceFile {
  try {
    return { file, text: readFileSync(file, 'utf8') };
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

async function main(args: readonly string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    return usageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const [command, file, ...rest] = positionals;
  if (command !== 'rules' && command !== 'backends') return usageError('the command must be rules or backends');
  if (file === undefined || rest.length > 0) return usageError(`${command} takes exactly one input file`);
  if (command === 'rules' && values.rules !== undefined) return usageError('--rules only goes with backends');
  const strategy = RoutingStrategy.safeParse(values.strategy);
  if (!strategy.success) return usageError(`--strategy must be one of ${RoutingStrategy.options.join(', ')}`);
  if (!isLabelKey(values.label)) return usageError(`--label "${values.label}" is not a Kubernetes label key`);

  const rulesFile = command === 'rules' ? file : values.rules;
  const result = migrate({
    rules: rulesFile === undefined ? undefined : read(rulesFile),
    backends: command === 'backends' ? read(file) : undefined,
    options: { defaultGroup: values['default-group'], labelKey: values.label, strategy: strategy.data },
    skipUnconvertible: values['skip-unconvertible'],
  });
  const say = (line: string) => process.stderr.write(`${line}\n`);
  for (const message of result.fatal) say(`${NAME}: ${message}`);
  const skipping = values['skip-unconvertible'] && result.fatal.length === 0;
  for (const message of result.unconvertible) say(`${skipping ? 'skipped' : 'not convertible'}: ${message}`);
  for (const note of result.notes) say(`note: ${note}`);
  if (result.output === undefined) {
    if (result.fatal.length === 0) say(`${NAME}: nothing written; fix the rules above or pass --skip-unconvertible`);
    return 1;
  }
  if (values.out === undefined) process.stdout.write(result.output);
  else writeFileSync(values.out, result.output);
  const { clusters, groups, rules } = result.counts;
  say(
    `${NAME}: ${clusters} TrinoCluster(s), ${groups} RoutingGroup(s) with ${rules} rule(s) → ${values.out ?? 'stdout'}`,
  );
  return 0;
}

function parse(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: {
      out: { type: 'string', short: 'o' },
      rules: { type: 'string' },
      'default-group': { type: 'string', default: 'adhoc' },
      label: { type: 'string', default: 'pool' },
      strategy: { type: 'string', default: 'Random' },
      'skip-unconvertible': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

exitWith(NAME, main(process.argv.slice(2)));
