// MVEL operators → CEL with MVEL's meaning: `==` is null-safe, `contains` is false on null, and
// `&&`/`||`/`!` combine booleans. Names and method calls are looked up in vocabulary.ts.
import { and, type Cel, cmp, exists, FALSE, isIn, lit, method, not, or, path, TRUE } from './cel.js';
import type { Expr } from './mvel-parser.js';
import { describe, NOTES, type Translation, Unconvertible, type Value } from './values.js';
import { member } from './vocabulary.js';

export class Translator implements Translation {
  /** Edge cases in which the converted rule can differ; reported with the rule. */
  readonly notes = new Set<string>();

  /** A condition: the expression must be boolean. */
  condition(expr: Expr): Cel {
    const value = this.value(expr);
    if (value.t !== 'bool') throw new Unconvertible(`expected a boolean but this is ${describe(value)}`, expr.at);
    return value.cel;
  }

  value(expr: Expr): Value {
    switch (expr.k) {
      case 'string':
        return { t: 'string', cel: lit(expr.v), present: undefined, ascii: isAscii(expr.v) };
      case 'int':
        return { t: 'int', cel: lit(expr.v) };
      case 'bool':
        return { t: 'bool', cel: expr.v ? TRUE : FALSE };
      case 'null':
        return { t: 'null' };
      case 'name':
        return name(expr.name, expr.at);
      case 'member':
        return member(this, this.value(expr.target), expr);
      case 'not':
        return { t: 'bool', cel: not(this.condition(expr.x)) };
      case 'binary':
        return { t: 'bool', cel: this.binary(expr) };
    }
  }

  private binary(expr: Extract<Expr, { k: 'binary' }>): Cel {
    switch (expr.op) {
      case '&&':
      case '||': {
        const [l, r] = [this.condition(expr.l), this.condition(expr.r)];
        return expr.op === '&&' ? and(l, r) : or(l, r);
      }
      case '==':
        return this.equality(this.value(expr.l), this.value(expr.r), expr.at);
      case '!=':
        return not(this.equality(this.value(expr.l), this.value(expr.r), expr.at));
      case 'contains':
        return this.contains(this.value(expr.l), this.value(expr.r), expr.at);
      default: {
        const [l, r] = [this.value(expr.l), this.value(expr.r)];
        if (l.t !== 'int' || r.t !== 'int') {
          throw new Unconvertible(`'${expr.op}' is only converted between numbers, not ${describe(l)}`, expr.at);
        }
        return cmp(expr.op, l.cel, r.cel);
      }
    }
  }

  /** MVEL's `==` (and Java's equals): null equals only null. */
  equality(l: Value, r: Value, at: number): Cel {
    if (r.t === 'bool' && l.t !== 'bool') return this.equality(r, l, at);
    if (l.t === 'bool') {
      const literal = r.t === 'bool' ? literalBool(r.cel) : undefined;
      if (literal === undefined) {
        throw new Unconvertible(`comparing a boolean with ${describe(r)} is only converted against true or false`, at);
      }
      return literal ? l.cel : not(l.cel);
    }
    if (l.t === 'null' || r.t === 'null') return nullEquality(l.t === 'null' ? r : l, at);
    if (l.t === 'string' && r.t === 'string') return stringEquality(l, r);
    if (l.t === 'int' && r.t === 'int') return cmp('==', l.cel, r.cel);
    if (l.t === 'optional' && r.t === 'optionalLiteral') return optionalEquality(l, r.value, at);
    if (r.t === 'optional' && l.t === 'optionalLiteral') return optionalEquality(r, l.value, at);
    throw new Unconvertible(`comparing ${describe(l)} with ${describe(r)} is not converted`, at);
  }

  /** MVEL's `contains` operator (ParseTools.containsCheck): substring, set membership; false on null. */
  contains(l: Value, r: Value, at: number): Cel {
    if (r.t !== 'string' || r.present !== undefined) {
      throw new Unconvertible(`'contains' is only converted with a string that cannot be null on the right`, at);
    }
    switch (l.t) {
      case 'null':
        return FALSE;
      case 'string':
        return and(l.present ?? TRUE, method(l.cel, 'contains', r.cel));
      case 'list':
        return isIn(r.cel, l.cel);
      case 'schemas':
        return this.schemaContains(r.cel);
      case 'tables':
        throw new Unconvertible(
          'getTables() holds table names, not strings, so contains is always false in Trino Gateway; use tablesContains("catalog.schema.table")',
          at,
        );
      default:
        throw new Unconvertible(`'contains' on ${describe(l)} is not converted`, at);
    }
  }

  /** getSchemas().contains(x): a bare schema name, matched against the schema part of 'catalog.schema'. */
  schemaContains(schema: Cel): Cel {
    this.notes.add(NOTES.schemas);
    const s = path('s');
    const afterCatalog = method(s, 'substring', { k: 'add', l: method(s, 'indexOf', lit('.')), r: lit(1) });
    return exists(path('sql.schemas'), 's', cmp('==', afterCatalog, schema));
  }
}

function name(identifier: string, at: number): Value {
  switch (identifier) {
    case 'request':
    case 'trinoQueryProperties':
    case 'trinoRequestUser':
      return { t: 'object', name: identifier };
    case 'java':
      return { t: 'package', path: 'java' };
    case 'Optional':
    case 'FileBasedRoutingGroupSelector':
      return { t: 'class', name: identifier };
    case 'state':
      throw new Unconvertible(
        'state passes values from one rule to the next; Junction rules are independent, so repeat the condition instead',
        at,
      );
    case 'result':
      throw new Unconvertible('result is only converted as result.put("routingGroup", "<group>") in actions', at);
    default:
      throw new Unconvertible(`unknown name '${identifier}'`, at);
  }
}

function literalBool(cel: Cel): boolean | undefined {
  return cel.k === 'lit' && typeof cel.v === 'boolean' ? cel.v : undefined;
}

function nullEquality(other: Value, at: number): Cel {
  switch (other.t) {
    case 'null':
      return TRUE;
    case 'string':
      return other.present === undefined ? FALSE : not(other.present);
    case 'optional':
    case 'optionalLiteral':
    case 'list':
    case 'schemas':
    case 'tables':
    case 'int':
      return FALSE; // these are never null in Trino Gateway
    default:
      throw new Unconvertible(`comparing ${describe(other)} with null is not converted`, at);
  }
}

type StringValue = Extract<Value, { t: 'string' }>;

function stringEquality(l: StringValue, r: StringValue): Cel {
  const equal = and(l.present ?? TRUE, r.present ?? TRUE, cmp('==', l.cel, r.cel));
  if (l.present === undefined || r.present === undefined) return equal;
  return or(equal, and(not(l.present), not(r.present))); // null == null
}

function optionalEquality(l: Extract<Value, { t: 'optional' }>, value: string | undefined, at: number): Cel {
  if (value === undefined) return not(l.present);
  if (!l.comparable) throw new Unconvertible(`the text of ${l.what} differs between the two gateways`, at);
  return and(l.present, cmp('==', l.cel, lit(value)));
}

export const isAscii = (text: string): boolean => /^[\x00-\x7f]*$/.test(text);
