// Turns Trino Gateway rules into "writes": every place where an action sets the routing group,
// with the CEL guard under which it runs, in the order Trino Gateway runs them. The last write
// whose guard holds decides the group; ordering.ts turns that into first-match rules.
import { and, type Cel, not, TRUE } from './cel.js';
import { type Expr, ParseError, parseExpression, parseStatements, type Statement, startOf } from './mvel-parser.js';
import { type GatewayRule, lineOf, type RuleProblem, type TextPosition } from './rules-file.js';
import { Translator } from './translate.js';
import { describe, Unconvertible } from './values.js';

export interface Write {
  /** The Junction rule name: the Trino Gateway rule name, numbered when one rule writes several times. */
  readonly name: string;
  readonly rule: string;
  readonly line: number;
  /** The Trino Gateway routing group as written; "" means the default group. */
  readonly group: string;
  readonly guard: Cel;
}

export interface RuleNote {
  readonly rule: string;
  readonly line: number;
  readonly note: string;
}

export interface ConvertedRules {
  /** In Trino Gateway's order. */
  readonly writes: readonly Write[];
  readonly problems: readonly RuleProblem[];
  readonly notes: readonly RuleNote[];
}

class RuleConverter {
  readonly tr = new Translator();
  readonly writes: { group: string; guard: Cel; line: number }[] = [];
  readonly notes = new Set<string>();
  at: TextPosition = { line: 0, literalBlock: false };
  text = '';

  fail(error: unknown): never {
    if (error instanceof ParseError || error instanceof Unconvertible) {
      const column = columnOf(this.text, error.offset);
      const excerpt = this.text.slice(error.offset, error.offset + 30).split('\n')[0] ?? '';
      const near = excerpt === '' ? '' : ` (column ${column}: ${excerpt}${excerpt.length === 30 ? '…' : ''})`;
      throw new RuleFailure(`${error.message}${near}`, lineOf(this.at, this.text, error.offset));
    }
    throw error;
  }

  condition(text: string, at: TextPosition): Cel {
    [this.text, this.at] = [text, at];
    try {
      return this.tr.condition(parseExpression(text));
    } catch (error) {
      this.fail(error);
    }
  }

  action(text: string, at: TextPosition, guard: Cel): void {
    [this.text, this.at] = [text, at];
    try {
      this.statements(parseStatements(text), guard);
    } catch (error) {
      this.fail(error);
    }
  }

  private statements(statements: readonly Statement[], guard: Cel): void {
    for (const statement of statements) {
      if (statement.k === 'expr') {
        this.put(statement.e, guard);
        continue;
      }
      // Branch k runs when every earlier branch condition is false and its own is true.
      let earlierFalse = TRUE;
      for (const branch of statement.branches) {
        const condition = this.tr.condition(branch.cond);
        this.statements(branch.body, and(guard, earlierFalse, condition));
        earlierFalse = and(earlierFalse, not(condition));
      }
      if (statement.otherwise !== undefined) this.statements(statement.otherwise, and(guard, earlierFalse));
    }
  }

  private put(expr: Expr, guard: Cel): void {
    const isPut =
      expr.k === 'member' &&
      expr.name === 'put' &&
      expr.call &&
      expr.target.k === 'name' &&
      expr.target.name === 'result';
    if (!isPut) {
      this.tr.value(expr); // a more specific reason (e.g. for `state`) when there is one
      throw new Unconvertible('only result.put("routingGroup", "<group>") actions are converted', startOf(expr));
    }
    const [keyExpr, groupExpr] = expr.args;
    if (keyExpr === undefined || groupExpr === undefined || expr.args.length !== 2) {
      throw new Unconvertible('result.put takes a key and a value', expr.at);
    }
    const key = this.tr.value(keyExpr);
    if (key.t !== 'string' || key.cel.k !== 'lit') {
      throw new Unconvertible(`the result key must be a string literal, not ${describe(key)}`, startOf(keyExpr));
    }
    if (key.cel.v !== 'routingGroup') {
      this.notes.add(`result.put("${key.cel.v}", …) does not choose the routing group; left out`);
      return;
    }
    if (groupExpr.k !== 'string') {
      throw new Unconvertible(
        'the routing group must be a string literal (a computed group is not converted)',
        startOf(groupExpr),
      );
    }
    this.writes.push({ group: groupExpr.v, guard, line: lineOf(this.at, this.text, expr.at) });
  }
}

class RuleFailure extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

function columnOf(text: string, offset: number): number {
  return offset - text.lastIndexOf('\n', offset - 1);
}

/** Converts rules (already in Trino Gateway's order); a rule that fails is reported, not written. */
export function convertRules(rules: readonly GatewayRule[]): ConvertedRules {
  const writes: Write[] = [];
  const problems: RuleProblem[] = [];
  const notes: RuleNote[] = [];
  for (const rule of rules) {
    const converter = new RuleConverter();
    try {
      const condition = converter.condition(rule.condition, rule.conditionAt);
      rule.actions.forEach((action, index) => {
        converter.action(action, rule.actionsAt[index] as TextPosition, condition);
      });
    } catch (error) {
      if (!(error instanceof RuleFailure)) throw error;
      problems.push({ rule: rule.name, line: error.line, reason: error.message });
      continue;
    }
    for (const note of [...converter.tr.notes, ...converter.notes])
      notes.push({ rule: rule.name, line: rule.line, note });
    if (converter.writes.length === 0) {
      notes.push({
        rule: rule.name,
        line: rule.line,
        note: 'sets no routing group, so it never changes the routing; left out',
      });
    }
    const count = converter.writes.length;
    converter.writes.forEach((write, index) => {
      const name = count === 1 ? rule.name : `${rule.name} (${index + 1}/${count})`;
      writes.push({ name, rule: rule.name, line: write.line, group: write.group, guard: write.guard });
    });
  }
  return { writes, problems, notes };
}
