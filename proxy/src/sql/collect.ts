// Walks a parsed statement and records every catalog, schema and table it names, completing names from the session.
import type * as antlr from 'antlr4ng';
import type { TrinoGrammar } from './grammar.js';
import { quotedIdentifier, type ReferencedNames, unquotedIdentifier } from './names.js';
import { syntaxError } from './parse.js';
import { statementKind } from './statements.js';

/** A name Trino's parser accepts but its AST builder rejects, e.g. `select * from \`t\``. */
export class RejectedName extends Error {}

/** The rule indices the walk dispatches on, looked up once per grammar. */
interface Rules {
  readonly statement: number;
  readonly identifier: number;
  readonly qualifiedName: number;
  readonly tableLike: ReadonlySet<number>;
  readonly tableTargets: ReadonlySet<number>;
  readonly schemaRef: number;
  readonly schemaNameCreate: number;
  readonly catalogLike: ReadonlySet<number>;
  readonly routineLike: ReadonlySet<number>;
  readonly columnRef: number;
  readonly grantObject: number;
  readonly entityKind: number;
  readonly query: number;
  readonly with: number;
  readonly namedQuery: number;
}

const rulesByGrammar = new WeakMap<TrinoGrammar, Rules>();

function rulesOf(grammar: TrinoGrammar): Rules {
  let rules = rulesByGrammar.get(grammar);
  if (!rules) {
    const r = (name: string) => grammar.ruleIndex(name);
    rules = {
      statement: r('statement'),
      identifier: r('identifier'),
      qualifiedName: r('qualifiedName'),
      tableLike: new Set([r('tableRef'), r('tableNameCreate'), r('viewRef'), r('viewNameCreate')]),
      tableTargets: new Set([r('tableNameCreate'), r('viewNameCreate')]),
      schemaRef: r('schemaRef'),
      schemaNameCreate: r('schemaNameCreate'),
      catalogLike: new Set([r('catalogRef'), r('catalogNameCreate')]),
      routineLike: new Set([r('functionName'), r('functionNameCreate')]),
      columnRef: r('columnRef'),
      grantObject: r('grantObject'),
      entityKind: r('entityKind'),
      query: r('query'),
      with: r('with'),
      namedQuery: r('namedQuery'),
    };
    rulesByGrammar.set(grammar, rules);
  }
  return rules;
}

/** The grammar alternative a context stands for: `InsertIntoContext` → `InsertInto`. */
export function alternative(ctx: antlr.ParserRuleContext): string {
  const name = ctx.constructor.name;
  return name.endsWith('Context') ? name.slice(0, -'Context'.length) : name;
}

function parentKind(node: antlr.ParserRuleContext): string {
  return node.parent ? alternative(node.parent) : '';
}

const RENAMES = new Set(['RenameTable', 'RenameView', 'RenameMaterializedView', 'RenameSchema']);

/**
 * Records into `names` everything `statement` (and any statement nested in it: EXPLAIN, PREPARE)
 * references. Throws RejectedName with Trino's message for identifiers Trino refuses.
 */
export function collectNames(grammar: TrinoGrammar, statement: antlr.ParserRuleContext, names: ReferencedNames): void {
  const rules = rulesOf(grammar);
  const { ParserRuleContext } = grammar.antlr;
  const isRule = (node: unknown): node is antlr.ParserRuleContext => node instanceof ParserRuleContext;
  const walk = new NameWalk(rules, names, isRule);
  // Iterative, so a statement nested as deeply as the parser allows cannot overflow the stack here.
  const pending: antlr.ParseTree[] = [statement];
  for (let node = pending.pop(); node; node = pending.pop()) {
    if (!isRule(node)) continue;
    walk.visit(node);
    for (let i = node.getChildCount() - 1; i >= 0; i--) pending.push(node.getChild(i)!);
  }
}

class NameWalk {
  constructor(
    private readonly rules: Rules,
    private readonly names: ReferencedNames,
    private readonly isRule: (node: unknown) => node is antlr.ParserRuleContext,
  ) {}

  visit(node: antlr.ParserRuleContext): void {
    const { rules, names } = this;
    const index = node.ruleIndex;
    if (index === rules.identifier) {
      this.checkIdentifier(node);
    } else if (index === rules.statement) {
      this.statement(node, alternative(node));
    } else if (rules.tableLike.has(index)) {
      if (rules.tableTargets.has(index) && RENAMES.has(parentKind(node))) return; // completed from the source
      const parts = this.parts(node);
      if (parts.length === 1 && this.isWithQueryName(node, parts[0]!)) return;
      names.table(parts);
    } else if (index === rules.schemaRef) {
      names.schema(this.parts(node));
    } else if (index === rules.schemaNameCreate) {
      if (parentKind(node) !== 'RenameSchema') names.schema(this.parts(node));
    } else if (rules.catalogLike.has(index)) {
      names.catalog(this.parts(node)[0]);
    } else if (rules.routineLike.has(index)) {
      // ALTER TABLE … EXECUTE optimize: a connector's table procedure, not a catalog routine.
      if (parentKind(node) !== 'TableExecute') names.routine(this.qualifiedParts(node));
    } else if (index === rules.columnRef) {
      if (parentKind(node) === 'CommentColumn') names.table(this.qualifiedParts(node).slice(0, -1));
    } else if (index === rules.grantObject) {
      this.grantObject(node);
    }
  }

  /** Statement-level facts that no single name rule carries. */
  private statement(node: antlr.ParserRuleContext, kind: string): void {
    const { rules, names } = this;
    const session = names.session;
    if (!statementKind(kind)) {
      // A dt-sql-parser extension (SHOW COMMENT ON …), here or nested in EXPLAIN: Trino's parser stops
      // after its first word.
      const second = node.getChild(1);
      throw new RejectedName(syntaxError(second && 'symbol' in second ? (second.symbol as antlr.Token) : node.start));
    }
    switch (kind) {
      case 'RenameTable':
      case 'RenameView':
      case 'RenameMaterializedView': {
        // Trino completes an unqualified target from the source's catalog and schema, not the session's.
        const [source, target] = (node.children ?? []).filter(
          (c): c is antlr.ParserRuleContext => this.isRule(c) && rules.tableLike.has(c.ruleIndex),
        );
        const from = source && names.table(this.parts(source));
        if (target) names.table(this.parts(target), { catalog: from?.[0], schema: from?.[1] });
        return;
      }
      case 'RenameSchema': {
        const source = this.child(node, rules.schemaRef);
        const target = this.child(node, rules.schemaNameCreate);
        const from = source && names.schema(this.parts(source));
        if (target) names.schema(this.parts(target), { catalog: from?.[0] });
        return;
      }
      case 'ShowTables':
        if (!this.child(node, rules.schemaRef) && session.schema !== undefined) names.schema([session.schema]);
        return;
      case 'ShowSchemas':
        if (!(node.children ?? []).some((c) => this.isRule(c) && rules.catalogLike.has(c.ruleIndex))) {
          names.catalog(session.catalog);
        }
        return;
      case 'SetSession':
      case 'ResetSession': {
        // `SET SESSION hive.insert_existing_partitions_behavior = …` is a property of catalog hive.
        const property = this.child(node, rules.qualifiedName);
        const parts = property ? this.parts(property) : [];
        if (parts.length === 2) names.catalog(parts[0]);
        return;
      }
    }
  }

  /** GRANT/REVOKE/DENY/SHOW GRANTS … ON [TABLE | SCHEMA] name. */
  private grantObject(node: antlr.ParserRuleContext): void {
    const kind = this.child(node, this.rules.entityKind)?.getText().toLowerCase() ?? 'table';
    const name = this.child(node, this.rules.qualifiedName);
    if (!name) return;
    if (kind === 'table') this.names.table(this.parts(name));
    else if (kind === 'schema') this.names.schema(this.parts(name));
  }

  /**
   * Whether a one-part relation name means a WITH query in scope rather than a table. A WITH query is
   * visible in its query's body and in the WITH queries after it (and in itself under RECURSIVE);
   * an inner WITH query shadows an outer one of the same name, and a table otherwise.
   */
  private isWithQueryName(node: antlr.ParserRuleContext, name: string): boolean {
    const { rules } = this;
    let child: antlr.ParserRuleContext = node;
    for (let scope = node.parent; scope; child = scope, scope = scope.parent) {
      if (scope.ruleIndex === rules.with) {
        // `child` is the WITH query this reference sits in: earlier siblings are visible.
        const recursive = scope.getChild(1)?.getText().toLowerCase() === 'recursive';
        for (const sibling of scope.children ?? []) {
          if (sibling === child && !recursive) break;
          if (this.isRule(sibling) && sibling.ruleIndex === rules.namedQuery) {
            if (this.withQueryName(sibling) === name) return true;
          }
          if (sibling === child) break;
        }
      } else if (scope.ruleIndex === rules.query) {
        const withClause = this.child(scope, rules.with);
        if (withClause && withClause !== child) {
          for (const named of withClause.children ?? []) {
            if (this.isRule(named) && named.ruleIndex === rules.namedQuery) {
              if (this.withQueryName(named) === name) return true;
            }
          }
        }
      }
    }
    return false;
  }

  private withQueryName(namedQuery: antlr.ParserRuleContext): string | undefined {
    const id = this.child(namedQuery, this.rules.identifier);
    return id && this.identifier(id);
  }

  /** The identifier parts directly under a name rule (`c . s . t`). */
  private parts(node: antlr.ParserRuleContext): string[] {
    const parts: string[] = [];
    for (const c of node.children ?? []) {
      if (this.isRule(c) && c.ruleIndex === this.rules.identifier) parts.push(this.identifier(c));
    }
    return parts;
  }

  /** The parts of the qualifiedName under a functionName or columnRef. */
  private qualifiedParts(node: antlr.ParserRuleContext): string[] {
    const name = this.child(node, this.rules.qualifiedName);
    return name ? this.parts(name) : [];
  }

  private identifier(node: antlr.ParserRuleContext): string {
    const text = node.getText();
    return node.constructor.name === 'QuotedIdentifierContext' ? quotedIdentifier(text) : unquotedIdentifier(text);
  }

  /** Trino's AstBuilder refuses these although its grammar parses them; so do we, with its words. */
  private checkIdentifier(node: antlr.ParserRuleContext): void {
    const kind = node.constructor.name;
    if (kind === 'BackQuotedIdentifierContext') {
      throw new RejectedName(
        syntaxError(node.start, 'backquoted identifiers are not supported; use double quotes to quote identifiers'),
      );
    }
    if (kind === 'DigitIdentifierContext') {
      throw new RejectedName(
        syntaxError(node.start, 'identifiers must not start with a digit; surround the identifier with double quotes'),
      );
    }
    if (kind === 'QuotedIdentifierContext' && node.getText() === '""') {
      throw new RejectedName(syntaxError(node.start, 'zero-length delimited identifier not allowed'));
    }
  }

  private child(node: antlr.ParserRuleContext, ruleIndex: number): antlr.ParserRuleContext | undefined {
    for (const c of node.children ?? []) {
      if (this.isRule(c) && c.ruleIndex === ruleIndex) return c;
    }
    return undefined;
  }
}
