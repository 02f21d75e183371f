// SQL facts for routing rules: what kind of statement a submission is and which catalogs, schemas and tables it names.
import type { RuleSql } from '@junction/shared';
import type * as antlr from 'antlr4ng';
import { alternative, collectNames, RejectedName } from './collect.js';
import { type TrinoGrammar, trinoGrammar } from './grammar.js';
import { ReferencedNames, type SessionDefaults } from './names.js';
import { parseStatement } from './parse.js';
import { type QueryType, type StatementKind, statementKind } from './statements.js';
import { stringLiteralValue } from './strings.js';
import { warmUp } from './warm-up.js';

export type { SessionDefaults } from './names.js';
export type { QueryType } from './statements.js';

/**
 * What rules see as `sql` (the contract's RuleSql: parsed, error, statement, catalogs, schemas,
 * tables), with the resource-group QueryType narrowed to the values Trino assigns.
 */
export interface SqlFacts extends RuleSql {
  /** Trino's resource-group QueryType ('' when not parsed or when Trino assigns none). */
  readonly queryType: QueryType;
}

export interface SqlFactsOptions {
  /** Statements larger than this (UTF-8 bytes) are not parsed at all. */
  readonly maxBytes: number;
  /** Parsing stops, and the statement counts as not parsed, once it has taken this long. */
  readonly timeBudgetMs: number;
}

/**
 * Defaults measured in docs/adr/0006-sql-parser.md: 50 ms covers a TPC-DS-sized statement on a warm cache
 * with room for a busy core, and about 32 KiB is what the parser gets through in 50 ms at its best, so a
 * larger statement is refused before it can spend the budget for nothing.
 */
export const DEFAULT_SQL_FACTS_OPTIONS: SqlFactsOptions = Object.freeze({ maxBytes: 32 * 1024, timeBudgetMs: 50 });

export interface SqlParserPreparation {
  /** Milliseconds spent loading antlr4ng and the grammar (first call only, else 0). */
  readonly loadMs: number;
  /** Milliseconds spent parsing the warm-up statements (first call only, else 0). */
  readonly warmUpMs: number;
}

let prepared = false;

/**
 * Loads the grammar and warms its prediction cache; analyseSql does this on first use. Call it at
 * start-up (when some rule needs SQL facts) to take that cost off the first request. Throws if the
 * parser package is unusable.
 */
export function prepareSqlParser(): SqlParserPreparation {
  if (prepared) return { loadMs: 0, warmUpMs: 0 };
  const grammar = trinoGrammar();
  // Once only, even if a warm-up statement were to fail: the warm-up is an optimisation.
  prepared = true;
  const started = performance.now();
  warmUp((sql) => analyseWith(grammar, sql, {}, Number.POSITIVE_INFINITY, 0));
  return { loadMs: grammar.loadMs, warmUpMs: performance.now() - started };
}

/**
 * Analyses one statement. Synchronous, never throws, and bounded: a statement over `maxBytes` is
 * refused before any work, and parsing is abandoned at `timeBudgetMs` (the first call also loads the
 * grammar, which the budget does not count).
 */
export function analyseSql(
  sql: string,
  session: SessionDefaults,
  options: Partial<SqlFactsOptions> = DEFAULT_SQL_FACTS_OPTIONS,
): SqlFacts {
  const { maxBytes, timeBudgetMs } = { ...DEFAULT_SQL_FACTS_OPTIONS, ...options };
  // Cheap first: UTF-8 takes at least one byte per UTF-16 unit and at most three.
  if (sql.length > maxBytes || (sql.length * 3 > maxBytes && Buffer.byteLength(sql, 'utf8') > maxBytes)) {
    return notParsed(`statement larger than ${maxBytes} bytes`);
  }
  try {
    prepareSqlParser();
  } catch (e) {
    return notParsed(`SQL parser unavailable: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    return analyseWith(trinoGrammar(), sql, canonical(session), performance.now() + timeBudgetMs, timeBudgetMs);
  } catch (e) {
    return notParsed(`analysis failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** EXECUTE IMMEDIATE may hold EXECUTE IMMEDIATE; Trino has no limit, but a routing fact needs no more. */
const MAX_IMMEDIATE_DEPTH = 3;

function analyseWith(
  grammar: TrinoGrammar,
  sql: string,
  session: SessionDefaults,
  deadline: number,
  budgetMs: number,
): SqlFacts {
  const names = new ReferencedNames(session);
  let text = sql;
  for (let depth = 0; ; depth++) {
    const parsed = parseStatement(grammar, text, deadline, budgetMs);
    if (!parsed.ok) return notParsed(depth === 0 ? parsed.error : `in EXECUTE IMMEDIATE: ${parsed.error}`);
    try {
      // Refuses what Trino would not parse, such as dt-sql-parser's own statements, so it comes first.
      collectNames(grammar, parsed.statement, names);
    } catch (e) {
      if (e instanceof RejectedName) return notParsed(depth === 0 ? e.message : `in EXECUTE IMMEDIATE: ${e.message}`);
      throw e;
    }
    const kind = kindOf(grammar, parsed.statement);
    if (!kind) return notParsed('statement kind unknown');
    if (kind.statement !== 'ExecuteImmediate') {
      return Object.freeze({
        parsed: true,
        error: '',
        statement: kind.statement,
        queryType: kind.queryType,
        catalogs: names.catalogs,
        schemas: names.schemas,
        tables: names.tables,
      });
    }
    // Trino runs the statement in the string literal; its facts are this submission's facts.
    const literal = parsed.statement.getChild(2);
    const { ParserRuleContext, TerminalNode } = grammar.antlr;
    const parts = literal instanceof ParserRuleContext ? (literal.children ?? []) : [];
    const inner = stringLiteralValue(parts.filter((c) => c instanceof TerminalNode).map((c) => c.getText()));
    if (inner === undefined || depth + 1 >= MAX_IMMEDIATE_DEPTH) {
      return notParsed('EXECUTE IMMEDIATE statement not analysed');
    }
    text = inner;
  }
}

/** The statement's kind; EXPLAIN ANALYZE takes its inner statement's QueryType, as in Trino. */
function kindOf(grammar: TrinoGrammar, statement: antlr.ParserRuleContext): StatementKind | undefined {
  const kind = statementKind(alternative(statement));
  if (kind?.statement !== 'ExplainAnalyze') return kind;
  const inner = (statement.children ?? []).find((c) => c instanceof grammar.antlr.ParserRuleContext);
  const innerKind = inner && kindOf(grammar, inner);
  return innerKind && { statement: kind.statement, queryType: innerKind.queryType };
}

function canonical(session: SessionDefaults): SessionDefaults {
  const catalog = session.catalog ? session.catalog.toLowerCase() : undefined;
  const schema = session.schema ? session.schema.toLowerCase() : undefined;
  return { catalog, schema };
}

const NONE: readonly string[] = Object.freeze([]);

function notParsed(error: string): SqlFacts {
  return Object.freeze({
    parsed: false,
    error,
    statement: '',
    queryType: '',
    catalogs: NONE,
    schemas: NONE,
    tables: NONE,
  });
}
