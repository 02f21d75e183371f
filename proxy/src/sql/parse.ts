// Parses exactly one Trino statement before a deadline, stopping at the first syntax error.
import type * as antlr from 'antlr4ng';
import type { AntlrRuntime, TrinoGrammar } from './grammar.js';

export type ParseResult =
  | { readonly ok: true; readonly statement: antlr.ParserRuleContext }
  | { readonly ok: false; readonly error: string };

/** Thrown from inside the parser once the deadline has passed; nothing in antlr catches it. */
class OverBudget extends Error {}

/** Thrown instead of recovering from a syntax error, so a bad statement costs no recovery work. */
class SyntaxFailure extends Error {
  constructor(readonly token: antlr.Token | null) {
    super('syntax error');
  }
}

/**
 * Work between two clock reads. The deadline is checked in two places, because a parse spends its time
 * in one of two ways: walking tokens through antlr's cached prediction DFA (every step reads a token),
 * or, for input shapes the cache has not seen, building DFA states by ATN closure, where one token can
 * cost a second of closure work on deeply nested input (each '(' may open a subquery, a row or an
 * expression) before the next token is read.
 */
const STEPS_PER_CLOCK_READ = 512;

type Parse = (sql: string, deadline: number, budgetMs: number) => ParseResult;

const parsers = new WeakMap<TrinoGrammar, Parse>();

/** Parses `sql` as one statement; see {@link bounded} for how. */
export function parseStatement(grammar: TrinoGrammar, sql: string, deadline: number, budgetMs: number): ParseResult {
  let parse = parsers.get(grammar);
  if (!parse) {
    parse = bounded(grammar);
    parsers.set(grammar, parse);
  }
  return parse(sql, deadline, budgetMs);
}

/**
 * The parse function for one grammar. Its helpers extend classes of the antlr4ng runtime the grammar
 * was loaded with, so they are made here, once, rather than at module load.
 *
 * SLL prediction first (fast, and right for nearly every input), then full LL only when SLL reports a
 * syntax error, since SLL can reject a valid statement but never accept an invalid one. Trino's own
 * parser does the same two stages.
 */
function bounded(grammar: TrinoGrammar): Parse {
  const rt: AntlrRuntime = grammar.antlr;

  class DeadlineTokenStream extends rt.CommonTokenStream {
    private lookups = 0;

    constructor(
      source: antlr.TokenSource,
      private readonly deadline: number,
    ) {
      super(source);
    }

    override LA(i: number): number {
      if (++this.lookups % STEPS_PER_CLOCK_READ === 0 && performance.now() > this.deadline) throw new OverBudget();
      return super.LA(i);
    }
  }

  /**
   * antlr's prediction with a deadline on its closure steps. Throwing from closure is safe for the shared
   * DFA: antlr adds a state or edge only after the closure that computes it has returned.
   */
  class DeadlineSimulator extends rt.ParserATNSimulator {
    private steps = 0;

    constructor(
      parser: antlr.Parser,
      shared: antlr.ParserATNSimulator,
      private readonly deadline: number,
    ) {
      super(parser, shared.atn, shared.decisionToDFA, new rt.PredictionContextCache());
    }

    protected override closureCheckingStopState(
      config: antlr.ATNConfig,
      configs: antlr.ATNConfigSet,
      closureBusy: antlr.HashSet<antlr.ATNConfig>,
      collectPredicates: boolean,
      fullCtx: boolean,
      depth: number,
      treatEofAsEpsilon: boolean,
    ): void {
      if (++this.steps % STEPS_PER_CLOCK_READ === 0 && performance.now() > this.deadline) throw new OverBudget();
      super.closureCheckingStopState(
        config,
        configs,
        closureBusy,
        collectPredicates,
        fullCtx,
        depth,
        treatEofAsEpsilon,
      );
    }
  }

  class StopAtFirstError extends rt.DefaultErrorStrategy {
    override reportError(): void {}

    override recover(_recognizer: antlr.Parser, e: antlr.RecognitionException): void {
      throw new SyntaxFailure(e.offendingToken);
    }

    override recoverInline(recognizer: antlr.Parser): never {
      throw new SyntaxFailure(recognizer.getCurrentToken());
    }

    override sync(): void {}
  }

  /** Keeps the lexer's first complaint (an unterminated string, a stray character) instead of printing it. */
  class FirstLexerError extends rt.BaseErrorListener {
    error: string | undefined;

    override syntaxError(_r: unknown, _s: unknown, line: number, column: number, msg: string): void {
      this.error ??= `syntax error at line ${line}:${column + 1}: ${clip(msg)}`;
    }
  }

  return (sql, deadline, budgetMs) => {
    const lexer = grammar.createLexer(rt.CharStreams.fromString(sql));
    const lexerErrors = new FirstLexerError();
    lexer.removeErrorListeners();
    lexer.addErrorListener(lexerErrors);
    const tokens = new DeadlineTokenStream(lexer, deadline);
    const parser = grammar.createParser(tokens);
    parser.removeErrorListeners();
    parser.errorHandler = new StopAtFirstError();
    const simulator = new DeadlineSimulator(parser, parser.interpreter as antlr.ParserATNSimulator, deadline);
    parser.interpreter = simulator;
    // `statement` as the start rule: under full LL, antlr lets only the end of input follow a start rule,
    // which is Trino's `statement EOF` (dt-sql-parser's own entry rules admit several statements, and
    // with them a wrong reading of EXPLAIN ANALYZE VERBOSE …). What SLL leaves unconsumed is retried.
    const parseOnce = (mode: number): antlr.ParserRuleContext => {
      simulator.predictionMode = mode;
      const statement = parser.statement();
      if (tokens.LA(1) !== rt.Token.EOF) throw new SyntaxFailure(tokens.LT(1));
      return statement;
    };
    try {
      let statement: antlr.ParserRuleContext;
      try {
        statement = parseOnce(rt.PredictionMode.SLL);
      } catch (e) {
        if (!(e instanceof SyntaxFailure)) throw e;
        parser.reset();
        statement = parseOnce(rt.PredictionMode.LL);
      }
      if (lexerErrors.error) return { ok: false, error: lexerErrors.error };
      return { ok: true, statement };
    } catch (e) {
      if (e instanceof OverBudget) return { ok: false, error: `parse over ${budgetMs} ms budget` };
      if (lexerErrors.error) return { ok: false, error: lexerErrors.error };
      if (e instanceof SyntaxFailure) return { ok: false, error: syntaxError(e.token) };
      if (e instanceof RangeError && /call stack/i.test(e.message)) {
        // Trino answers a statement that overflows its parser's stack the same way.
        return { ok: false, error: 'statement is too large (stack overflow while parsing)' };
      }
      return { ok: false, error: `parser failed: ${clip(e instanceof Error ? e.message : String(e))}` };
    }
  };
}

/** antlr's end-of-input token type (Token.EOF), a constant of the runtime. */
const EOF = -1;

export function syntaxError(token: antlr.Token | null, reason?: string): string {
  if (!token) return `syntax error: ${reason ?? 'unexpected input'}`;
  const at = `syntax error at line ${token.line}:${token.column + 1}`;
  if (reason) return `${at}: ${reason}`;
  if (token.type === EOF) return `${at}: unexpected end of statement`;
  return `${at}: unexpected '${clip(token.text ?? '')}'`;
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
