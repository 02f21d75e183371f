// analyseSql stays bounded: a size limit before any work, a time budget inside the parse, no throw on any input.
import { analyseSql, DEFAULT_SQL_FACTS_OPTIONS } from './facts.js';

const session = { catalog: 'tpch', schema: 'tiny' };
// Where a test is not about the budget, a cold prediction cache on a busy machine must not fail it.
const timeBudgetMs = 60_000;

describe('size limit', () => {
  test('a statement over maxBytes is refused, one at the limit is parsed', () => {
    const sql = 'SELECT * FROM nation WHERE name = ';
    const atLimit = `${sql}'${'x'.repeat(100 - sql.length - 2)}'`;
    expect(Buffer.byteLength(atLimit)).toBe(100);
    expect(analyseSql(atLimit, session, { maxBytes: 100, timeBudgetMs }).parsed).toBe(true);
    expect(analyseSql(`${atLimit} `, session, { maxBytes: 100 })).toEqual({
      parsed: false,
      error: 'statement larger than 100 bytes',
      statement: '',
      queryType: '',
      catalogs: [],
      schemas: [],
      tables: [],
    });
  });

  test('the limit counts UTF-8 bytes, not characters', () => {
    const sql = `SELECT '${'é'.repeat(40)}'`; // 49 characters, 89 bytes
    expect(analyseSql(sql, session, { maxBytes: 88 }).error).toBe('statement larger than 88 bytes');
    expect(analyseSql(sql, session, { maxBytes: 89, timeBudgetMs }).parsed).toBe(true);
  });

  test('the default applies when no options are given', () => {
    const huge = `SELECT 1 -- ${'x'.repeat(DEFAULT_SQL_FACTS_OPTIONS.maxBytes)}`;
    expect(analyseSql(huge, session).error).toBe(`statement larger than ${DEFAULT_SQL_FACTS_OPTIONS.maxBytes} bytes`);
  });
});

describe('time budget', () => {
  // Each '(' may open a subquery, a row, a lambda's parameters or a parenthesised expression, and antlr
  // reads ahead to the matching ')' to choose: 600 bytes that cost over a second while antlr's prediction
  // cache is cold and still about 15 ms once it is warm, so far above 1 ms either way.
  const nested = `SELECT ${'('.repeat(300)}1${')'.repeat(300)}`;

  test('a parse that runs past the budget is abandoned', () => {
    expect(Buffer.byteLength(nested)).toBeLessThan(DEFAULT_SQL_FACTS_OPTIONS.maxBytes);
    const facts = analyseSql(nested, session, { timeBudgetMs: 1 });
    expect(facts).toMatchObject({ parsed: false, error: 'parse over 1 ms budget', statement: '', tables: [] });
  });

  test('an abandoned parse leaves the parser usable', () => {
    analyseSql(nested, session, { timeBudgetMs: 1 });
    expect(analyseSql('SELECT * FROM nation', session, { timeBudgetMs }).tables).toEqual(['tpch.tiny.nation']);
  });

  test('nesting beyond the stack is refused, as Trino refuses it', () => {
    const sql = `SELECT ${'NOT '.repeat(20_000)}true`;
    const facts = analyseSql(sql, session, { maxBytes: 1_000_000, timeBudgetMs });
    expect(facts).toMatchObject({ parsed: false, error: 'statement is too large (stack overflow while parsing)' });
  });
});

test('odd input gives facts or a reason, never an exception', () => {
  for (const sql of ['\u0000', '\uD800', 'SELECT "\uD800"', "SELECT 1 FROM t WHERE x = '\\", '"', "'", '/*', '--']) {
    const facts = analyseSql(sql, session, { timeBudgetMs });
    expect(typeof facts.parsed).toBe('boolean');
    expect(facts.parsed ? facts.error === '' : facts.error.length > 0).toBe(true);
  }
});
