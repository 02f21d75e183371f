// Parses exactly one Trino statement before a deadline, stopping at the first syntax error.
import * as antlr from 'antlr4ng';
import type { TrinoGrammar } from './grammar.js';

export type ParseResult =
  | { readonly ok: true; readonly statement: antlr.ParserRuleContext }
  | { readonly ok: false; readonly error: string; readonly overBudget?: true };

/** Thrown from inside the parser once the deadline has passed; nothing in antlr catches it. */
class OverBudget extends Error {}

/** Thrown instead of recovering from a syntax error, so a bad statement costs no recovery work. */
class SyntaxFailure extends Error {
  constructor(readonly token: antlr.Token | null) {
    super('syntax error');
  }
}

/**
 * Token look-ups between two clock reads. Every prediction step reads a token, so a parse that runs
 * away (deep nesting makes antlr's look-ahead explode) still reads the clock every few microseconds.
 */
const LOOKUPS_PER_CLOCK_READ = 256;

class DeadlineTokenStream extends antlr.CommonTokenStream {
  private lookups = 0;

  constructor(
    source: antlr.TokenSource,
    private readonly deadline: number,
  ) {
    super(source);
  }

  override LA(i: number): number {
    if (++this.lookups % LOOKUPS_PER_CLOCK_READ === 0 && performance.now() > this.deadline) throw new OverBudget();
    return super.LA(i);
  }
}

class StopAtFirstError extends antlr.DefaultErrorStrategy {
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
class FirstLexerError extends antlr.BaseErrorListener {
  error: string | undefined;

  override syntaxError(_r: unknown, _s: unknown, line: number, column: number, msg: string): void {
    this.error ??= `syntax error at line ${line}:${column + 1}: ${clip(msg)}`;
  }
}

/**
 * Parses `sql` as one statement. SLL prediction first (fast, and right for nearly every input), then
 * full LL only when SLL reports a syntax error, since SLL can reject a valid statement but never accept an
 * invalid one. Trino's own parser does the same two stages.
 */
export function parseStatement(grammar: TrinoGrammar, sql: string, deadline: number, budgetMs: number): ParseResult {
  const lexer = grammar.createLexer(antlr.CharStreams.fromString(sql));
  const lexerErrors = new FirstLexerError();
  lexer.removeErrorListeners();
  lexer.addErrorListener(lexerErrors);
  const tokens = new DeadlineTokenStream(lexer, deadline);
  const parser = grammar.createParser(tokens);
  parser.removeErrorListeners();
  parser.errorHandler = new StopAtFirstError();
  const simulator = parser.interpreter as antlr.ParserATNSimulator;
  try {
    let program: antlr.ParserRuleContext;
    try {
      simulator.predictionMode = antlr.PredictionMode.SLL;
      program = parser.program();
    } catch (e) {
      if (!(e instanceof SyntaxFailure)) throw e;
      parser.reset();
      simulator.predictionMode = antlr.PredictionMode.LL;
      program = parser.program();
    }
    if (lexerErrors.error) return { ok: false, error: lexerErrors.error };
    return onlyStatement(grammar, program);
  } catch (e) {
    if (e instanceof OverBudget) return { ok: false, error: `parse over ${budgetMs} ms budget`, overBudget: true };
    if (lexerErrors.error) return { ok: false, error: lexerErrors.error };
    if (e instanceof SyntaxFailure) return { ok: false, error: syntaxError(e.token) };
    // Trino answers a statement that overflows its parser's stack the same way.
    if (e instanceof RangeError) return { ok: false, error: 'statement is too large (stack overflow while parsing)' };
    return { ok: false, error: `parser failed: ${clip(e instanceof Error ? e.message : String(e))}` };
  }
}

/** `program` is `statements* EOF`; Trino takes exactly one statement, without a trailing semicolon. */
function onlyStatement(grammar: TrinoGrammar, program: antlr.ParserRuleContext): ParseResult {
  const statements = (program.children ?? []).filter(
    (c): c is antlr.ParserRuleContext =>
      c instanceof antlr.ParserRuleContext && c.ruleIndex === grammar.ruleIndex('statements'),
  );
  const first = statements[0]?.getChild(0);
  // No statement at all: only whitespace and comments, and program.start is the end of input.
  if (!(first instanceof antlr.ParserRuleContext)) return { ok: false, error: syntaxError(program.start) };
  const statement = first.getChild(0);
  const semicolon = first.getChild(1);
  if (semicolon instanceof antlr.TerminalNode) return { ok: false, error: syntaxError(semicolon.symbol) };
  if (statements.length > 1) return { ok: false, error: syntaxError(statements[1]!.start) };
  if (!(statement instanceof antlr.ParserRuleContext)) return { ok: false, error: syntaxError(first.start) };
  return { ok: true, statement };
}

export function syntaxError(token: antlr.Token | null, reason?: string): string {
  if (!token) return `syntax error: ${reason ?? 'unexpected input'}`;
  const at = `syntax error at line ${token.line}:${token.column + 1}`;
  if (reason) return `${at}: ${reason}`;
  if (token.type === antlr.Token.EOF) return `${at}: unexpected end of statement`;
  return `${at}: unexpected '${clip(token.text ?? '')}'`;
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
