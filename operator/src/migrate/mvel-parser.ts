// A recursive-descent parser for the part of MVEL that Trino Gateway routing rules use:
// expressions (literals, names, member access and calls, ! && || == != < > <= >= and MVEL's
// `contains` operator) and action statements (expressions and if / else if / else blocks).
// Anything outside that subset is a ParseError that names the construct, never a guess.
import { describe, ParseError, type Token, tokenize, UNSUPPORTED_WORDS, unexpected } from './mvel-lexer.js';

export { ParseError };

export type BinaryOp = '||' | '&&' | '==' | '!=' | '<' | '>' | '<=' | '>=' | 'contains';

export type Expr =
  | { readonly k: 'string'; readonly v: string; readonly at: number }
  | { readonly k: 'int'; readonly v: number; readonly at: number }
  | { readonly k: 'bool'; readonly v: boolean; readonly at: number }
  | { readonly k: 'null'; readonly at: number }
  | { readonly k: 'name'; readonly name: string; readonly at: number }
  /** `target.name` (call: false, MVEL's property style) or `target.name(args)`. */
  | {
      readonly k: 'member';
      readonly target: Expr;
      readonly name: string;
      readonly call: boolean;
      readonly args: readonly Expr[];
      readonly at: number;
    }
  | { readonly k: 'not'; readonly x: Expr; readonly at: number }
  | { readonly k: 'binary'; readonly op: BinaryOp; readonly l: Expr; readonly r: Expr; readonly at: number };

export type Statement =
  | { readonly k: 'expr'; readonly e: Expr }
  | {
      readonly k: 'if';
      readonly branches: readonly { readonly cond: Expr; readonly body: readonly Statement[] }[];
      readonly otherwise: readonly Statement[] | undefined;
      readonly at: number;
    };

// MVEL's precedence table (org.mvel2.Operator.PTABLE): || 2, && 3, == != 7, < > <= >= 8, contains 13.
const LEVELS: readonly (readonly BinaryOp[])[] = [['||'], ['&&'], ['==', '!='], ['<', '>', '<=', '>='], ['contains']];

class Parser {
  private readonly tokens: Token[];
  private position = 0;

  constructor(text: string) {
    this.tokens = tokenize(text);
  }

  private peek(): Token {
    const token = this.tokens[this.position] as Token;
    if (token.t === 'bad') throw new ParseError(token.v, token.at);
    return token;
  }

  private next(): Token {
    const token = this.peek();
    this.position++;
    return token;
  }

  private accept(v: string): boolean {
    const token = this.peek();
    if ((token.t === 'punct' || token.t === 'ident') && token.v === v) {
      this.next();
      return true;
    }
    return false;
  }

  private expect(v: string): void {
    const token = this.peek();
    if (!this.accept(v)) throw unexpected(token, `expected '${v}' but found ${describe(token)}`);
  }

  expressionOnly(): Expr {
    const expr = this.expression();
    this.end();
    return expr;
  }

  statementsOnly(): Statement[] {
    const statements = this.statements();
    this.end();
    return statements;
  }

  private end(): void {
    const token = this.peek();
    if (token.t !== 'end') throw unexpected(token, `unexpected ${describe(token)}`);
  }

  private statements(): Statement[] {
    const statements: Statement[] = [];
    for (;;) {
      while (this.accept(';'));
      const token = this.peek();
      if (token.t === 'end' || (token.t === 'punct' && token.v === '}')) return statements;
      const statement = this.statement();
      statements.push(statement);
      if (statement.k === 'expr') {
        const after = this.peek();
        if (!(after.t === 'punct' && (after.v === ';' || after.v === '}')) && after.t !== 'end') {
          throw unexpected(after, `expected ';' between statements but found ${describe(after)}`);
        }
      }
    }
  }

  private statement(): Statement {
    const token = this.peek();
    if (token.t !== 'ident' || token.v !== 'if') return { k: 'expr', e: this.expression() };
    const branches: { cond: Expr; body: Statement[] }[] = [];
    let otherwise: Statement[] | undefined;
    this.next();
    branches.push(this.branch());
    while (this.accept('else')) {
      if (this.accept('if')) {
        branches.push(this.branch());
      } else {
        otherwise = this.block();
        break;
      }
    }
    return { k: 'if', branches, otherwise, at: token.at };
  }

  private branch(): { cond: Expr; body: Statement[] } {
    this.expect('(');
    const cond = this.expression();
    this.expect(')');
    return { cond, body: this.block() };
  }

  private block(): Statement[] {
    const token = this.peek();
    if (!(token.t === 'punct' && token.v === '{')) {
      throw new ParseError('if / else without braces is not supported; wrap the branch in { }', token.at);
    }
    this.next();
    const body = this.statements();
    this.expect('}');
    return body;
  }

  private expression(level = 0): Expr {
    const operators = LEVELS[level];
    if (operators === undefined) return this.unary();
    let left = this.expression(level + 1);
    for (;;) {
      const token = this.peek();
      const op = operators.find((o) => (token.t === 'punct' || token.t === 'ident') && token.v === o);
      if (op === undefined) return left;
      this.next();
      const right = this.expression(level + 1);
      left = { k: 'binary', op, l: left, r: right, at: token.at };
    }
  }

  private unary(): Expr {
    const token = this.peek();
    if (!(token.t === 'punct' && token.v === '!')) return this.postfix();
    this.next();
    const x = this.unary();
    const after = this.peek();
    if ((after.t === 'punct' || after.t === 'ident') && LEVELS.slice(2).some((ops) => ops.some((o) => o === after.v))) {
      // Java reads `!a == b` as `(!a) == b`; MVEL's own parser is not documented to agree.
      throw new ParseError(`'!' before '${after.v}' is ambiguous in MVEL; add parentheses`, token.at);
    }
    return { k: 'not', x, at: token.at };
  }

  private postfix(): Expr {
    let expr = this.primary();
    while (this.accept('.')) {
      const token = this.next();
      if (token.t !== 'ident') throw new ParseError(`expected a name after '.' but found ${describe(token)}`, token.at);
      const call = this.accept('(');
      const args: Expr[] = [];
      if (call && !this.accept(')')) {
        do args.push(this.expression());
        while (this.accept(','));
        this.expect(')');
      }
      expr = { k: 'member', target: expr, name: token.v, call, args, at: token.at };
    }
    return expr;
  }

  private primary(): Expr {
    const token = this.next();
    switch (token.t) {
      case 'string':
        return { k: 'string', v: token.v, at: token.at };
      case 'int':
        return { k: 'int', v: token.v, at: token.at };
      case 'ident': {
        const reason = UNSUPPORTED_WORDS[token.v];
        if (reason !== undefined) throw new ParseError(reason, token.at);
        if (token.v === 'true' || token.v === 'false') return { k: 'bool', v: token.v === 'true', at: token.at };
        if (token.v === 'null' || token.v === 'nil') return { k: 'null', at: token.at };
        if (this.peek().t === 'punct' && this.peek().v === '(') {
          throw new ParseError(`calling '${token.v}(…)' without an object is not supported`, token.at);
        }
        return { k: 'name', name: token.v, at: token.at };
      }
      case 'punct':
        if (token.v === '(') {
          const inner = this.expression();
          this.expect(')');
          return inner;
        }
        throw unexpected(token, `unexpected ${describe(token)}`);
      default:
        throw new ParseError('unexpected end of expression', token.at);
    }
  }
}

/** Where an expression starts (`at` of a member or operator is the name or operator itself). */
export function startOf(expr: Expr): number {
  if (expr.k === 'member') return startOf(expr.target);
  if (expr.k === 'binary') return startOf(expr.l);
  return expr.at;
}

/** Parses a rule condition. */
export function parseExpression(text: string): Expr {
  return new Parser(text).expressionOnly();
}

/** Parses one action: statements separated by ';', possibly if / else if / else blocks. */
export function parseStatements(text: string): Statement[] {
  return new Parser(text).statementsOnly();
}
