// Routing rules: CEL conditions over `request`, compiled once per distinct condition and evaluated
// on every new query. @bufbuild/cel has no usable type checker, so a small one for our fixed
// `request` shape below turns typos and non-boolean conditions into compile errors.
import { type CelInput, CelScalar, celEnv, celMap, isCelError, mapType, parse, plan, run } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import type { RuleRequest } from './model.js';

export type RuleCompileResult =
  | { readonly ok: true; matches(request: RuleRequest): boolean }
  | { readonly ok: false; readonly error: string };

type Expr = ReturnType<typeof parse>['expr'];
type CallExpr = Extract<Expr['exprKind'], { case: 'callExpr' }>['value'];
type Comprehension = Extract<Expr['exprKind'], { case: 'comprehensionExpr' }>['value'];
const SCALARS = ['bool', 'int', 'uint', 'double', 'string', 'bytes', 'null_type', 'type', 'dyn'] as const;
type CelT = (typeof SCALARS)[number] | 'list(string)' | 'list' | 'map(string, string)' | 'map' | 'request';

const REQUEST_FIELDS = {
  method: 'string',
  path: 'string',
  query: 'map(string, string)',
  headers: 'map(string, string)',
  user: 'string',
  source: 'string',
  clientTags: 'list(string)',
  catalog: 'string',
  schema: 'string',
} as const satisfies Record<keyof RuleRequest, CelT>;

const env = celEnv({ funcs: strings, variables: { request: mapType(CelScalar.STRING, CelScalar.DYN) } });

const CONSTANT_TYPES: Record<string, CelT> = {
  boolValue: 'bool',
  int64Value: 'int',
  uint64Value: 'uint',
  doubleValue: 'double',
  stringValue: 'string',
  bytesValue: 'bytes',
  nullValue: 'null_type',
};
const TYPE_NAMES = new Set<string>([...SCALARS, 'list', 'map']);
const LOGICAL: Record<string, string> = { '_&&_': '&&', '_||_': '||', '!_': '!', '@not_strictly_false': '&&' };
const COMPARISONS = new Set(['_==_', '_!=_', '_<_', '_<=_', '_>_', '_>=_']);
const ARITHMETIC = new Set(['_+_', '_-_', '_*_', '_/_', '_%_', '-_']);
const STRING_METHODS = new Set(['startsWith', 'endsWith', 'contains', 'matches', 'lowerAscii', 'upperAscii', 'trim']);
/** Functions whose result type is fixed; any other function yields dyn. */
const RESULT_GROUPS: [CelT, string[]][] = [
  ['bool', ['startsWith', 'endsWith', 'contains', 'matches', 'bool']],
  ['int', ['size', 'int', 'indexOf', 'lastIndexOf']],
  ['string', ['string', 'lowerAscii', 'upperAscii', 'trim', 'replace', 'substring', 'charAt', 'format', 'join']],
  ['string', ['strings.quote']],
  ['list(string)', ['split']],
  ['uint', ['uint']],
  ['double', ['double']],
  ['bytes', ['bytes']],
  ['type', ['type']],
];
const RESULT_TYPES = new Map(RESULT_GROUPS.flatMap(([type, names]) => names.map((name) => [name, type] as const)));

class CheckError extends Error {}

/** Groups types that CEL can compare with each other; undefined when anything goes. */
function family(type: CelT): string | undefined {
  if (type === 'dyn' || type === 'null_type') return undefined;
  if (type === 'int' || type === 'uint' || type === 'double') return 'number';
  if (type.startsWith('list')) return 'list';
  if (type.startsWith('map') || type === 'request') return 'map';
  return type;
}

function expectBool(type: CelT, operator: string): void {
  if (type !== 'bool' && type !== 'dyn') throw new CheckError(`operator ${operator} needs bool operands, got ${type}`);
}

function typeOf(expr: Expr, scope: ReadonlyMap<string, CelT>): CelT {
  const kind = expr.exprKind;
  switch (kind.case) {
    case 'constExpr': {
      const constant = kind.value.constantKind.case;
      return (constant !== undefined && CONSTANT_TYPES[constant]) || 'dyn';
    }
    case 'identExpr': {
      const name = kind.value.name;
      const local = scope.get(name);
      if (local !== undefined) return local;
      if (name === 'request') return 'request';
      if (TYPE_NAMES.has(name)) return 'type';
      throw new CheckError(`undeclared reference to '${name}'`);
    }
    case 'selectExpr': {
      const { operand, field, testOnly } = kind.value;
      const type = operand === undefined ? 'dyn' : typeOf(operand, scope);
      if (type === 'request') {
        const fieldType = (REQUEST_FIELDS as Record<string, CelT>)[field];
        if (fieldType === undefined) {
          throw new CheckError(
            `undefined field '${field}' on request (fields: ${Object.keys(REQUEST_FIELDS).join(', ')})`,
          );
        }
        return testOnly ? 'bool' : fieldType;
      }
      if (family(type) !== 'map' && type !== 'dyn')
        throw new CheckError(`type ${type} does not support field selection`);
      return testOnly ? 'bool' : type === 'map(string, string)' ? 'string' : 'dyn';
    }
    case 'callExpr':
      return callType(kind.value, scope);
    case 'listExpr': {
      const types = kind.value.elements.map((element) => typeOf(element, scope));
      return types.length > 0 && types.every((type) => type === 'string') ? 'list(string)' : 'list';
    }
    case 'structExpr':
      for (const entry of kind.value.entries) {
        if (entry.keyKind.case === 'mapKey') typeOf(entry.keyKind.value, scope);
        if (entry.value !== undefined) typeOf(entry.value, scope);
      }
      if (kind.value.messageName !== '') throw new CheckError(`unknown message type '${kind.value.messageName}'`);
      return 'map';
    case 'comprehensionExpr':
      return comprehensionType(kind.value, scope);
    default:
      throw new CheckError('unsupported expression');
  }
}

function callType(call: CallExpr, scope: ReadonlyMap<string, CelT>): CelT {
  const name = call.function;
  const target = call.target;
  if (target?.exprKind.case === 'identExpr' && !scope.has(target.exprKind.value.name)) {
    const qualified = `${target.exprKind.value.name}.${name}`;
    if (env.funcs.find(qualified) !== undefined) {
      for (const arg of call.args) typeOf(arg, scope);
      return RESULT_TYPES.get(qualified) ?? 'dyn';
    }
  }
  const targetType = target === undefined ? undefined : typeOf(target, scope);
  const args = call.args.map((arg) => typeOf(arg, scope));
  const [first = 'dyn', second = 'dyn', third = 'dyn'] = args;
  const operator = LOGICAL[name];
  if (operator !== undefined) {
    for (const arg of args) expectBool(arg, operator);
    return 'bool';
  }
  if (COMPARISONS.has(name)) {
    const [left, right] = [family(first), family(second)];
    if (left !== undefined && right !== undefined && left !== right) {
      throw new CheckError(`no matching overload for '${name}' applied to (${first}, ${second})`);
    }
    return 'bool';
  }
  switch (name) {
    case '@in':
      if (family(second) !== undefined && family(second) !== 'list' && family(second) !== 'map') {
        throw new CheckError(`operator 'in' needs a list or map on the right, got ${second}`);
      }
      return 'bool';
    case '_[_]':
      return indexType(first, call.args[1]);
    case '_?_:_':
      expectBool(first, '?:');
      return second === third ? second : 'dyn';
  }
  if (env.funcs.find(name) === undefined) throw new CheckError(`undeclared reference to '${name}'`);
  if (ARITHMETIC.has(name)) return args.every((arg) => arg === first) ? first : 'dyn';
  if (STRING_METHODS.has(name) && targetType !== undefined && targetType !== 'string' && targetType !== 'dyn') {
    throw new CheckError(`'${name}' applies to strings, not ${targetType}`);
  }
  const pattern = call.args[0]?.exprKind;
  if (name === 'matches' && pattern?.case === 'constExpr' && pattern.value.constantKind.case === 'stringValue') {
    const probe = run(`''.matches(p)`, { p: pattern.value.constantKind.value });
    if (isCelError(probe)) throw new CheckError(`invalid regular expression: ${probe.message}`);
  }
  return RESULT_TYPES.get(name) ?? 'dyn';
}

function indexType(container: CelT, key: Expr | undefined): CelT {
  if (container === 'map(string, string)' || container === 'list(string)') return 'string';
  if (container === 'request') {
    const constant = key?.exprKind.case === 'constExpr' ? key.exprKind.value.constantKind : undefined;
    if (constant?.case !== 'stringValue') return 'dyn';
    const fieldType = (REQUEST_FIELDS as Record<string, CelT>)[constant.value];
    if (fieldType === undefined) throw new CheckError(`undefined field '${constant.value}' on request`);
    return fieldType;
  }
  if (family(container) !== undefined && family(container) !== 'list' && family(container) !== 'map') {
    throw new CheckError(`type ${container} cannot be indexed`);
  }
  return 'dyn';
}

function comprehensionType(loop: Comprehension, scope: ReadonlyMap<string, CelT>): CelT {
  const range = loop.iterRange === undefined ? 'dyn' : typeOf(loop.iterRange, scope);
  const element =
    loop.iterVar2 === '' && (range === 'list(string)' || range === 'map(string, string)') ? 'string' : 'dyn';
  const accumulator = loop.accuInit === undefined ? 'dyn' : typeOf(loop.accuInit, scope);
  const inner = new Map(scope).set(loop.iterVar, element).set(loop.accuVar, accumulator);
  if (loop.iterVar2 !== '') inner.set(loop.iterVar2, 'dyn');
  if (loop.loopCondition !== undefined) typeOf(loop.loopCondition, inner);
  if (loop.loopStep !== undefined) typeOf(loop.loopStep, inner);
  return loop.result === undefined ? 'dyn' : typeOf(loop.result, new Map(scope).set(loop.accuVar, accumulator));
}

function syntaxError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const match = /^<input>:(\d+:\d+): (found .*?)(?: but expecting (.*))?$/s.exec(text);
  if (match === null) return `syntax error: ${text}`;
  const expecting = match[3] !== undefined && match[3].length <= 60 ? ` but expecting ${match[3]}` : '';
  return `syntax error at ${match[1]}: ${match[2]}${expecting}`;
}

/**
 * A Record seen as a ReadonlyMap without copying it: rules usually read one or two keys, so
 * building a Map of every header per request would be wasted work.
 */
class RecordView implements ReadonlyMap<string, CelInput> {
  constructor(private readonly record: Readonly<Record<string, unknown>>) {}
  get size(): number {
    return Object.keys(this.record).length;
  }
  get(key: string): CelInput | undefined {
    if (!Object.hasOwn(this.record, key)) return undefined;
    const value = this.record[key];
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return celMap(new RecordView(value as Record<string, unknown>));
    }
    return value as CelInput;
  }
  has(key: string): boolean {
    return this.get(key) !== undefined;
  }
  *entries(): MapIterator<[string, CelInput]> {
    for (const key of Object.keys(this.record)) yield [key, this.get(key) as CelInput];
  }
  *keys(): MapIterator<string> {
    yield* Object.keys(this.record);
  }
  *values(): MapIterator<CelInput> {
    for (const [, value] of this.entries()) yield value;
  }
  forEach(callback: (value: CelInput, key: string, map: ReadonlyMap<string, CelInput>) => void): void {
    for (const [key, value] of this.entries()) callback(value, key, this);
  }
  [Symbol.iterator](): MapIterator<[string, CelInput]> {
    return this.entries();
  }
}

function compile(condition: string): RuleCompileResult {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(condition);
  } catch (error) {
    return { ok: false, error: syntaxError(error) };
  }
  try {
    const type = typeOf(parsed.expr, new Map());
    if (type !== 'bool' && type !== 'dyn') return { ok: false, error: `condition must evaluate to bool, got ${type}` };
  } catch (error) {
    // Anything but a CheckError is a gap in this checker; rejecting the rule beats crashing a registry build.
    return { ok: false, error: error instanceof CheckError ? error.message : `cannot check condition: ${error}` };
  }
  try {
    const evaluate = plan(env, parsed);
    return {
      ok: true,
      matches(request: RuleRequest): boolean {
        try {
          return evaluate({ request: celMap(new RecordView(request as unknown as Record<string, unknown>)) }) === true;
        } catch {
          return false;
        }
      },
    };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

const CACHE_LIMIT = 1000;
const cache = new Map<string, RuleCompileResult>();

/**
 * Compiles a condition once; the result is shared by every registry build that sees the same text.
 * A runtime error or non-boolean result makes `matches` return false, never throw.
 */
export function compileRule(condition: string): RuleCompileResult {
  const cached = cache.get(condition);
  if (cached !== undefined) {
    // Re-inserting keeps recently used conditions at the end, so eviction drops the stalest.
    cache.delete(condition);
    cache.set(condition, cached);
    return cached;
  }
  const compiled = Object.freeze(compile(condition));
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(condition, compiled);
  return compiled;
}
