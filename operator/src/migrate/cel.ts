// A small CEL expression tree for the converter: built by the MVEL translator, simplified, and
// printed with only the parentheses CEL's precedence needs, so converted rules stay readable.

export type Cel =
  | { readonly k: 'lit'; readonly v: string | boolean | number }
  /** A variable or field path such as `request.method` or `sql.tables`. */
  | { readonly k: 'path'; readonly v: string }
  | { readonly k: 'index'; readonly target: Cel; readonly key: string }
  | { readonly k: 'in'; readonly item: Cel; readonly coll: Cel }
  | { readonly k: 'cmp'; readonly op: '==' | '!=' | '<' | '<=' | '>' | '>='; readonly l: Cel; readonly r: Cel }
  | { readonly k: 'add'; readonly l: Cel; readonly r: Cel }
  /** A method (`target.fn(args)`) or, without target, a global function (`size(x)`). */
  | { readonly k: 'call'; readonly fn: string; readonly target?: Cel; readonly args: readonly Cel[] }
  | { readonly k: 'not'; readonly x: Cel }
  | { readonly k: 'and' | 'or'; readonly xs: readonly Cel[] }
  | { readonly k: 'cond'; readonly c: Cel; readonly a: Cel; readonly b: Cel }
  | { readonly k: 'exists'; readonly range: Cel; readonly v: string; readonly body: Cel };

export const TRUE: Cel = { k: 'lit', v: true };
export const FALSE: Cel = { k: 'lit', v: false };

export const lit = (v: string | boolean | number): Cel => ({ k: 'lit', v });
export const path = (v: string): Cel => ({ k: 'path', v });
export const index = (target: Cel, key: string): Cel => ({ k: 'index', target, key });
export const isIn = (item: Cel, coll: Cel): Cel => ({ k: 'in', item, coll });
export const cmp = (op: '==' | '!=' | '<' | '<=' | '>' | '>=', l: Cel, r: Cel): Cel => ({ k: 'cmp', op, l, r });
export const method = (target: Cel, fn: string, ...args: Cel[]): Cel => ({ k: 'call', fn, target, args });
export const call = (fn: string, ...args: Cel[]): Cel => ({ k: 'call', fn, args });
export const cond = (c: Cel, a: Cel, b: Cel): Cel => ({ k: 'cond', c, a, b });
export const add = (l: Cel, r: Cel): Cel => ({ k: 'add', l, r });
export const exists = (range: Cel, v: string, body: Cel): Cel => ({ k: 'exists', range, v, body });

const isLit = (x: Cel, v: boolean) => x.k === 'lit' && x.v === v;

/** Negation, folding literals, double negation and (in)equality. */
export function not(x: Cel): Cel {
  if (x.k === 'lit' && typeof x.v === 'boolean') return lit(!x.v);
  if (x.k === 'not') return x.x;
  // Same value, same errors: `!(a == b)` is `a != b`.
  if (x.k === 'cmp' && (x.op === '==' || x.op === '!=')) return { ...x, op: x.op === '==' ? '!=' : '==' };
  return { k: 'not', x };
}

/** Conjunction, flattened, with `true` dropped and `false` absorbing. */
export function and(...xs: Cel[]): Cel {
  const flat = xs.flatMap((x) => (x.k === 'and' ? x.xs : [x])).filter((x) => !isLit(x, true));
  if (flat.some((x) => isLit(x, false))) return FALSE;
  const unique = dedupe(flat);
  return unique.length === 0 ? TRUE : unique.length === 1 ? (unique[0] as Cel) : { k: 'and', xs: unique };
}

/** Disjunction, flattened, with `false` dropped and `true` absorbing. */
export function or(...xs: Cel[]): Cel {
  const flat = xs.flatMap((x) => (x.k === 'or' ? x.xs : [x])).filter((x) => !isLit(x, false));
  if (flat.some((x) => isLit(x, true))) return TRUE;
  const unique = dedupe(flat);
  return unique.length === 0 ? FALSE : unique.length === 1 ? (unique[0] as Cel) : { k: 'or', xs: unique };
}

function dedupe(xs: Cel[]): Cel[] {
  const seen = new Set<string>();
  return xs.filter((x) => {
    const text = print(x);
    if (seen.has(text)) return false;
    seen.add(text);
    return true;
  });
}

/** True when the expression reads a variable under `sql.` (the rule then needs the statement parsed). */
export function usesSql(x: Cel): boolean {
  switch (x.k) {
    case 'lit':
      return false;
    case 'path':
      return x.v === 'sql' || x.v.startsWith('sql.');
    case 'index':
      return usesSql(x.target);
    case 'in':
      return usesSql(x.item) || usesSql(x.coll);
    case 'cmp':
    case 'add':
      return usesSql(x.l) || usesSql(x.r);
    case 'call':
      return (x.target !== undefined && usesSql(x.target)) || x.args.some(usesSql);
    case 'not':
      return usesSql(x.x);
    case 'and':
    case 'or':
      return x.xs.some(usesSql);
    case 'cond':
      return usesSql(x.c) || usesSql(x.a) || usesSql(x.b);
    case 'exists':
      return usesSql(x.range) || usesSql(x.body);
  }
}

/** A CEL string literal. JSON's escapes (\" \\ \n \uXXXX …) are all valid CEL escapes. */
export const quote = (text: string): string => JSON.stringify(text);

// Binding strength, loosest first: ?: < || < && < relations < + < unary < member/call/index.
const LEVEL = { cond: 1, or: 2, and: 3, rel: 4, add: 5, unary: 6, primary: 7 } as const;

function level(x: Cel): number {
  switch (x.k) {
    case 'cond':
      return LEVEL.cond;
    case 'or':
      return LEVEL.or;
    case 'and':
      return LEVEL.and;
    case 'in':
    case 'cmp':
      return LEVEL.rel;
    case 'add':
      return LEVEL.add;
    case 'not':
      return LEVEL.unary;
    default:
      return LEVEL.primary;
  }
}

/** Prints `x`, parenthesised when it binds more loosely than `min`. */
function at(x: Cel, min: number): string {
  const text = print(x);
  return level(x) < min ? `(${text})` : text;
}

export function print(x: Cel): string {
  switch (x.k) {
    case 'lit':
      return typeof x.v === 'string' ? quote(x.v) : String(x.v);
    case 'path':
      return x.v;
    case 'index':
      return `${at(x.target, LEVEL.primary)}[${quote(x.key)}]`;
    case 'in':
      return `${at(x.item, LEVEL.add)} in ${at(x.coll, LEVEL.add)}`;
    case 'cmp':
      return `${at(x.l, LEVEL.add)} ${x.op} ${at(x.r, LEVEL.add)}`;
    case 'add':
      return `${at(x.l, LEVEL.add)} + ${at(x.r, LEVEL.unary)}`;
    case 'call': {
      const args = x.args.map((arg) => print(arg)).join(', ');
      return x.target === undefined ? `${x.fn}(${args})` : `${at(x.target, LEVEL.primary)}.${x.fn}(${args})`;
    }
    case 'not':
      return `!${at(x.x, LEVEL.unary)}`;
    case 'and':
      return x.xs.map((item) => at(item, LEVEL.rel)).join(' && ');
    case 'or':
      return x.xs.map((item) => at(item, LEVEL.and)).join(' || ');
    case 'cond':
      return `${at(x.c, LEVEL.or)} ? ${at(x.a, LEVEL.or)} : ${at(x.b, LEVEL.cond)}`;
    case 'exists':
      return `${at(x.range, LEVEL.primary)}.exists(${x.v}, ${print(x.body)})`;
  }
}
