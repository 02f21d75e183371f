// Routing rules: CEL conditions over `request` and `sql`, compiled once per distinct condition
// (type-checked by rule-check.ts) and evaluated on every new query.
import { type CelInput, celMap, parse } from '@bufbuild/cel';
import type { RuleCondition, RuleRequest, RuleSql } from './model.js';
import { CheckError, checkCondition, planCondition, syntaxError } from './rule-check.js';

export type RuleCompileResult =
  | ({ readonly ok: true } & RuleCondition)
  | { readonly ok: false; readonly error: string };

/** What `sql` says when a condition reads it but no facts were given (not a statement submission). */
export const NO_SQL_FACTS: RuleSql = Object.freeze({
  parsed: false,
  error: 'not a statement submission',
  statement: '',
  queryType: '',
  catalogs: Object.freeze([]),
  schemas: Object.freeze([]),
  tables: Object.freeze([]),
});

/**
 * A Record seen as a ReadonlyMap without copying it: rules usually read one or two keys, so
 * building a Map of every header per request would be wasted work.
 */
class RecordView implements ReadonlyMap<string, CelInput> {
  constructor(private readonly record: Readonly<Record<string, unknown>>) {}
  get size(): number {
    return Object.keys(this.record).length;
  }
  get(key: string): CelInput | undefined {
    if (!Object.hasOwn(this.record, key)) return undefined;
    const value = this.record[key];
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return celMap(new RecordView(value as Record<string, unknown>));
    }
    return value as CelInput;
  }
  has(key: string): boolean {
    return this.get(key) !== undefined;
  }
  *entries(): MapIterator<[string, CelInput]> {
    for (const key of Object.keys(this.record)) yield [key, this.get(key) as CelInput];
  }
  *keys(): MapIterator<string> {
    yield* Object.keys(this.record);
  }
  *values(): MapIterator<CelInput> {
    for (const [, value] of this.entries()) yield value;
  }
  forEach(callback: (value: CelInput, key: string, map: ReadonlyMap<string, CelInput>) => void): void {
    for (const [key, value] of this.entries()) callback(value, key, this);
  }
  [Symbol.iterator](): MapIterator<[string, CelInput]> {
    return this.entries();
  }
}

/** What conditions that do not read `sql` are given for it. */
const UNREAD = celMap(new RecordView(NO_SQL_FACTS as unknown as Record<string, unknown>));

function compile(condition: string): RuleCompileResult {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(condition);
  } catch (error) {
    return { ok: false, error: syntaxError(error) };
  }
  let readsSql: boolean;
  try {
    const { type, variables } = checkCondition(parsed.expr);
    if (type !== 'bool' && type !== 'dyn') return { ok: false, error: `condition must evaluate to bool, got ${type}` };
    readsSql = variables.has('sql');
  } catch (error) {
    // Anything but a CheckError is a gap in this checker; rejecting the rule beats crashing a registry build.
    return { ok: false, error: error instanceof CheckError ? error.message : `cannot check condition: ${error}` };
  }
  try {
    const evaluate = planCondition(parsed);
    const view = (record: object) => celMap(new RecordView(record as Record<string, unknown>));
    return {
      ok: true,
      readsSql,
      matches(request: RuleRequest, sql?: RuleSql): boolean {
        try {
          // A condition that does not read `sql` gets the shared placeholder: no facts are built for it.
          return evaluate({ request: view(request), sql: readsSql ? view(sql ?? NO_SQL_FACTS) : UNREAD }) === true;
        } catch {
          return false;
        }
      },
    };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

const CACHE_LIMIT = 1000;
const cache = new Map<string, RuleCompileResult>();

/**
 * Compiles a condition once; the result is shared by every registry build that sees the same text.
 * A runtime error or non-boolean result makes `matches` return false, never throw.
 */
export function compileRule(condition: string): RuleCompileResult {
  const cached = cache.get(condition);
  if (cached !== undefined) {
    // Re-inserting keeps recently used conditions at the end, so eviction drops the stalest.
    cache.delete(condition);
    cache.set(condition, cached);
    return cached;
  }
  const compiled = Object.freeze(compile(condition));
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(condition, compiled);
  return compiled;
}
