-- Queries that exercise naming: WITH chains, joins, subqueries, quoting, comments, table functions.

-- case: the short query
-- session: -
-- statement: Query
-- queryType: SELECT
-- tables: tpch.tiny.nation
-- schemas: tpch.tiny
-- catalogs: tpch
SELECT * FROM tpch.tiny.nation;

-- case: system tables
-- session: tpch.tiny
-- statement: Query
-- queryType: SELECT
-- tables: system.runtime.nodes, system.runtime.queries
-- catalogs: system
SELECT q.query_id, q.state, n.node_id
FROM system.runtime.queries q
CROSS JOIN system.runtime.nodes n
WHERE q.state = 'RUNNING' AND n.coordinator;

-- case: information schema
-- session: hive.web
-- statement: Query
-- queryType: SELECT
-- tables: hive.information_schema.columns, hive.information_schema.tables
SELECT t.table_name, count(c.column_name)
FROM information_schema.tables t
LEFT JOIN information_schema.columns c ON c.table_schema = t.table_schema AND c.table_name = t.table_name
WHERE t.table_schema = 'web'
GROUP BY t.table_name;

-- case: a chain of WITH queries
-- session: hive.web
-- statement: Query
-- queryType: SELECT
-- tables: hive.crm.users, hive.web.clicks, hive.web.sessions
WITH
    recent AS (SELECT * FROM clicks WHERE ts > now() - INTERVAL '7' DAY),
    by_user AS (SELECT user_id, count(*) AS n FROM recent GROUP BY user_id),
    ranked AS (SELECT user_id, n, rank() OVER (ORDER BY n DESC) AS r FROM by_user),
    top AS (SELECT * FROM ranked WHERE r <= 10)
SELECT u.name, top.n, s.duration
FROM top
JOIN hive.crm.users u ON u.id = top.user_id
LEFT JOIN sessions s ON s.user_id = top.user_id;

-- case: a WITH query shadows a table of the same name
-- session: hive.web
-- statement: Query
-- queryType: SELECT
-- tables: hive.web.raw_clicks
WITH clicks AS (SELECT * FROM raw_clicks WHERE bot = false)
SELECT count(*) FROM clicks;

-- case: recursive WITH query
-- session: -
-- statement: Query
-- queryType: SELECT
-- tables: postgres.hr.employees
WITH RECURSIVE chain (id, manager_id, depth) AS (
    SELECT id, manager_id, 0 FROM postgres.hr.employees WHERE manager_id IS NULL
    UNION ALL
    SELECT e.id, e.manager_id, c.depth + 1
    FROM postgres.hr.employees e JOIN chain c ON e.manager_id = c.id
)
SELECT max(depth) FROM chain;

-- case: set operations
-- session: hive.web
-- statement: Query
-- queryType: SELECT
-- tables: hive.archive.clicks, hive.web.clicks, iceberg.web.clicks
SELECT user_id FROM clicks
UNION
SELECT user_id FROM archive.clicks
EXCEPT
SELECT user_id FROM iceberg.web.clicks
INTERSECT ALL
SELECT user_id FROM clicks
ORDER BY 1
OFFSET 10 ROWS
FETCH FIRST 5 ROWS ONLY;

-- case: joins of every kind
-- session: tpch.tiny
-- statement: Query
-- queryType: SELECT
-- tables: tpch.tiny.customer, tpch.tiny.lineitem, tpch.tiny.nation, tpch.tiny.orders, tpch.tiny.region
SELECT *
FROM customer c
INNER JOIN orders o ON c.custkey = o.custkey
LEFT OUTER JOIN lineitem l USING (orderkey)
RIGHT JOIN nation n ON c.nationkey = n.nationkey
FULL OUTER JOIN region r ON n.regionkey = r.regionkey
CROSS JOIN (VALUES 1, 2) AS v (x)
NATURAL JOIN (SELECT 1 AS x) AS w;

-- case: nested subqueries and lateral
-- session: tpch.tiny
-- statement: Query
-- queryType: SELECT
-- tables: tpch.tiny.lineitem, tpch.tiny.orders, tpch.tiny.part
SELECT o.orderkey, biggest.partkey
FROM orders o,
LATERAL (SELECT l.partkey FROM lineitem l WHERE l.orderkey = o.orderkey ORDER BY l.quantity DESC LIMIT 1) biggest
WHERE o.orderkey IN (SELECT orderkey FROM (SELECT orderkey FROM lineitem WHERE partkey IN (SELECT partkey FROM part WHERE size > 40)))
    AND o.totalprice > ALL (SELECT totalprice / 2 FROM orders WHERE orderstatus = 'F');

-- case: quoted identifiers with odd characters
-- session: -
-- statement: Query
-- queryType: SELECT
-- tables: hive.web-logs.access log, hive.web-logs.say "hi"
SELECT "Status Code", count(*) AS "Requests"
FROM "hive"."web-logs"."access log"
JOIN "HIVE"."WEB-LOGS"."say ""hi""" ON true
GROUP BY "Status Code";

-- case: mixed-case names are folded to lower case
-- session: TPCH.Tiny
-- statement: Query
-- queryType: SELECT
-- tables: tpch.sf1.nation, tpch.tiny.region
-- catalogs: tpch
SeLeCt N.Name FrOm SF1.Nation AS N jOiN REGION r On TRUE;

-- case: comments everywhere
-- session: tpch.tiny
-- statement: Query
-- queryType: SELECT
-- tables: tpch.tiny.nation, tpch.tiny.supplier
/* A block comment before the statement,
   spanning lines, mentioning FROM secret.hidden.table */
SELECT -- a line comment mentioning orders
    s.name /* inline */, n.name
FROM supplier s -- JOIN customer c ON true
JOIN /* nation */ nation n ON s.nationkey = n.nationkey
-- trailing comment
;

-- case: keywords that are names
-- session: hive.web
-- statement: Query
-- queryType: SELECT
-- tables: hive.web.data, hive.web.events, hive.web.view
SELECT e.date, e.year, e.comment, e.position
FROM events e
JOIN data d ON d.id = e.id
JOIN view v ON v.id = e.id;

-- case: table function with a remote query
-- session: -
-- statement: Query
-- queryType: SELECT
-- tables: -
-- schemas: postgres.system
-- catalogs: postgres
SELECT * FROM TABLE(postgres.system.query(query => 'SELECT name FROM secret_schema.users'));

-- case: table function of the session catalog
-- session: postgres.public
-- statement: Query
-- queryType: SELECT
-- tables: -
-- schemas: postgres.system
SELECT * FROM TABLE(system.query(query => 'SELECT 1'));

-- case: built-in table function with a table argument
-- session: tpch.tiny
-- statement: Query
-- queryType: SELECT
-- tables: tpch.tiny.orders
-- schemas: tpch.tiny
SELECT * FROM TABLE(exclude_columns(input => TABLE(orders), columns => DESCRIPTOR(comment, clerk)));

-- case: sequence table function
-- session: -
-- statement: Query
-- queryType: SELECT
-- tables: -
-- catalogs: -
SELECT * FROM TABLE(sequence(start => 1, stop => 10, step => 2));

-- case: unnest and lambdas
-- session: hive.web
-- statement: Query
-- queryType: SELECT
-- tables: hive.web.page_views
SELECT user_id, tag, transform(tags, t -> upper(t)) AS upper_tags, reduce(tags, 0, (s, t) -> s + length(t), s -> s)
FROM page_views
CROSS JOIN UNNEST(tags) WITH ORDINALITY AS u (tag, position)
WHERE any_match(tags, t -> t LIKE 'promo%');

-- case: window functions and grouping sets
-- session: tpch.tiny
-- statement: Query
-- queryType: SELECT
-- tables: tpch.tiny.orders
SELECT orderstatus, orderpriority, sum(totalprice),
    row_number() OVER w,
    avg(totalprice) OVER (PARTITION BY orderstatus ORDER BY orderdate ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)
FROM orders
GROUP BY GROUPING SETS ((orderstatus), (orderstatus, orderpriority), ())
WINDOW w AS (PARTITION BY orderstatus ORDER BY sum(totalprice) DESC);

-- case: time travel
-- session: iceberg.web
-- statement: Query
-- queryType: SELECT
-- tables: iceberg.web.page_views
SELECT count(*) FROM page_views FOR TIMESTAMP AS OF TIMESTAMP '2024-01-01 00:00:00 UTC'
UNION ALL
SELECT count(*) FROM page_views FOR VERSION AS OF 8954597067493422955;

-- case: tablesample
-- session: tpch.sf1
-- statement: Query
-- queryType: SELECT
-- tables: tpch.sf1.lineitem
SELECT avg(quantity) FROM lineitem TABLESAMPLE BERNOULLI (1);

-- case: json functions and json_table
-- session: hive.web
-- statement: Query
-- queryType: SELECT
-- tables: hive.web.events
SELECT json_value(payload, 'lax $.user.id' RETURNING bigint NULL ON EMPTY) AS user_id, j.*
FROM events,
JSON_TABLE(payload, 'lax $.items[*]' COLUMNS (sku varchar PATH 'lax $.sku', qty integer PATH 'lax $.qty')) AS j
WHERE json_exists(payload, 'lax $.items');

-- case: match_recognize
-- session: hive.market
-- statement: Query
-- queryType: SELECT
-- tables: hive.market.ticks
SELECT * FROM ticks
MATCH_RECOGNIZE (
    PARTITION BY symbol
    ORDER BY ts
    MEASURES A.ts AS start_ts, LAST(B.ts) AS bottom_ts
    ONE ROW PER MATCH
    AFTER MATCH SKIP PAST LAST ROW
    PATTERN (A B+ C+)
    DEFINE B AS B.price < PREV(B.price), C AS C.price > PREV(C.price)
);

-- case: inline function
-- session: tpch.tiny
-- statement: Query
-- queryType: SELECT
-- tables: tpch.tiny.nation
WITH FUNCTION double_it(x bigint) RETURNS bigint RETURN x * 2
SELECT double_it(nationkey) FROM nation;

-- case: catalog routine in an expression
-- session: tpch.tiny
-- statement: Query
-- queryType: SELECT
-- tables: tpch.tiny.nation
-- catalogs: example, tpch
SELECT example.default.meaning_of_life(), name FROM nation;

-- case: values only
-- session: -
-- statement: Query
-- queryType: SELECT
-- tables: -
-- catalogs: -
VALUES (1, 'a'), (2, 'b');

-- case: TABLE statement
-- session: tpch.tiny
-- statement: Query
-- queryType: SELECT
-- tables: tpch.tiny.region
TABLE region;

-- case: unicode literals and escapes
-- session: tpch.tiny
-- statement: Query
-- queryType: SELECT
-- tables: tpch.tiny.nation
SELECT U&'caf\00E9', 'it''s', X'65683F', name FROM nation WHERE name <> 'Ærø';

-- case: no session and unqualified names
-- session: -
-- statement: Query
-- queryType: SELECT
-- tables: hive.web.clicks
-- schemas: hive.web
-- catalogs: hive
SELECT * FROM orders JOIN tiny.customer ON true JOIN hive.web.clicks ON true;
