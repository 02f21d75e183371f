// One migration run without I/O: Trino Gateway rules and/or backends (file name + text) in,
// Junction manifests (multi-document YAML) and a report out. Nothing is written when anything
// could not be converted, unless skipping was asked for; then the report lists what was skipped.
import { ConfigError, compileRule, parseResources } from '@junction/shared';
import { stringify } from 'yaml';
import { convertBackends } from './backends.js';
import { print, usesSql } from './cel.js';
import { convertRules } from './convert-rules.js';
import { type PlacedRule, type Placement, placeWrites } from './ordering.js';
import { type MigrationOptions, ResourceNames, routingGroupManifest } from './resources.js';
import { readRulesFile } from './rules-file.js';

export interface SourceFile {
  readonly file: string;
  readonly text: string;
}

export interface MigrationInput {
  readonly rules?: SourceFile;
  readonly backends?: SourceFile;
  readonly options: MigrationOptions;
  readonly skipUnconvertible: boolean;
}

export interface MigrationResult {
  /** The manifests; undefined when nothing may be written. */
  readonly output: string | undefined;
  /** What could not be converted: `file:line: rule "name": reason`. */
  readonly unconvertible: readonly string[];
  /** Errors that stop the run whatever the options. */
  readonly fatal: readonly string[];
  /** Edge cases where a converted rule can behave differently, and other remarks. */
  readonly notes: readonly string[];
  readonly counts: { readonly clusters: number; readonly groups: number; readonly rules: number };
}

const SQL_NOTE =
  'rules that read sql.* need the SQL facts of the statement: Junction parses it for them, and a statement over ' +
  'routing.sqlFacts.maxBytes or its time budget is routed with sql.parsed false (and empty sets)';
const HEADER_NOTE =
  'Trino Gateway ignores X-Trino-Routing-Group when its rules engine is on; set routing.honorRoutingGroupHeader: ' +
  'false in the Junction gateway config to do the same';

export function migrate(input: MigrationInput): MigrationResult {
  const { options } = input;
  const clusterNames = new ResourceNames('TrinoCluster', 253);
  const groupNames = new ResourceNames('RoutingGroup', 63);
  const fatal: string[] = [];
  const unconvertible: string[] = [];
  const notes: string[] = [];
  const defaultName = groupNames.resolve(options.defaultGroup);
  if (!defaultName.ok) fatal.push(`--default-group: ${defaultName.reason}`);

  let clusters: readonly object[] = [];
  const groups: string[] = [options.defaultGroup];
  if (input.backends !== undefined) {
    const { file, text } = input.backends;
    const converted = convertBackends(text, options, clusterNames, groupNames);
    fatal.push(...converted.fatal.map((message) => `${file}: ${message}`));
    for (const p of converted.problems)
      unconvertible.push(`${file}:${p.line}: backend "${p.backend ?? '?'}": ${p.reason}`);
    notes.push(...converted.notes.map((note) => `${file}: ${note}`));
    clusters = converted.clusters;
    groups.push(...converted.groups);
  }

  let placement: Placement = { order: [], rules: new Map(), notes: [] };
  if (input.rules !== undefined) {
    const { file, text } = input.rules;
    const read = readRulesFile(text);
    fatal.push(...read.syntaxErrors.map((message) => `${file}: ${message}`));
    const converted = convertRules(read.rules);
    const failed = new Map<string, { line: number; text: string }>(); // by rule name
    const problems = [...read.problems, ...converted.problems];
    const ruleProblems = problems.map((p) => ({
      line: p.line,
      text: `${file}:${p.line}: rule "${p.rule ?? '?'}": ${p.reason}`,
    }));
    for (const n of converted.notes) notes.push(`${file}:${n.line}: rule "${n.rule}": ${n.note}`);
    let writes = converted.writes.filter((w) => {
      const group = w.group === '' ? defaultName : groupNames.resolve(w.group);
      if (!group.ok) failed.set(w.rule, { line: w.line, text: `${file}:${w.line}: rule "${w.rule}": ${group.reason}` });
      return group.ok;
    });
    // A rule is converted whole or not at all; CEL that does not compile would be a converter bug.
    for (;;) {
      writes = writes.filter((w) => !failed.has(w.rule));
      placement = placeWrites(writes, options.defaultGroup);
      const broken = [...placement.rules.values()].flat().filter((rule) => compileProblem(rule) !== undefined);
      if (broken.length === 0) break;
      for (const rule of broken) {
        const text = `${file}:${rule.line}: rule "${rule.rule}": converted CEL does not compile: ${compileProblem(rule)}`;
        failed.set(rule.rule, { line: rule.line, text });
      }
    }
    const byLine = [...ruleProblems, ...failed.values()].sort((a, b) => a.line - b.line);
    unconvertible.push(...byLine.map((p) => p.text));
    for (const n of placement.notes) notes.push(`${file}:${n.line}: rule "${n.rule}": ${n.note}`);
    groups.push(...placement.order);
    if (placement.order.length > 0) notes.push(HEADER_NOTE);
    if ([...placement.rules.values()].flat().some((rule) => usesSql(rule.condition))) notes.push(SQL_NOTE);
  }
  for (const { from, to } of [...clusterNames.renamed, ...groupNames.renamed]) {
    notes.push(`"${from}" is named "${to}" (resource names are DNS names); the original is kept in an annotation`);
  }

  const counts = { clusters: clusters.length, groups: 0, rules: 0 };
  if (fatal.length > 0 || !defaultName.ok || (unconvertible.length > 0 && !input.skipUnconvertible)) {
    return { output: undefined, unconvertible, fatal, notes, counts };
  }
  const manifests = groupManifests(groups, placement, groupNames, defaultName.name, options);
  const header = headerComment(input, unconvertible, notes);
  const output = header + [...clusters, ...manifests].map((m) => stringify(m, { lineWidth: 0 })).join('---\n');
  try {
    parseResources(output, 'converted output'); // the same validation `resources.files` applies
  } catch (error) {
    const messages = error instanceof ConfigError ? [error.message] : [String(error)];
    return { output: undefined, unconvertible, fatal: messages.map((m) => `internal error: ${m}`), notes, counts };
  }
  counts.groups = manifests.length;
  counts.rules = [...placement.rules.values()].reduce((sum, rules) => sum + rules.length, 0);
  return { output, unconvertible, fatal, notes, counts };
}

function compileProblem(rule: PlacedRule): string | undefined {
  const compiled = compileRule(print(rule.condition));
  return compiled.ok ? undefined : compiled.error;
}

function groupManifests(
  groups: readonly string[],
  placement: Placement,
  names: ResourceNames,
  defaultName: string,
  options: MigrationOptions,
): object[] {
  const priority = new Map(placement.order.map((group, index) => [group, (index + 1) * 10]));
  const ordered = [...placement.order, ...[...new Set(groups)].filter((group) => !priority.has(group))];
  return ordered.map((original) => {
    const resolved = names.resolve(original);
    if (!resolved.ok) throw new Error(resolved.reason); // every group here was resolved before
    const rules = placement.rules.get(original) ?? [];
    return routingGroupManifest(
      { original, name: resolved.name, rules, priority: priority.get(original) },
      defaultName,
      options,
    );
  });
}

function headerComment(input: MigrationInput, skipped: readonly string[], notes: readonly string[]): string {
  const sources = [input.rules?.file, input.backends?.file].filter((file) => file !== undefined).join(' and ');
  const lines = [`Junction resources converted from Trino Gateway (${sources}) by junction-migrate.`];
  if (skipped.length > 0) lines.push('Not converted (--skip-unconvertible):', ...skipped.map((s) => `  ${s}`));
  if (notes.length > 0) lines.push('Review:', ...notes.map((n) => `  ${n}`));
  return `${lines.map((line) => `# ${line}`).join('\n')}\n`;
}
