// The gateway's use of SQL facts: analyses a submitted body within the configured bounds and tells
// the metrics what each analysis cost, or why a statement was routed without facts.
import {
  analyseSql,
  DEFAULT_SQL_FACTS_OPTIONS,
  prepareSqlParser,
  type SessionDefaults,
  type SqlFacts,
} from './facts.js';

/** Why a statement was routed without SQL facts (the `reason` label of the unparsed counter). */
export type UnparsedReason = 'too_large' | 'time_budget' | 'syntax' | 'other';

export interface SqlAnalysisObserver {
  /** The parser ran: how long it took and whether it produced facts. */
  parsed(seconds: number, ok: boolean): void;
  /** The statement got no facts (too large without parsing, or the parse gave none). */
  unparsed(reason: UnparsedReason): void;
}

export interface SqlAnalyserOptions {
  readonly maxBytes: number;
  readonly timeBudgetMs: number;
  readonly observer?: SqlAnalysisObserver | undefined;
}

export class SqlAnalyser {
  #prepared = false;

  constructor(readonly options: SqlAnalyserOptions = DEFAULT_SQL_FACTS_OPTIONS) {}

  /**
   * Loads the grammar and warms it (about a second, synchronous) the first time some condition reads
   * sql.*, so the first submission does not pay it. Proxies whose rules never read sql.* never call it.
   */
  prepare(): void {
    if (this.#prepared) return;
    this.#prepared = true;
    try {
      prepareSqlParser();
    } catch {
      // analyseSql reports an unusable parser on each statement (parsed false, with the reason).
    }
  }

  /** The facts of one submitted body; bytes over maxBytes are neither decoded nor parsed. */
  analyse(body: Buffer, sql: () => string, session: SessionDefaults): SqlFacts {
    const { maxBytes, timeBudgetMs, observer } = this.options;
    if (body.length > maxBytes) {
      observer?.unparsed('too_large');
      return tooLarge(maxBytes);
    }
    this.prepare();
    const started = performance.now();
    const facts = analyseSql(sql(), session, { maxBytes, timeBudgetMs });
    observer?.parsed((performance.now() - started) / 1000, facts.parsed);
    if (!facts.parsed) observer?.unparsed(reasonOf(facts.error));
    return facts;
  }
}

function reasonOf(error: string): UnparsedReason {
  if (error.startsWith('statement larger than')) return 'too_large';
  if (/ms budget$/.test(error)) return 'time_budget';
  if (error.includes('syntax error')) return 'syntax';
  return 'other';
}

const NONE: readonly string[] = Object.freeze([]);

function tooLarge(maxBytes: number): SqlFacts {
  return Object.freeze({
    parsed: false,
    // The same words analyseSql uses for a statement over the limit.
    error: `statement larger than ${maxBytes} bytes`,
    statement: '',
    queryType: '',
    catalogs: NONE,
    schemas: NONE,
    tables: NONE,
  });
}
