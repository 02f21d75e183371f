// Every statement of the corpus (TPC-H, TPC-DS, DDL, DML, SHOW, EXPLAIN, …) against the facts it expects.
import { fileURLToPath } from 'node:url';
import { readCorpus } from './corpus/corpus.js';
import { analyseSql } from './facts.js';

const cases = readCorpus(fileURLToPath(new URL('./corpus/', import.meta.url)));

test('the corpus has real breadth', () => {
  expect(cases.length).toBeGreaterThanOrEqual(100);
  expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  expect(cases.filter((c) => c.name.startsWith('tpch.sql')).length).toBe(22);
});

// The corpus checks facts, not speed: generous limits, so a cold cache on a busy machine cannot fail it.
const limits = { maxBytes: 1024 * 1024, timeBudgetMs: 60_000 };

test.each(cases.map((c) => [c.name, c] as const))('%s', (_name, { sql, session, expected }) => {
  const facts = analyseSql(sql, session, limits);
  if (expected.error !== undefined) {
    expect({ parsed: facts.parsed, error: facts.error }).toEqual({ parsed: false, error: expected.error });
    return;
  }
  expect(facts.error).toBe('');
  expect({ statement: facts.statement, queryType: facts.queryType, tables: facts.tables }).toEqual({
    statement: expected.statement,
    queryType: expected.queryType,
    tables: expected.tables,
  });
  if (expected.schemas) expect(facts.schemas).toEqual(expected.schemas);
  if (expected.catalogs) expect(facts.catalogs).toEqual(expected.catalogs);
});
