// The page-shape comparison the faithful-backend checks rely on: field names, JSON types, nesting.
import { mergeShapes, shapeDifferences, shapeOf, shapeOfAll } from './json-shape.js';

test('a shape keeps keys and JSON types, drops values, and skips undefined like JSON.stringify', () => {
  expect(shapeOf({ id: 'q1', n: 3, ok: true, none: null, gone: undefined, rows: [[1, 'a']], empty: [] })).toEqual({
    id: 'string',
    n: 'number',
    ok: 'boolean',
    none: 'null',
    rows: [['number|string']],
    empty: [],
  });
});

test('merging marks keys some documents lack as optional and unions the types seen', () => {
  const merged = shapeOfAll([
    { a: 1, b: { c: 'x' }, list: [] },
    { a: 'one', b: { c: 'y', d: 2 }, list: [{ e: true }] },
  ]);
  expect(merged).toEqual({ a: 'number|string', b: { c: 'string', 'd?': 'number' }, list: [{ e: 'boolean' }] });
  expect(mergeShapes('number', { x: 'string' })).toEqual({ $anyOf: ['number', { x: 'string' }] });
  expect(mergeShapes(mergeShapes('null', [['number']]), 'number')).toEqual({ $anyOf: ['null|number', [['number']]] });
});

test("merged keys keep the documents' shared field order, whichever document came first", () => {
  const full = { id: 'a', columns: [], stats: {}, error: {}, warnings: [] };
  const bare = { id: 'a', stats: {}, warnings: [] };
  expect(Object.keys(shapeOfAll([bare, full]) as object)).toEqual(['id', 'columns?', 'stats', 'error?', 'warnings']);
  expect(Object.keys(shapeOfAll([full, bare]) as object)).toEqual(['id', 'columns?', 'stats', 'error?', 'warnings']);
});

test('a document conforms when it has every always-present key, no unknown key and no unseen type', () => {
  const expected = shapeOfAll([
    { id: 'a', stats: { state: 'RUNNING', n: 1 } },
    { id: 'b', stats: { state: 'X' }, x: 1 },
  ]);
  expect(expected).toEqual({ id: 'string', stats: { state: 'string', 'n?': 'number' }, 'x?': 'number' });
  expect(shapeDifferences(expected!, shapeOf({ id: 'c', stats: { state: 'S' } }))).toEqual([]);
  expect(shapeDifferences(expected!, shapeOf({ id: 1, stats: { n: '2', extra: 0 } }))).toEqual([
    '$.id: Trino sends string, not number',
    '$.stats.state: missing (Trino always sends it)',
    '$.stats.n: Trino sends number, not string',
    '$.stats.extra: Trino never sends this field here',
  ]);
  // Empty arrays fit any array; elements where Trino only ever sent empty arrays cannot be vouched for.
  expect(shapeDifferences({ w: [] }, shapeOf({ w: [] }))).toEqual([]);
  expect(shapeDifferences({ w: [['number']] }, shapeOf({ w: [] }))).toEqual([]);
  expect(shapeDifferences({ w: [] }, shapeOf({ w: ['text'] }))).toEqual([
    '$.w: Trino only ever sent an empty array here',
  ]);
  expect(shapeDifferences({ w: ['string'] }, shapeOf({ w: 'text' }))).toEqual([
    '$.w: Trino sends an array, not string',
  ]);
});

test('a key the actual side only sometimes has is missing where the expected side always has it', () => {
  const sometimes = shapeOfAll([{ a: 1 }, {}]);
  expect(shapeDifferences({ a: 'number' }, sometimes!)).toEqual(['$.a: missing (Trino always sends it)']);
});
