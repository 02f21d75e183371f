// The type checker for routing-rule conditions: @bufbuild/cel has no usable one, so this small one for
// the fixed `request` and `sql` shapes turns typos and non-boolean conditions into compile errors, and
// says which variables a condition reads (a condition that never reads `sql` must not cost a parse).
import { type CelMap, CelScalar, celEnv, isCelError, mapType, type parse, plan, run } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import type { RuleRequest, RuleSql } from './model.js';

export type Expr = ReturnType<typeof parse>['expr'];
type CallExpr = Extract<Expr['exprKind'], { case: 'callExpr' }>['value'];
type Comprehension = Extract<Expr['exprKind'], { case: 'comprehensionExpr' }>['value'];
const SCALARS = ['bool', 'int', 'uint', 'double', 'string', 'bytes', 'null_type', 'type', 'dyn'] as const;
type CelT = (typeof SCALARS)[number] | 'list(string)' | 'list' | 'map(string, string)' | 'map' | 'request' | 'sql';

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

const SQL_FIELDS = {
  parsed: 'bool',
  error: 'string',
  statement: 'string',
  queryType: 'string',
  catalogs: 'list(string)',
  schemas: 'list(string)',
  tables: 'list(string)',
} as const satisfies Record<keyof RuleSql, CelT>;

/** The variables a condition may read, with their fields. */
const VARIABLES: Record<string, { type: CelT; fields: Record<string, CelT> }> = {
  request: { type: 'request', fields: REQUEST_FIELDS },
  sql: { type: 'sql', fields: SQL_FIELDS },
};

// The CEL environment rules are planned in: the string extension, and both variables as maps.
const env = celEnv({
  funcs: strings,
  variables: { request: mapType(CelScalar.STRING, CelScalar.DYN), sql: mapType(CelScalar.STRING, CelScalar.DYN) },
});

/** A checked condition planned in the rules' environment; throws what @bufbuild/cel's planner throws. */
export function planCondition(
  parsed: ReturnType<typeof parse>,
): (bindings: { request: CelMap; sql: CelMap }) => unknown {
  return plan(env, parsed);
}

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

export class CheckError extends Error {}

/** Groups types that CEL can compare with each other; undefined when anything goes. */
function family(type: CelT): string | undefined {
  if (type === 'dyn' || type === 'null_type') return undefined;
  if (type === 'int' || type === 'uint' || type === 'double') return 'number';
  if (type.startsWith('list')) return 'list';
  if (type.startsWith('map') || type === 'request' || type === 'sql') return 'map';
  return type;
}

function expectBool(type: CelT, operator: string): void {
  if (type !== 'bool' && type !== 'dyn') throw new CheckError(`operator ${operator} needs bool operands, got ${type}`);
}

function variableFields(type: CelT): Readonly<Record<string, CelT>> | undefined {
  for (const variable of Object.values(VARIABLES)) if (variable.type === type) return variable.fields;
  return undefined;
}

function indexType(container: CelT, key: Expr | undefined): CelT {
  if (container === 'map(string, string)' || container === 'list(string)') return 'string';
  const fields = variableFields(container);
  if (fields !== undefined) {
    const constant = key?.exprKind.case === 'constExpr' ? key.exprKind.value.constantKind : undefined;
    if (constant?.case !== 'stringValue') return 'dyn';
    const fieldType = fields[constant.value];
    if (fieldType === undefined) throw new CheckError(`undefined field '${constant.value}' on ${container}`);
    return fieldType;
  }
  if (family(container) !== undefined && family(container) !== 'list' && family(container) !== 'map') {
    throw new CheckError(`type ${container} cannot be indexed`);
  }
  return 'dyn';
}

/** Checks one condition; `variables` collects the top-level variables it reads. */
class Checker {
  readonly variables = new Set<string>();

  typeOf(expr: Expr, scope: ReadonlyMap<string, CelT>): CelT {
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
        const variable = VARIABLES[name];
        if (variable !== undefined) {
          this.variables.add(name);
          return variable.type;
        }
        if (TYPE_NAMES.has(name)) return 'type';
        throw new CheckError(`undeclared reference to '${name}'`);
      }
      case 'selectExpr': {
        const { operand, field, testOnly } = kind.value;
        const type = operand === undefined ? 'dyn' : this.typeOf(operand, scope);
        const fields = variableFields(type);
        if (fields !== undefined) {
          const fieldType = fields[field];
          if (fieldType === undefined) {
            throw new CheckError(`undefined field '${field}' on ${type} (fields: ${Object.keys(fields).join(', ')})`);
          }
          return testOnly ? 'bool' : fieldType;
        }
        if (family(type) !== 'map' && type !== 'dyn')
          throw new CheckError(`type ${type} does not support field selection`);
        return testOnly ? 'bool' : type === 'map(string, string)' ? 'string' : 'dyn';
      }
      case 'callExpr':
        return this.callType(kind.value, scope);
      case 'listExpr': {
        const types = kind.value.elements.map((element) => this.typeOf(element, scope));
        return types.length > 0 && types.every((type) => type === 'string') ? 'list(string)' : 'list';
      }
      case 'structExpr':
        for (const entry of kind.value.entries) {
          if (entry.keyKind.case === 'mapKey') this.typeOf(entry.keyKind.value, scope);
          if (entry.value !== undefined) this.typeOf(entry.value, scope);
        }
        if (kind.value.messageName !== '') throw new CheckError(`unknown message type '${kind.value.messageName}'`);
        return 'map';
      case 'comprehensionExpr':
        return this.comprehensionType(kind.value, scope);
      default:
        throw new CheckError('unsupported expression');
    }
  }

  callType(call: CallExpr, scope: ReadonlyMap<string, CelT>): CelT {
    const name = call.function;
    const target = call.target;
    if (target?.exprKind.case === 'identExpr' && !scope.has(target.exprKind.value.name)) {
      const qualified = `${target.exprKind.value.name}.${name}`;
      if (env.funcs.find(qualified) !== undefined) {
        for (const arg of call.args) this.typeOf(arg, scope);
        return RESULT_TYPES.get(qualified) ?? 'dyn';
      }
    }
    const targetType = target === undefined ? undefined : this.typeOf(target, scope);
    const args = call.args.map((arg) => this.typeOf(arg, scope));
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

  comprehensionType(loop: Comprehension, scope: ReadonlyMap<string, CelT>): CelT {
    const range = loop.iterRange === undefined ? 'dyn' : this.typeOf(loop.iterRange, scope);
    const element =
      loop.iterVar2 === '' && (range === 'list(string)' || range === 'map(string, string)') ? 'string' : 'dyn';
    const accumulator = loop.accuInit === undefined ? 'dyn' : this.typeOf(loop.accuInit, scope);
    const inner = new Map(scope).set(loop.iterVar, element).set(loop.accuVar, accumulator);
    if (loop.iterVar2 !== '') inner.set(loop.iterVar2, 'dyn');
    if (loop.loopCondition !== undefined) this.typeOf(loop.loopCondition, inner);
    if (loop.loopStep !== undefined) this.typeOf(loop.loopStep, inner);
    return loop.result === undefined ? 'dyn' : this.typeOf(loop.result, new Map(scope).set(loop.accuVar, accumulator));
  }
}

/** The condition's result type and the variables it reads; throws CheckError on a type error. */
export function checkCondition(expr: Expr): { type: CelT; variables: ReadonlySet<string> } {
  const checker = new Checker();
  const type = checker.typeOf(expr, new Map());
  return { type, variables: checker.variables };
}

export function syntaxError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const match = /^<input>:(\d+:\d+): (found .*?)(?: but expecting (.*))?$/s.exec(text);
  if (match === null) return `syntax error: ${text}`;
  const expecting = match[3] !== undefined && match[3].length <= 60 ? ` but expecting ${match[3]}` : '';
  return `syntax error at ${match[1]}: ${match[2]}${expecting}`;
}
