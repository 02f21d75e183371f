// analyseSql's rules one at a time: qualification from the session, WITH query scoping, statement kinds, refusals.
import { analyseSql as analyseWithBudget, type SqlFacts } from './facts.js';

// These tests are about facts, not time: a cold prediction cache on a busy CI machine must not fail them.
const analyseSql = (sql: string, session: { catalog?: string; schema?: string }) =>
  analyseWithBudget(sql, session, { timeBudgetMs: 60_000 });

const tpchTiny = { catalog: 'tpch', schema: 'tiny' };

function names(facts: SqlFacts): Pick<SqlFacts, 'catalogs' | 'schemas' | 'tables'> {
  expect(facts.error).toBe('');
  return { catalogs: facts.catalogs, schemas: facts.schemas, tables: facts.tables };
}

const tablesOf = (sql: string, session: { catalog?: string; schema?: string } = tpchTiny) =>
  names(analyseSql(sql, session)).tables;

describe('qualifying names', () => {
  test('an unqualified table takes the session catalog and schema', () => {
    expect(names(analyseSql('SELECT * FROM nation', tpchTiny))).toEqual({
      catalogs: ['tpch'],
      schemas: ['tpch.tiny'],
      tables: ['tpch.tiny.nation'],
    });
  });

  test('a schema-qualified table takes the session catalog', () => {
    expect(tablesOf('SELECT * FROM tiny.nation', { catalog: 'tpch' })).toEqual(['tpch.tiny.nation']);
    expect(tablesOf('SELECT * FROM sf1.nation')).toEqual(['tpch.sf1.nation']);
  });

  test('a fully qualified table ignores the session', () => {
    expect(tablesOf('SELECT * FROM hive.web.clicks')).toEqual(['hive.web.clicks']);
  });

  test('session defaults are folded to lower case, as Trino folds names', () => {
    expect(tablesOf('SELECT * FROM nation', { catalog: 'TPCH', schema: 'Tiny' })).toEqual(['tpch.tiny.nation']);
  });

  test('without session defaults, only what the SQL itself says is kept', () => {
    const facts = analyseSql('SELECT * FROM nation, tiny.region, hive.web.clicks', {});
    expect(facts.parsed).toBe(true);
    expect(names(facts)).toEqual({ catalogs: ['hive'], schemas: ['hive.web'], tables: ['hive.web.clicks'] });
    expect(names(analyseSql('SELECT * FROM nation', { catalog: 'tpch' }))).toEqual({
      catalogs: ['tpch'],
      schemas: [],
      tables: [],
    });
  });

  test('identifiers are lower-cased whether quoted or not; quotes and "" escapes are removed', () => {
    expect(tablesOf('SELECT * FROM "TPCH".Tiny."Nation"')).toEqual(['tpch.tiny.nation']);
    expect(tablesOf('select * from "odd ""name"""')).toEqual(['tpch.tiny.odd "name"']);
    expect(tablesOf('SELECT * FROM "select"')).toEqual(['tpch.tiny.select']);
  });

  test('non-reserved keywords are ordinary names', () => {
    expect(tablesOf('SELECT * FROM system.runtime.nodes JOIN data ON true')).toEqual([
      'system.runtime.nodes',
      'tpch.tiny.data',
    ]);
  });

  test('a RENAME target is completed from the source, as Trino does', () => {
    expect(tablesOf('ALTER TABLE hive.web.old RENAME TO new')).toEqual(['hive.web.new', 'hive.web.old']);
    expect(tablesOf('ALTER TABLE hive.web.old RENAME TO archive.old')).toEqual(['hive.archive.old', 'hive.web.old']);
    expect(tablesOf('ALTER VIEW v RENAME TO w')).toEqual(['tpch.tiny.v', 'tpch.tiny.w']);
    expect(names(analyseSql('ALTER SCHEMA hive.web RENAME TO site', tpchTiny)).schemas).toEqual([
      'hive.site',
      'hive.web',
    ]);
  });

  test('SHOW TABLES and SHOW SCHEMAS without FROM name the session schema and catalog', () => {
    expect(names(analyseSql('SHOW TABLES', tpchTiny))).toEqual({
      catalogs: ['tpch'],
      schemas: ['tpch.tiny'],
      tables: [],
    });
    expect(names(analyseSql('SHOW SCHEMAS', tpchTiny))).toEqual({ catalogs: ['tpch'], schemas: [], tables: [] });
    expect(names(analyseSql('SHOW TABLES', {}))).toEqual({ catalogs: [], schemas: [], tables: [] });
  });

  test('procedures and table functions name their catalog and schema but no table', () => {
    expect(names(analyseSql("CALL system.runtime.kill_query('20200416_160256_03078_6b4yt')", tpchTiny))).toEqual({
      catalogs: ['system'],
      schemas: ['system.runtime'],
      tables: [],
    });
    expect(
      names(analyseSql("CALL system.sync_partition_metadata('web', 'clicks', 'ADD')", { catalog: 'hive' })),
    ).toEqual({ catalogs: ['hive'], schemas: ['hive.system'], tables: [] });
    expect(names(analyseSql("SELECT * FROM TABLE(pg.system.query(query => 'SELECT * FROM x'))", tpchTiny))).toEqual({
      catalogs: ['pg'],
      schemas: ['pg.system'],
      tables: [],
    });
  });

  test('a built-in table function names nothing itself, but its table arguments are tables', () => {
    expect(
      names(
        analyseSql(
          'SELECT * FROM TABLE(exclude_columns(input => TABLE(orders), columns => DESCRIPTOR(comment)))',
          tpchTiny,
        ),
      ),
    ).toEqual({ catalogs: ['tpch'], schemas: ['tpch.tiny'], tables: ['tpch.tiny.orders'] });
  });

  test('a catalog session property names its catalog', () => {
    expect(names(analyseSql("SET SESSION hive.compression_codec = 'ZSTD'", tpchTiny)).catalogs).toEqual(['hive']);
    expect(names(analyseSql("SET SESSION query_max_run_time = '1h'", tpchTiny)).catalogs).toEqual([]);
  });

  test('COMMENT ON COLUMN names the column’s table', () => {
    expect(tablesOf("COMMENT ON COLUMN hive.web.clicks.url IS 'the page'")).toEqual(['hive.web.clicks']);
    expect(tablesOf("COMMENT ON COLUMN clicks.url IS 'the page'")).toEqual(['tpch.tiny.clicks']);
  });
});

describe('WITH queries', () => {
  test('a WITH query name is not a table; the tables in its body are', () => {
    expect(tablesOf('WITH x AS (SELECT * FROM orders) SELECT * FROM x JOIN customer c ON true')).toEqual([
      'tpch.tiny.customer',
      'tpch.tiny.orders',
    ]);
  });

  test('a later WITH query sees an earlier one, not the other way round', () => {
    expect(tablesOf('WITH a AS (SELECT * FROM orders), b AS (SELECT * FROM a) SELECT * FROM b')).toEqual([
      'tpch.tiny.orders',
    ]);
    expect(tablesOf('WITH a AS (SELECT * FROM b), b AS (SELECT 1) SELECT * FROM a')).toEqual(['tpch.tiny.b']);
  });

  test('a WITH query referring to its own name means a table unless RECURSIVE', () => {
    expect(tablesOf('WITH orders AS (SELECT * FROM orders) SELECT * FROM orders')).toEqual(['tpch.tiny.orders']);
    expect(
      tablesOf('WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 5) SELECT * FROM t'),
    ).toEqual([]);
  });

  test('a qualified name is always a table, even if its last part is a WITH query name', () => {
    expect(tablesOf('WITH nation AS (SELECT 1) SELECT * FROM nation, tiny.nation')).toEqual(['tpch.tiny.nation']);
  });

  test('a WITH query is visible in subqueries, set operations and predicates of its query', () => {
    expect(
      tablesOf(`WITH x AS (SELECT * FROM orders)
        SELECT * FROM (SELECT * FROM x) t
        WHERE t.k IN (SELECT k FROM x) AND EXISTS (SELECT 1 FROM x JOIN lineitem l ON true)
        UNION ALL SELECT * FROM x`),
    ).toEqual(['tpch.tiny.lineitem', 'tpch.tiny.orders']);
  });

  test('a WITH query inside a subquery is not visible outside it', () => {
    expect(tablesOf('SELECT * FROM (WITH x AS (SELECT * FROM orders) SELECT * FROM x) t CROSS JOIN x')).toEqual([
      'tpch.tiny.orders',
      'tpch.tiny.x',
    ]);
  });

  test('an inner WITH query may refer to an outer one', () => {
    expect(
      tablesOf('WITH a AS (SELECT * FROM orders) SELECT * FROM (WITH b AS (SELECT * FROM a) SELECT * FROM b)'),
    ).toEqual(['tpch.tiny.orders']);
  });

  test('WITH query names match case-insensitively, quoted or not', () => {
    expect(tablesOf('WITH "Recent" AS (SELECT * FROM orders) SELECT * FROM recent, RECENT')).toEqual([
      'tpch.tiny.orders',
    ]);
  });

  test('an INSERT or CTAS target is a table even when a WITH query of its source has its name', () => {
    expect(tablesOf('INSERT INTO t WITH t AS (SELECT * FROM orders) SELECT * FROM t')).toEqual([
      'tpch.tiny.orders',
      'tpch.tiny.t',
    ]);
    expect(tablesOf('CREATE TABLE t AS WITH t AS (SELECT * FROM orders) SELECT * FROM t')).toEqual([
      'tpch.tiny.orders',
      'tpch.tiny.t',
    ]);
  });
});

describe('statement kinds', () => {
  const kind = (sql: string) => {
    const facts = analyseSql(sql, tpchTiny);
    return [facts.statement, facts.queryType];
  };

  test('EXPLAIN is Explain/EXPLAIN with the inner statement’s names', () => {
    const facts = analyseSql('EXPLAIN (TYPE IO) INSERT INTO hive.web.copy SELECT * FROM nation', tpchTiny);
    expect([facts.statement, facts.queryType]).toEqual(['Explain', 'EXPLAIN']);
    expect(facts.tables).toEqual(['hive.web.copy', 'tpch.tiny.nation']);
  });

  test('EXPLAIN ANALYZE runs its statement, so Trino gives it the inner QueryType', () => {
    expect(kind('EXPLAIN ANALYZE SELECT * FROM nation')).toEqual(['ExplainAnalyze', 'SELECT']);
    expect(kind('EXPLAIN ANALYZE VERBOSE DELETE FROM nation WHERE true')).toEqual(['ExplainAnalyze', 'DELETE']);
  });

  test('EXECUTE IMMEDIATE is analysed as the statement in its string', () => {
    const facts = analyseSql("EXECUTE IMMEDIATE 'SELECT * FROM hive.web.clicks WHERE url = ''/'''", tpchTiny);
    expect([facts.statement, facts.queryType, facts.tables]).toEqual(['Query', 'SELECT', ['hive.web.clicks']]);
    expect(analyseSql("EXECUTE IMMEDIATE U&'DELETE FROM \\0074' USING 1", tpchTiny).tables).toEqual(['tpch.tiny.t']);
    expect(analyseSql("EXECUTE IMMEDIATE 'SELECT FROM'", tpchTiny).error).toBe(
      "in EXECUTE IMMEDIATE: syntax error at line 1:8: unexpected 'FROM'",
    );
  });

  test('EXECUTE of a prepared statement has no QueryType of its own; PREPARE names its statement’s tables', () => {
    expect(kind('EXECUTE my_query USING 1, 2')).toEqual(['Execute', '']);
    const prepare = analyseSql('PREPARE my_query FROM SELECT * FROM nation WHERE nationkey = ?', tpchTiny);
    expect([prepare.statement, prepare.queryType, prepare.tables]).toEqual([
      'Prepare',
      'DATA_DEFINITION',
      ['tpch.tiny.nation'],
    ]);
  });

  test('DESCRIBE is ShowColumns and TABLE t is a Query, as in Trino’s AST', () => {
    expect(kind('DESCRIBE nation')).toEqual(['ShowColumns', 'DESCRIBE']);
    expect(kind('TABLE nation')).toEqual(['Query', 'SELECT']);
  });
});

describe('statements Trino would refuse', () => {
  const error = (sql: string) => {
    const facts = analyseSql(sql, tpchTiny);
    expect(facts).toMatchObject({ parsed: false, statement: '', queryType: '', tables: [] });
    return facts.error;
  };

  test('a syntax error names its line and column (1-based, as Trino reports them)', () => {
    expect(error('select from')).toBe("syntax error at line 1:8: unexpected 'from'");
    expect(error('SELECT *\nFROM nation\nWHERE')).toBe('syntax error at line 3:6: unexpected end of statement');
  });

  test('exactly one statement, without a trailing semicolon', () => {
    expect(error('SELECT 1;')).toBe("syntax error at line 1:9: unexpected ';'");
    expect(error('SELECT 1; SELECT 2')).toBe("syntax error at line 1:9: unexpected ';'");
    expect(error('SELECT 1 SELECT 2')).toBe("syntax error at line 1:10: unexpected 'SELECT'");
    expect(error('')).toBe('syntax error at line 1:1: unexpected end of statement');
    expect(error('  -- nothing here\n')).toBe('syntax error at line 2:1: unexpected end of statement');
  });

  test('identifiers Trino’s parser refuses', () => {
    expect(error('SELECT * FROM `nation`')).toBe(
      'syntax error at line 1:15: backquoted identifiers are not supported; use double quotes to quote identifiers',
    );
    expect(error('SELECT * FROM 1nation')).toBe(
      'syntax error at line 1:15: identifiers must not start with a digit; surround the identifier with double quotes',
    );
    expect(error('SELECT 1 AS ""')).toBe('syntax error at line 1:13: zero-length delimited identifier not allowed');
  });

  test('dt-sql-parser’s own extensions are not Trino statements', () => {
    expect(error('SHOW COMMENT ON TABLE nation')).toBe("syntax error at line 1:6: unexpected 'COMMENT'");
    expect(error('EXPLAIN SHOW COMMENT ON TABLE nation')).toBe("syntax error at line 1:14: unexpected 'COMMENT'");
  });

  test('unterminated strings and comments', () => {
    expect(error("SELECT 'abc")).toMatch(/^syntax error at line 1:8: /);
    expect(error('SELECT 1 /* open')).toBe("syntax error at line 1:10: unexpected '/'");
  });

  test('more than catalog.schema.table', () => {
    expect(error('SELECT * FROM a.b.c.d')).toBe("syntax error at line 1:20: unexpected '.'");
  });
});

test('facts are frozen and the error is empty when parsed', () => {
  const facts = analyseSql('SELECT * FROM nation', tpchTiny);
  expect(facts.parsed).toBe(true);
  expect(facts.error).toBe('');
  expect(Object.isFrozen(facts)).toBe(true);
  expect(Object.isFrozen(facts.tables)).toBe(true);
});
