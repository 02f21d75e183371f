-- DML: INSERT, CTAS, DELETE, UPDATE, MERGE, TRUNCATE, ANALYZE, ALTER TABLE EXECUTE, REFRESH.

-- case: insert values
-- session: memory.default
-- statement: Insert
-- queryType: INSERT
-- tables: memory.default.events
INSERT INTO events (id, name) VALUES (1, 'start'), (2, 'stop');

-- case: insert select across catalogs
-- session: -
-- statement: Insert
-- queryType: INSERT
-- tables: hive.web.clicks, kafka.web.click_stream
-- schemas: hive.web, kafka.web
-- catalogs: hive, kafka
INSERT INTO hive.web.clicks
SELECT ts, user_id, url
FROM kafka.web.click_stream
WHERE ts > current_timestamp - INTERVAL '1' HOUR;

-- case: insert with a WITH query
-- session: hive.web
-- statement: Insert
-- queryType: INSERT
-- tables: hive.web.daily, hive.web.page_views
INSERT INTO daily
WITH by_day AS (SELECT date_trunc('day', view_time) AS day, count(*) AS views FROM page_views GROUP BY 1)
SELECT day, views FROM by_day;

-- case: create table as select
-- session: tpch.sf1
-- statement: CreateTableAsSelect
-- queryType: INSERT
-- tables: hive.scratch.big_orders, tpch.sf1.customer, tpch.sf1.orders
CREATE TABLE hive.scratch.big_orders
COMMENT 'orders over 100k'
WITH (format = 'ORC')
AS
SELECT o.*, c.name
FROM orders o JOIN customer c ON o.custkey = c.custkey
WHERE o.totalprice > 100000
WITH DATA;

-- case: create table as select, no data, parenthesised
-- session: hive.scratch
-- statement: CreateTableAsSelect
-- queryType: INSERT
-- tables: hive.scratch.empty_copy, tpch.tiny.nation
create table if not exists empty_copy (a, b) as (select nationkey, name from tpch.tiny.nation) with no data;

-- case: delete with subquery
-- session: hive.web
-- statement: Delete
-- queryType: DELETE
-- tables: hive.web.blocked_users, hive.web.clicks
DELETE FROM clicks WHERE user_id IN (SELECT user_id FROM blocked_users);

-- case: delete everything
-- session: -
-- statement: Delete
-- queryType: DELETE
-- tables: iceberg.web.page_views
DELETE FROM iceberg.web.page_views;

-- case: update with correlated subquery
-- session: iceberg.crm
-- statement: Update
-- queryType: UPDATE
-- tables: iceberg.crm.accounts, iceberg.crm.payments
UPDATE accounts
SET balance = balance - (SELECT sum(amount) FROM payments p WHERE p.account_id = accounts.id),
    updated_at = current_timestamp
WHERE status = 'open';

-- case: merge
-- session: iceberg.crm
-- statement: Merge
-- queryType: MERGE
-- tables: iceberg.crm.accounts, postgres.public.account_changes
-- catalogs: iceberg, postgres
MERGE INTO accounts AS t
USING (SELECT * FROM postgres.public.account_changes WHERE applied = false) AS s
ON t.id = s.id
WHEN MATCHED AND s.deleted THEN DELETE
WHEN MATCHED THEN UPDATE SET balance = s.balance, owner = s.owner
WHEN NOT MATCHED THEN INSERT (id, balance, owner) VALUES (s.id, s.balance, s.owner);

-- case: truncate
-- session: hive.scratch
-- statement: TruncateTable
-- queryType: DATA_DEFINITION
-- tables: hive.scratch.big_orders
TRUNCATE TABLE big_orders;

-- case: analyze
-- session: -
-- statement: Analyze
-- queryType: ANALYZE
-- tables: hive.web.clicks
ANALYZE hive.web.clicks WITH (partitions = ARRAY[ARRAY['2024-01-01']]);

-- case: alter table execute optimize
-- session: iceberg.web
-- statement: TableExecute
-- queryType: ALTER_TABLE_EXECUTE
-- tables: iceberg.web.page_views
-- schemas: iceberg.web
ALTER TABLE page_views EXECUTE optimize(file_size_threshold => '128MB') WHERE view_time < TIMESTAMP '2024-01-01 00:00:00 UTC';

-- case: alter table execute expire snapshots
-- session: -
-- statement: TableExecute
-- queryType: ALTER_TABLE_EXECUTE
-- tables: iceberg.web.page_views
ALTER TABLE iceberg.web.page_views EXECUTE expire_snapshots(retention_threshold => '7d');

-- case: refresh materialized view
-- session: iceberg.mv
-- statement: RefreshMaterializedView
-- queryType: INSERT
-- tables: iceberg.mv.revenue_by_nation
REFRESH MATERIALIZED VIEW revenue_by_nation;
