// The objects a Trino Gateway rule can reach (request, trinoRequestUser, trinoQueryProperties,
// strings, Optionals, sets) and the CEL each method becomes. MVEL's property style
// (`getCatalogSchemas.contains`, `request.requestURI`) resolves to the same methods.
import { compileRule } from '@junction/shared';
import { type Cel, call, cmp, cond, index, isIn, lit, method, not, path, quote } from './cel.js';
import { javaRegexToRe2 } from './java-regex.js';
import type { Expr } from './mvel-parser.js';
import { describe, NOTES, type Translation, Unconvertible, type Value } from './values.js';

type Member = Extract<Expr, { k: 'member' }>;
type Method = (tr: Translation, args: readonly Expr[], at: number) => Value;

const REQUEST_USER = path('request.user');
const bool = (cel: Cel): Value => ({ t: 'bool', cel });
const string = (cel: Cel, ascii: boolean): Value => ({ t: 'string', cel, present: undefined, ascii });

function header(name: string): Value {
  const key = name.toLowerCase();
  return {
    t: 'string',
    cel: index(path('request.headers'), key),
    present: isIn(lit(key), path('request.headers')),
    ascii: false,
  };
}

function optionalHeader(name: string, what: string): Value {
  const key = name.toLowerCase();
  const headers = path('request.headers');
  return { t: 'optional', cel: index(headers, key), present: isIn(lit(key), headers), comparable: true, what };
}

function literalArg(args: readonly Expr[], at: number, what: string): string {
  const [arg] = args;
  if (arg?.k !== 'string')
    throw new Unconvertible(`${what} is only converted with a string literal argument`, arg?.at ?? at);
  return arg.v;
}

const REQUEST: Record<string, Method> = {
  getHeader(_tr, args, at) {
    const name = literalArg(args, at, 'getHeader');
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new Unconvertible(`"${name}" is not a header name`, at);
    return header(name);
  },
  getMethod: () => string(path('request.method'), true),
  getRequestURI: () => string(path('request.path'), false),
};

const USER: Record<string, Method> = {
  getUser(tr) {
    tr.notes.add(NOTES.user);
    return {
      t: 'optional',
      cel: REQUEST_USER,
      present: cmp('!=', REQUEST_USER, lit('')),
      comparable: true,
      what: 'getUser()',
    };
  },
  userExistsAndEquals(tr, args, at) {
    const user = literalArg(args, at, 'userExistsAndEquals');
    // An empty name only matches a present but empty X-Trino-User, which request.user cannot tell apart.
    if (user === '') throw new Unconvertible('userExistsAndEquals("") is not converted', at);
    tr.notes.add(NOTES.user);
    return bool(cmp('==', REQUEST_USER, lit(user)));
  },
};

const QUERY: Record<string, Method> = {
  getQueryType: () => string(path('sql.statement'), true),
  getResourceGroupQueryType: () => string(path('sql.queryType'), true),
  getDefaultCatalog: () => optionalHeader('X-Trino-Catalog', 'getDefaultCatalog()'),
  getDefaultSchema: () => optionalHeader('X-Trino-Schema', 'getDefaultSchema()'),
  getCatalogs: () => ({ t: 'list', cel: path('sql.catalogs'), what: 'getCatalogs()' }),
  getSchemas: () => ({ t: 'schemas' }),
  getCatalogSchemas: () => ({ t: 'list', cel: path('sql.schemas'), what: 'getCatalogSchemas()' }),
  getTables: () => ({ t: 'tables' }),
  tablesContains(_tr, args, at) {
    const table = qualifiedTableName(literalArg(args, at, 'tablesContains'));
    if (table.reason !== undefined) throw new Unconvertible(`tablesContains: ${table.reason}`, at);
    return bool(isIn(lit(table.name), path('sql.tables')));
  },
  isNewQuerySubmission: () => bool(cmp('==', path('request.method'), lit('POST'))),
  // Trino Gateway: errorMessage is empty unless a parse was attempted and failed.
  isQueryParsingSuccessful: () => bool(cmp('==', path('sql.error'), lit(''))),
  getErrorMessage: () => ({
    t: 'optional',
    cel: path('sql.error'),
    present: cmp('!=', path('sql.error'), lit('')),
    comparable: false,
    what: 'getErrorMessage()',
  }),
};

const REFUSED: Record<string, string> = {
  getBody: 'the raw SQL text is not a Junction rule variable; use the sql.* facts',
  getQueryId: 'the kill_query target is not a Junction rule variable',
  getUserInfo: 'OIDC user info is not a Junction rule variable',
  getQueryString: 'Junction rules see the decoded request.query map, not the raw query string',
  getParameter: 'request parameters (query string and form body) are not converted; use request.query',
};

const OBJECTS = { request: REQUEST, trinoRequestUser: USER, trinoQueryProperties: QUERY };

/** Finds `name`, or for MVEL's property style also `getName` / `isName`. */
function lookup<T>(table: Record<string, T>, m: Member): T | undefined {
  const capital = m.name.charAt(0).toUpperCase() + m.name.slice(1);
  const found = Object.hasOwn(table, m.name) ? table[m.name] : undefined;
  if (found !== undefined || m.call) return found;
  return table[`get${capital}`] ?? table[`is${capital}`];
}

export function member(tr: Translation, target: Value, m: Member): Value {
  const shown = `${m.name}${m.call ? '()' : ''}`;
  switch (target.t) {
    case 'object': {
      const found = lookup(OBJECTS[target.name], m);
      if (found === undefined) {
        const reason = REFUSED[m.name] ?? 'it has no counterpart among Junction rule variables';
        throw new Unconvertible(`${target.name}.${shown} is not converted: ${reason}`, m.at);
      }
      return found(tr, m.args, m.at);
    }
    case 'package':
      if (`${target.path}.${m.name}` === 'java.util' && !m.call) return { t: 'package', path: 'java.util' };
      if (target.path === 'java.util' && m.name === 'Optional' && !m.call) return { t: 'class', name: 'Optional' };
      throw new Unconvertible(`${target.path}.${m.name} is not converted`, m.at);
    case 'class':
      if (target.name === 'FileBasedRoutingGroupSelector' && m.name === 'RESULTS_ROUTING_GROUP_KEY' && !m.call) {
        return string(lit('routingGroup'), true);
      }
      if (target.name === 'Optional' && m.call && m.name === 'of') {
        return { t: 'optionalLiteral', value: literalArg(m.args, m.at, 'Optional.of') };
      }
      if (target.name === 'Optional' && m.call && m.name === 'empty' && m.args.length === 0) {
        return { t: 'optionalLiteral', value: undefined };
      }
      throw new Unconvertible(`${target.name}.${shown} is not converted`, m.at);
    case 'string':
      return stringMethod(tr, target, m);
    case 'optional':
      return optionalMethod(tr, target, m);
    case 'list':
    case 'schemas':
    case 'tables':
      return setMethod(tr, target, m);
    default:
      throw new Unconvertible(`${shown} on ${describe(target)} is not converted`, m.at);
  }
}

/** The method a member names; MVEL reads `x.empty` / `x.present` as the getters isEmpty() / isPresent(). */
function methodName(m: Member): string {
  if (m.call) return m.name;
  return m.name === 'empty' ? 'isEmpty' : m.name === 'present' ? 'isPresent' : m.name;
}

function argument(tr: Translation, m: Member, count: number): Value[] {
  if (m.args.length !== count) throw new Unconvertible(`${m.name} takes ${count} argument(s) here`, m.at);
  return m.args.map((arg) => tr.value(arg));
}

function stringArg(value: Value | undefined, m: Member): Extract<Value, { t: 'string' }> {
  if (value?.t !== 'string') throw new Unconvertible(`${m.name} is only converted with a string argument`, m.at);
  return value;
}

function stringMethod(tr: Translation, s: Extract<Value, { t: 'string' }>, m: Member): Value {
  const name = methodName(m);
  const fold = () => {
    if (!s.ascii) tr.notes.add(NOTES.caseFolding);
  };
  switch (name) {
    case 'startsWith':
    case 'endsWith':
    case 'contains': {
      const [arg] = argument(tr, m, 1);
      return bool(method(s.cel, name, stringArg(arg, m).cel));
    }
    case 'equals': {
      const [arg] = argument(tr, m, 1);
      return { t: 'bool', cel: tr.equality(s, arg as Value, m.at) };
    }
    case 'equalsIgnoreCase': {
      const other = literalArg(m.args, m.at, 'equalsIgnoreCase');
      if (!/^[\x00-\x7f]*$/.test(other))
        throw new Unconvertible('equalsIgnoreCase with non-ASCII text is not converted', m.at);
      fold();
      return bool(cmp('==', method(s.cel, 'lowerAscii'), lit(other.toLowerCase())));
    }
    case 'isEmpty':
      return bool(cmp('==', s.cel, lit('')));
    case 'toLowerCase':
    case 'toUpperCase':
      fold();
      return string(method(s.cel, name === 'toLowerCase' ? 'lowerAscii' : 'upperAscii'), s.ascii);
    case 'matches': {
      const regex = javaRegexToRe2(literalArg(m.args, m.at, 'matches'));
      if (!regex.ok) throw new Unconvertible(regex.reason, m.at);
      // Checked here too, so the reason names the regular expression rather than the whole rule.
      const re2 = compileRule(`"".matches(${quote(regex.re2)})`);
      if (!re2.ok) throw new Unconvertible(`the regular expression is not valid RE2: ${re2.error}`, m.at);
      for (const note of regex.notes) tr.notes.add(note);
      return bool(method(s.cel, 'matches', lit(regex.re2)));
    }
    default:
      throw new Unconvertible(`String.${m.name}${m.call ? '()' : ''} is not converted`, m.at);
  }
}

function optionalMethod(tr: Translation, o: Extract<Value, { t: 'optional' }>, m: Member): Value {
  const name = methodName(m);
  switch (name) {
    case 'isPresent':
      return bool(o.present);
    case 'isEmpty':
      return bool(not(o.present));
    case 'get':
      if (!o.comparable) throw new Unconvertible(`the text of ${o.what} differs between the two gateways`, m.at);
      return { t: 'string', cel: o.cel, present: undefined, ascii: false };
    case 'orElse': {
      const [fallback] = argument(tr, m, 1);
      if (!o.comparable) throw new Unconvertible(`the text of ${o.what} differs between the two gateways`, m.at);
      if (fallback?.t === 'null') return { t: 'string', cel: o.cel, present: o.present, ascii: false };
      const value = stringArg(fallback, m);
      // request.user is "" exactly when there is no user, so orElse("") is request.user itself.
      if (o.cel === REQUEST_USER && value.cel.k === 'lit' && value.cel.v === '') return string(o.cel, false);
      return string(cond(o.present, o.cel, value.cel), false);
    }
    case 'equals': {
      const [arg] = argument(tr, m, 1);
      return { t: 'bool', cel: tr.equality(o, arg as Value, m.at) };
    }
    default:
      throw new Unconvertible(`Optional.${m.name} is not converted`, m.at);
  }
}

function setMethod(tr: Translation, set: Extract<Value, { t: 'list' | 'schemas' | 'tables' }>, m: Member): Value {
  const collection = set.t === 'list' ? set.cel : path(set.t === 'schemas' ? 'sql.schemas' : 'sql.tables');
  const name = methodName(m);
  switch (name) {
    case 'contains': {
      const [arg] = argument(tr, m, 1);
      return { t: 'bool', cel: tr.contains(set, arg as Value, m.at) };
    }
    case 'isEmpty':
      return bool(cmp('==', call('size', collection), lit(0)));
    case 'size':
      // Distinct bare schema names can be fewer than distinct 'catalog.schema' pairs.
      if (set.t === 'schemas') throw new Unconvertible('getSchemas().size() is not converted', m.at);
      return { t: 'int', cel: call('size', collection) };
    default:
      throw new Unconvertible(`Set.${m.name} is not converted`, m.at);
  }
}

/**
 * tablesContains("a.\"b\".c") the way Trino Gateway reads it: dot-separated parts, optionally
 * double-quoted (a backslash keeps the next quote inside), compared lower-cased.
 */
export function qualifiedTableName(text: string): { name: string; reason?: undefined } | { reason: string } {
  const parts: string[] = [];
  let start = 0;
  let inQuotes = false;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      if (!inQuotes) {
        if (i !== start) return { reason: `a quote inside a name part never matches in Trino Gateway ("${text}")` };
        start++;
        quoted = true;
      }
      if (inQuotes && text[i - 1] === '\\') continue;
      inQuotes = !inQuotes;
    } else if (c === '.' && !inQuotes) {
      parts.push(text.slice(start, quoted ? i - 1 : i));
      start = i + 1;
      quoted = false;
    }
  }
  parts.push(text.slice(start, quoted ? text.length - 1 : text.length));
  if (parts.length !== 3)
    return { reason: `"${text}" is not catalog.schema.table, so it never matches in Trino Gateway` };
  if (parts.some((part) => part === '' || part.includes('.'))) {
    return { reason: `"${text}" has an empty name part or one containing '.', which sql.tables cannot express` };
  }
  return { name: parts.map((part) => part.toLowerCase()).join('.') };
}
