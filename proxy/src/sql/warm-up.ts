// Statements parsed once after the grammar loads, so the first real statements find a warm prediction cache.
//
// antlr builds its prediction DFA lazily: the first statement of each shape pays tens of milliseconds to
// fill it, later ones of that shape pay well under one. Without a warm cache, typical statements submitted
// just after start-up would run over the time budget and lose their facts; these cover the common shapes.

const WARM_UP: readonly string[] = [
  'SELECT * FROM tpch.tiny.nation',
  `WITH revenue AS (
     SELECT l.suppkey AS supplier_no, sum(l.extendedprice * (1 - l.discount)) AS total_revenue
     FROM lineitem AS l
     WHERE l.shipdate >= DATE '1996-01-01' AND l.shipdate < DATE '1996-01-01' + INTERVAL '3' MONTH
     GROUP BY l.suppkey)
   SELECT s.suppkey, s.name, CAST(r.total_revenue AS decimal(18, 2)) AS revenue, count(DISTINCT o.orderkey) AS n,
          CASE WHEN s.acctbal > 0 THEN 'yes' ELSE 'no' END AS positive, rank() OVER (PARTITION BY s.nationkey ORDER BY s.acctbal DESC)
   FROM "tpch"."tiny".supplier s
   JOIN revenue r ON s.suppkey = r.supplier_no
   LEFT OUTER JOIN orders o ON o.custkey = s.suppkey AND o.orderstatus IN ('F', 'O')
   WHERE r.total_revenue = (SELECT max(total_revenue) FROM revenue) AND s.comment NOT LIKE '%Customer%Complaints%'
     AND EXISTS (SELECT 1 FROM partsupp ps WHERE ps.suppkey = s.suppkey) AND s.phone IS NOT NULL
     AND substr(s.phone, 1, 2) BETWEEN '10' AND '30'
   GROUP BY 1, 2, 3, s.acctbal, s.nationkey HAVING count(*) > 1
   UNION ALL SELECT 1, 'x', 1.5, 2, 'y', 3 FROM (VALUES (1)) AS t (a)
   ORDER BY revenue DESC NULLS LAST LIMIT 100`,
  "INSERT INTO hive.web.page_views (id, url) SELECT id, lower(url) FROM kafka.web.clicks WHERE ts > now() - INTERVAL '1' DAY",
  "CREATE TABLE IF NOT EXISTS hive.web.daily WITH (format = 'ORC') AS SELECT date_trunc('day', ts) AS day, count(*) AS n FROM hive.web.page_views GROUP BY 1",
  "CREATE TABLE hive.web.users (id bigint NOT NULL, name varchar(100) COMMENT 'full name', tags array(varchar), created timestamp(3) with time zone)",
  "DELETE FROM hive.web.users WHERE created < TIMESTAMP '2020-01-01 00:00:00 UTC'",
  "UPDATE hive.web.users SET name = upper(name), tags = ARRAY['a'] WHERE id = 1",
  'MERGE INTO hive.web.users u USING staging.web.users s ON u.id = s.id WHEN MATCHED THEN UPDATE SET name = s.name WHEN NOT MATCHED THEN INSERT (id, name) VALUES (s.id, s.name)',
  "SHOW TABLES FROM tpch.tiny LIKE 'n%'",
  'SHOW SCHEMAS FROM tpch',
  'SHOW CATALOGS',
  'SHOW COLUMNS FROM tpch.tiny.nation',
  'DESCRIBE tpch.tiny.nation',
  'EXPLAIN (TYPE DISTRIBUTED) SELECT n.name, r.name FROM tpch.tiny.nation n CROSS JOIN tpch.tiny.region r',
  "CALL system.runtime.kill_query(query_id => '20200416_160256_03078_6b4yt', message => 'stop')",
  "SET SESSION query_max_run_time = '1h'",
  'USE tpch.tiny',
  'DROP TABLE IF EXISTS hive.web.daily',
  'ALTER TABLE hive.web.users ADD COLUMN email varchar',
  "SELECT * FROM TABLE(postgres.system.query(query => 'SELECT 1'))",
  'SELECT a, b FROM t CROSS JOIN UNNEST(arr) AS u (x) WHERE x > 0 AND transform(arr, e -> e + 1) IS NOT NULL',
];

/** Runs `parse` over every warm-up statement; the results are discarded. */
export function warmUp(parse: (sql: string) => unknown): void {
  for (const sql of WARM_UP) parse(sql);
}
