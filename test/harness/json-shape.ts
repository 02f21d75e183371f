// The shape of a JSON document: which keys, which JSON types, recursively; values are ignored. Shapes of
// many documents merge into one, and a document (or shape) can be checked against it. This is how the
// simulated backends are held to what real Trino sends (test/fixtures/trino-476-shapes.json).
//
// A shape is itself plain JSON, readable in a diff:
//   "string" | "number" | "boolean" | "null"   a primitive; "number|string" when either was seen
//   []  /  [<shape>]                           an array seen only empty / whose elements have <shape>
//   { "key": <shape>, "other?": <shape> }      an object; "?" marks a key some documents omitted
//   { "$anyOf": [<shape>, …] }                 a value seen both as a primitive and as an object/array

export type Shape = string | Shape[] | { [key: string]: Shape };

type Primitive = 'string' | 'number' | 'boolean' | 'null';

/** A shape taken apart: the primitive kinds, and at most one object and one array alternative. */
interface Parts {
  primitives: Set<Primitive>;
  object: Map<string, { shape: Shape; optional: boolean }> | undefined;
  array: { items: Shape | undefined } | undefined;
}

const ANY_OF = '$anyOf';

/** How shapeDifferences ends the line for a key `expected` always has and `actual` lacks. */
export const MISSING = 'missing (Trino always sends it)';

export function shapeOf(value: unknown): Shape {
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    let items: Shape | undefined;
    for (const item of value) items = items === undefined ? shapeOf(item) : mergeShapes(items, shapeOf(item));
    return items === undefined ? [] : [items];
  }
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return typeof value;
    case 'object': {
      const shape: { [key: string]: Shape } = {};
      for (const [key, field] of Object.entries(value as object)) {
        if (field !== undefined) shape[key] = shapeOf(field);
      }
      return shape;
    }
    default:
      throw new Error(`not a JSON value: ${typeof value}`);
  }
}

/** One shape that every document of `a` and of `b` has; keys missing on one side become optional. */
export function mergeShapes(a: Shape, b: Shape): Shape {
  const left = parts(a);
  const right = parts(b);
  const merged: Parts = {
    primitives: new Set([...left.primitives, ...right.primitives]),
    object: left.object ?? right.object,
    array: left.array ?? right.array,
  };
  if (left.object && right.object) {
    merged.object = new Map();
    for (const key of interleave([...left.object.keys()], [...right.object.keys()])) {
      const l = left.object.get(key);
      const r = right.object.get(key);
      const shape = l && r ? mergeShapes(l.shape, r.shape) : ((l ?? r) as { shape: Shape }).shape;
      merged.object.set(key, { shape, optional: !l || !r || l.optional || r.optional });
    }
  }
  if (left.array && right.array) {
    const [l, r] = [left.array.items, right.array.items];
    merged.array = { items: l && r ? mergeShapes(l, r) : (l ?? r) };
  }
  return assemble(merged);
}

/**
 * Both key orders in one: a key only `b` has goes right after the key it follows in `b`, so documents
 * that share one field order (Trino's) merge to that order whichever was seen first.
 */
function interleave(a: string[], b: string[]): string[] {
  const order = [...a];
  let previous = -1;
  for (const key of b) {
    const at = order.indexOf(key);
    if (at >= 0) previous = at;
    else order.splice(++previous, 0, key);
  }
  return order;
}

export function shapeOfAll(values: unknown[]): Shape | undefined {
  let shape: Shape | undefined;
  for (const value of values) shape = shape === undefined ? shapeOf(value) : mergeShapes(shape, shapeOf(value));
  return shape;
}

/**
 * Where `actual` departs from `expected`, one line per difference, empty when it conforms: every key
 * `expected` always has is there, no key `expected` never has, and every value is of a type seen there.
 * An empty array conforms to any array; keys marked optional may be present or absent.
 */
export function shapeDifferences(expected: Shape, actual: Shape, path = '$'): string[] {
  const want = parts(expected);
  const got = parts(actual);
  const differences: string[] = [];
  const kinds = (p: Parts) => describe(p);
  for (const primitive of got.primitives) {
    if (!want.primitives.has(primitive)) differences.push(`${path}: Trino sends ${kinds(want)}, not ${primitive}`);
  }
  if (got.object) {
    if (!want.object) differences.push(`${path}: Trino sends ${kinds(want)}, not an object`);
    else {
      for (const [key, field] of want.object) {
        const other = got.object.get(key);
        if (!field.optional && (!other || other.optional)) {
          differences.push(`${path}.${key}: ${MISSING}`);
        }
      }
      for (const [key, field] of got.object) {
        const wanted = want.object.get(key);
        if (!wanted) differences.push(`${path}.${key}: Trino never sends this field here`);
        else differences.push(...shapeDifferences(wanted.shape, field.shape, `${path}.${key}`));
      }
    }
  }
  if (got.array) {
    if (!want.array) differences.push(`${path}: Trino sends ${kinds(want)}, not an array`);
    else if (got.array.items !== undefined) {
      if (want.array.items === undefined) differences.push(`${path}: Trino only ever sent an empty array here`);
      else differences.push(...shapeDifferences(want.array.items, got.array.items, `${path}[]`));
    }
  }
  return differences;
}

function parts(shape: Shape): Parts {
  const result: Parts = { primitives: new Set(), object: undefined, array: undefined };
  const add = (one: Shape) => {
    if (typeof one === 'string') {
      for (const kind of one.split('|')) result.primitives.add(kind as Primitive);
    } else if (Array.isArray(one)) {
      result.array = { items: one[0] };
    } else if (ANY_OF in one) {
      for (const alternative of one[ANY_OF] as Shape[]) add(alternative);
    } else {
      result.object = new Map(
        Object.entries(one).map(([key, field]) => {
          const optional = key.endsWith('?');
          return [optional ? key.slice(0, -1) : key, { shape: field, optional }];
        }),
      );
    }
  };
  add(shape);
  return result;
}

function assemble({ primitives, object, array }: Parts): Shape {
  const alternatives: Shape[] = [];
  if (primitives.size > 0) alternatives.push([...primitives].sort().join('|'));
  if (object) {
    const shape: { [key: string]: Shape } = {};
    for (const [key, field] of object) shape[field.optional ? `${key}?` : key] = field.shape;
    alternatives.push(shape);
  }
  if (array) alternatives.push(array.items === undefined ? [] : [array.items]);
  if (alternatives.length === 1) return alternatives[0] as Shape;
  return { [ANY_OF]: alternatives };
}

function describe(p: Parts): string {
  const kinds: string[] = [...p.primitives];
  if (p.object) kinds.push('an object');
  if (p.array) kinds.push('an array');
  return kinds.length === 0 ? 'nothing' : kinds.join(' or ');
}
