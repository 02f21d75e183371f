// The pages a real Trino coordinator answers a fixed set of statements with, one of each protocol phase:
// queued, rows, finished, failed at run time and at analysis, cancelled while queued and while running,
// and DDL/DML on the memory catalog. Asked directly (never through the gateway); the shape check's truth.

import { request } from 'undici';
import { followStatement, type Page, phaseOf } from '../harness/trino-pages.js';
import { uniqueMarker } from './coordinators.js';

async function cancel(uri: unknown): Promise<void> {
  const response = await request(String(uri), { method: 'DELETE', headers: { 'x-trino-user': 'shapes' } });
  await response.body.dump();
}

/** Statement texts are fixed (the shape file lists them); only the memory tables get unique names. */
export async function recordTrinoPages(url: string): Promise<Page[]> {
  const marker = uniqueMarker('shapes');
  const table = `memory.default.${marker}`;
  const statements = [
    // The columns of SimTrino's rows (bigint, varchar, varchar), and of the bench's stream pages.
    "SELECT nationkey AS n, name AS label, 'blue' AS cluster FROM tpch.tiny.nation",
    'SELECT CAST(orderdate AS timestamp(3)) AS ts, orderkey AS n, comment AS text, totalprice AS x FROM tpch.tiny.orders LIMIT 3000',
    'SELECT 1 / 0',
    'SELECT * FROM tpch.tiny.no_such_table',
    `CREATE TABLE ${table} AS SELECT nationkey, name FROM tpch.tiny.nation`,
    `INSERT INTO ${table} SELECT nationkey, name FROM tpch.tiny.nation`,
    `CREATE TABLE ${table}_ddl (id bigint)`,
    `DROP TABLE ${table}_ddl`,
    `DROP TABLE ${table}`,
  ];
  const pages: Page[] = [];
  for (const sql of statements) pages.push(...(await followStatement(url, sql)));
  for (const page of pages) page.sql = page.sql.replaceAll(marker, '<table>');

  // Runs for minutes unless cancelled; DELETE on its nextUri, as clients cancel.
  const long = "SELECT sum(quantity) FROM tpch.sf100.lineitem WHERE comment <> 'shapes'";
  pages.push(
    ...(await followStatement(url, `${long} -- cancelled while queued`, {
      onPage: async (page, index) => (index === 0 ? cancel(page.body['nextUri']) : undefined),
    })),
  );
  let cancelled = false;
  pages.push(
    ...(await followStatement(url, `${long} -- cancelled while running`, {
      onPage: async (page) => {
        if (cancelled || phaseOf(page.body) === 'queued') return;
        cancelled = true;
        await cancel(page.body['nextUri']);
      },
    })),
  );
  return pages;
}
