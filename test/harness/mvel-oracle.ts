// A test oracle for the Trino Gateway → Junction rule converter: evaluates Trino Gateway rules
// on a sample request with MVEL's semantics (null-safe ==, `contains`, Java strings, Optional,
// every matching rule runs, last result.put wins), and routes the same sample with the converted
// Junction resources (first matching rule by group priority), so tests can compare the two.

import { isCelError, run } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { buildRegistry, compileRule, parseResources, type RuleRequest } from '@junction/shared';
import { parseAllDocuments } from 'yaml';
import { type Expr, parseExpression, parseStatements, type Statement } from '../../operator/src/migrate/mvel-parser.js';

export interface SampleRequest {
  readonly method?: string;
  readonly path?: string;
  /** Header names in any case. */
  readonly headers?: Readonly<Record<string, string>>;
  /** SQL facts; schemas are 'catalog.schema', tables 'catalog.schema.table'. */
  readonly sql?: {
    readonly statement?: string;
    readonly queryType?: string;
    readonly catalogs?: readonly string[];
    readonly schemas?: readonly string[];
    readonly tables?: readonly string[];
    readonly error?: string;
  };
}

/** Thrown where MVEL would throw; Trino Gateway answers such requests with HTTP 500. */
export class MvelThrows extends Error {}

class Optional {
  constructor(readonly value: string | null) {}
}
class QualifiedName {
  constructor(readonly parts: readonly string[]) {}
}
type Java = string | number | boolean | null | Optional | Set<unknown> | QualifiedName | { readonly kind: string };

const header = (s: SampleRequest, name: string): string | null => {
  const found = Object.entries(s.headers ?? {}).find(([key]) => key.toLowerCase() === name.toLowerCase());
  return found === undefined ? null : found[1];
};

function gatewayUser(s: SampleRequest): string | null {
  const user = header(s, 'X-Trino-User');
  if (user !== null) return user;
  const auth = header(s, 'Authorization');
  if (auth?.includes('Basic'))
    return (
      Buffer.from(auth.split(' ')[1] ?? '', 'base64')
        .toString('utf8')
        .split(':')[0] ?? ''
    );
  return null;
}

function equalsJava(a: Java, b: Java): boolean {
  if (a === null || b === null) return a === b;
  if (a instanceof Optional && b instanceof Optional) return a.value === b.value;
  return a === b;
}

function containsCheck(a: Java, b: Java): boolean {
  if (a === null) return false;
  if (typeof a === 'string') return a.includes(String(b));
  if (a instanceof Set) return [...a].some((item) => equalsJava(item as Java, b));
  return false;
}

function method(s: SampleRequest, target: Java, name: string, args: Java[]): Java {
  if (target === null) throw new MvelThrows(`NullPointerException calling ${name}`);
  const arg = args[0] ?? null;
  const sql = s.sql ?? {};
  if (typeof target === 'string') {
    const text = target;
    const needString = () => {
      if (typeof arg !== 'string') throw new MvelThrows('NullPointerException');
      return arg;
    };
    const strings: Record<string, () => Java> = {
      startsWith: () => text.startsWith(needString()),
      endsWith: () => text.endsWith(needString()),
      contains: () => text.includes(needString()),
      equals: () => equalsJava(text, arg),
      equalsIgnoreCase: () => typeof arg === 'string' && text.toLowerCase() === arg.toLowerCase(),
      isEmpty: () => text === '',
      empty: () => text === '',
      toLowerCase: () => text.toLowerCase(),
      toUpperCase: () => text.toUpperCase(),
      matches: () => new RegExp(`^(?:${needString()})$`).test(text),
    };
    const found = strings[name];
    if (found === undefined) throw new Error(`oracle: String.${name}`);
    return found();
  }
  if (target instanceof Optional) {
    const optional: Record<string, () => Java> = {
      isPresent: () => target.value !== null,
      present: () => target.value !== null,
      isEmpty: () => target.value === null,
      get: () => {
        if (target.value === null) throw new MvelThrows('NoSuchElementException');
        return target.value;
      },
      orElse: () => target.value ?? arg,
      equals: () => equalsJava(target, arg),
    };
    return (optional[name] ?? (() => 'oracle: Optional'))();
  }
  if (target instanceof Set) {
    if (name === 'contains') return containsCheck(target, arg);
    if (name === 'isEmpty' || name === 'empty') return target.size === 0;
    if (name === 'size') return target.size;
  }
  if (typeof target === 'object' && 'kind' in target) {
    const tables = new Set((sql.tables ?? []).map((t) => new QualifiedName(t.split('.'))));
    const members: Record<string, () => Java> = {
      'request.getHeader': () => header(s, String(arg)),
      'request.getMethod': () => s.method ?? 'POST',
      'request.getRequestURI': () => s.path ?? '/v1/statement',
      'user.getUser': () => new Optional(gatewayUser(s)),
      'user.userExistsAndEquals': () => gatewayUser(s) === arg,
      'query.getQueryType': () => sql.statement ?? '',
      'query.getResourceGroupQueryType': () => sql.queryType ?? '',
      'query.getDefaultCatalog': () => new Optional(header(s, 'X-Trino-Catalog')),
      'query.getDefaultSchema': () => new Optional(header(s, 'X-Trino-Schema')),
      'query.getCatalogs': () => new Set(sql.catalogs ?? []),
      'query.getSchemas': () => new Set((sql.schemas ?? []).map((cs) => cs.slice(cs.indexOf('.') + 1))),
      'query.getCatalogSchemas': () => new Set(sql.schemas ?? []),
      'query.getTables': () => tables,
      'query.tablesContains': () => (sql.tables ?? []).includes(String(arg).toLowerCase()),
      'query.isNewQuerySubmission': () => (s.method ?? 'POST') === 'POST',
      'query.isQueryParsingSuccessful': () => (sql.error ?? '') === '',
      'query.getErrorMessage': () => new Optional(sql.error ? sql.error : null),
      'java.util': () => ({ kind: 'java.util' }),
      'java.util.Optional': () => ({ kind: 'Optional' }),
      'Optional.of': () => new Optional(arg as string),
      'Optional.empty': () => new Optional(null),
      'FileBasedRoutingGroupSelector.RESULTS_ROUTING_GROUP_KEY': () => 'routingGroup',
    };
    // MVEL's property style: `x.catalogs` and `x.getCatalogs` both call getCatalogs().
    const capital = name.charAt(0).toUpperCase() + name.slice(1);
    const found = [name, `get${capital}`, `is${capital}`].map((n) => members[`${target.kind}.${n}`]).find(Boolean);
    if (found === undefined) throw new Error(`oracle: ${target.kind}.${name}`);
    return found();
  }
  throw new Error(`oracle: ${name} on ${String(target)}`);
}

function evaluate(s: SampleRequest, e: Expr): Java {
  switch (e.k) {
    case 'string':
    case 'int':
    case 'bool':
      return e.v;
    case 'null':
      return null;
    case 'name': {
      const kinds: Record<string, string> = {
        request: 'request',
        trinoRequestUser: 'user',
        trinoQueryProperties: 'query',
      };
      return { kind: kinds[e.name] ?? e.name };
    }
    case 'member':
      return method(
        s,
        evaluate(s, e.target),
        e.name,
        e.args.map((arg) => evaluate(s, arg)),
      );
    case 'not':
      return !truth(evaluate(s, e.x));
    case 'binary': {
      if (e.op === '&&') return truth(evaluate(s, e.l)) && truth(evaluate(s, e.r));
      if (e.op === '||') return truth(evaluate(s, e.l)) || truth(evaluate(s, e.r));
      const [l, r] = [evaluate(s, e.l), evaluate(s, e.r)];
      if (e.op === '==') return equalsJava(l, r);
      if (e.op === '!=') return !equalsJava(l, r);
      if (e.op === 'contains') return containsCheck(l, r);
      const [a, b] = [Number(l), Number(r)];
      return { '<': a < b, '>': a > b, '<=': a <= b, '>=': a >= b }[e.op];
    }
  }
}

function truth(value: Java): boolean {
  if (typeof value !== 'boolean') throw new MvelThrows('ClassCastException: not a boolean');
  return value;
}

function execute(s: SampleRequest, statements: readonly Statement[], result: Map<string, string>): void {
  for (const statement of statements) {
    if (statement.k === 'expr') {
      const e = statement.e;
      if (e.k !== 'member' || e.name !== 'put') throw new Error('oracle: only result.put');
      result.set(String(evaluate(s, e.args[0] as Expr)), String(evaluate(s, e.args[1] as Expr)));
      continue;
    }
    const branch = statement.branches.find((b) => truth(evaluate(s, b.cond)));
    execute(s, branch?.body ?? statement.otherwise ?? [], result);
  }
}

const memo = <T>(build: (text: string) => T) => {
  const cache = new Map<string, T>();
  return (text: string): T => {
    const known = cache.get(text);
    if (known !== undefined) return known;
    const built = build(text);
    cache.set(text, built);
    return built;
  };
};

/** The rules in Trino Gateway's order: a stable sort by priority (absent = 0). */
const parsedRules = memo((rulesYaml) =>
  parseAllDocuments(rulesYaml)
    .map((document) => document.toJS() as { condition: string; actions: string[]; priority?: number } | null)
    .filter((rule) => rule !== null)
    .sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0))
    .map((rule) => ({ condition: parseExpression(rule.condition), actions: rule.actions.map(parseStatements) })),
);

/** Trino Gateway's choice: the routing group, or MvelThrows when its rule evaluation fails. */
export function gatewayRoute(rulesYaml: string, s: SampleRequest, defaultGroup = 'adhoc'): string {
  const result = new Map<string, string>();
  for (const rule of parsedRules(rulesYaml)) {
    if (!truth(evaluate(s, rule.condition))) continue;
    for (const action of rule.actions) execute(s, action, result);
  }
  const group = result.get('routingGroup');
  return group === undefined || group === '' ? defaultGroup : group;
}

export function ruleRequest(s: SampleRequest): RuleRequest {
  const headers = Object.fromEntries(Object.entries(s.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const basic = /^basic /i.test(headers.authorization ?? '')
    ? Buffer.from((headers.authorization as string).slice(6), 'base64').toString('utf8')
    : '';
  return {
    method: s.method ?? 'POST',
    path: s.path ?? '/v1/statement',
    query: {},
    headers,
    user: headers['x-trino-user'] || headers['x-presto-user'] || (basic.includes(':') ? basic.split(':')[0] : '') || '',
    source: headers['x-trino-source'] ?? '',
    clientTags: (headers['x-trino-client-tags'] ?? '').split(',').filter((t) => t !== ''),
    catalog: headers['x-trino-catalog'] ?? '',
    schema: headers['x-trino-schema'] ?? '',
  };
}

/**
 * Junction's choice with the converted resources: the first matching rule over groups ordered
 * by priority then name, else the default group. Conditions without sql.* go through
 * compileRule; sql.* is not in its type checker yet, so those run on a plain CEL environment.
 */
const parsedResources = memo((resourcesYaml) => {
  const { clusters, groups } = parseResources(resourcesYaml, 'converted');
  const registry = buildRegistry({ clusters, groups, defaultRoutingGroup: 'adhoc', generation: 1 });
  const ordered = [...groups].sort(
    (a, b) => a.spec.priority - b.spec.priority || (a.metadata.name < b.metadata.name ? -1 : 1),
  );
  return { registry, ordered };
});

export function junctionRoute(resourcesYaml: string, s: SampleRequest): string {
  const { registry, ordered } = parsedResources(resourcesYaml);
  const request = ruleRequest(s);
  const sql = {
    parsed: true,
    error: '',
    statement: '',
    queryType: '',
    catalogs: [],
    schemas: [],
    tables: [],
    ...s.sql,
  };
  for (const group of ordered) {
    for (const rule of group.spec.rules) {
      let matches: boolean;
      if (rule.condition.includes('sql.')) {
        const value = run(rule.condition, { request: request as never, sql: sql as never }, { funcs: strings });
        matches = !isCelError(value) && value === true;
      } else {
        const compiled = compileRule(rule.condition);
        if (!compiled.ok) throw new Error(`${rule.name}: ${compiled.error}`);
        matches = compiled.matches(request);
      }
      if (matches) return group.metadata.name;
    }
  }
  return registry.defaultGroup ?? '(none)';
}
