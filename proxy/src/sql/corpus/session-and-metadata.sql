-- SHOW, DESCRIBE, EXPLAIN, USE, CALL, session, transaction and prepared-statement statements.

-- case: show catalogs
-- session: -
-- statement: ShowCatalogs
-- queryType: DESCRIBE
-- tables: -
-- catalogs: -
SHOW CATALOGS LIKE 'h%';

-- case: show schemas from a catalog
-- session: tpch.tiny
-- statement: ShowSchemas
-- queryType: DESCRIBE
-- tables: -
-- schemas: -
-- catalogs: hive
SHOW SCHEMAS FROM hive;

-- case: show schemas of the session catalog
-- session: tpch.tiny
-- statement: ShowSchemas
-- queryType: DESCRIBE
-- tables: -
-- catalogs: tpch
show schemas like 'sf%' escape '\';

-- case: show tables from a schema
-- session: -
-- statement: ShowTables
-- queryType: DESCRIBE
-- tables: -
-- schemas: tpch.tiny
-- catalogs: tpch
SHOW TABLES FROM tpch.tiny;

-- case: show tables in a schema of the session catalog
-- session: hive.web
-- statement: ShowTables
-- queryType: DESCRIBE
-- tables: -
-- schemas: hive.archive
SHOW TABLES IN archive LIKE 'click%';

-- case: show tables of the session schema
-- session: hive.web
-- statement: ShowTables
-- queryType: DESCRIBE
-- tables: -
-- schemas: hive.web
SHOW TABLES;

-- case: show columns
-- session: tpch.tiny
-- statement: ShowColumns
-- queryType: DESCRIBE
-- tables: tpch.tiny.nation
SHOW COLUMNS FROM nation LIKE 'n%';

-- case: describe
-- session: tpch.tiny
-- statement: ShowColumns
-- queryType: DESCRIBE
-- tables: tpch.sf1.orders
DESCRIBE sf1.orders;

-- case: desc
-- session: -
-- statement: ShowColumns
-- queryType: DESCRIBE
-- tables: system.runtime.queries
desc system.runtime.queries;

-- case: show create table
-- session: hive.web
-- statement: ShowCreate
-- queryType: DESCRIBE
-- tables: hive.web.clicks
SHOW CREATE TABLE clicks;

-- case: show create view
-- session: -
-- statement: ShowCreate
-- queryType: DESCRIBE
-- tables: hive.reporting.daily_clicks
SHOW CREATE VIEW hive.reporting.daily_clicks;

-- case: show create materialized view
-- session: iceberg.mv
-- statement: ShowCreate
-- queryType: DESCRIBE
-- tables: iceberg.mv.revenue_by_nation
SHOW CREATE MATERIALIZED VIEW revenue_by_nation;

-- case: show create schema
-- session: hive.web
-- statement: ShowCreate
-- queryType: DESCRIBE
-- tables: -
-- schemas: hive.web
SHOW CREATE SCHEMA web;

-- case: show stats for a table
-- session: tpch.sf1
-- statement: ShowStats
-- queryType: DESCRIBE
-- tables: tpch.sf1.lineitem
SHOW STATS FOR lineitem;

-- case: show stats for a query
-- session: tpch.sf1
-- statement: ShowStats
-- queryType: DESCRIBE
-- tables: tpch.sf1.orders
SHOW STATS FOR (SELECT * FROM orders WHERE orderdate > DATE '1998-01-01');

-- case: show functions
-- session: -
-- statement: ShowFunctions
-- queryType: DESCRIBE
-- tables: -
-- schemas: -
SHOW FUNCTIONS LIKE 'array%';

-- case: show functions from a schema
-- session: -
-- statement: ShowFunctions
-- queryType: DESCRIBE
-- tables: -
-- schemas: example.default
SHOW FUNCTIONS FROM example.default;

-- case: show session
-- session: -
-- statement: ShowSession
-- queryType: DESCRIBE
-- tables: -
SHOW SESSION LIKE 'query%';

-- case: show roles of a catalog
-- session: -
-- statement: ShowRoles
-- queryType: DESCRIBE
-- tables: -
-- catalogs: hive
SHOW CURRENT ROLES FROM hive;

-- case: show role grants
-- session: -
-- statement: ShowRoleGrants
-- queryType: DESCRIBE
-- tables: -
-- catalogs: -
SHOW ROLE GRANTS;

-- case: show grants on a table
-- session: hive.web
-- statement: ShowGrants
-- queryType: DESCRIBE
-- tables: hive.web.clicks
SHOW GRANTS ON TABLE clicks;

-- case: explain a query
-- session: tpch.tiny
-- statement: Explain
-- queryType: EXPLAIN
-- tables: tpch.tiny.nation, tpch.tiny.region
EXPLAIN SELECT n.name, r.name FROM nation n JOIN region r ON n.regionkey = r.regionkey;

-- case: explain with options
-- session: tpch.tiny
-- statement: Explain
-- queryType: EXPLAIN
-- tables: tpch.tiny.orders
EXPLAIN (TYPE DISTRIBUTED, FORMAT JSON) SELECT orderstatus, count(*) FROM orders GROUP BY orderstatus;

-- case: explain an insert
-- session: -
-- statement: Explain
-- queryType: EXPLAIN
-- tables: hive.web.clicks, kafka.web.click_stream
EXPLAIN (TYPE IO) INSERT INTO hive.web.clicks SELECT * FROM kafka.web.click_stream;

-- case: explain validate
-- session: tpch.tiny
-- statement: Explain
-- queryType: EXPLAIN
-- tables: tpch.tiny.customer
explain (type validate) select * from customer;

-- case: explain analyze takes the inner statement's type
-- session: tpch.tiny
-- statement: ExplainAnalyze
-- queryType: SELECT
-- tables: tpch.tiny.lineitem
EXPLAIN ANALYZE SELECT count(*) FROM lineitem WHERE quantity > 10;

-- case: explain analyze verbose of a CTAS
-- session: tpch.tiny
-- statement: ExplainAnalyze
-- queryType: INSERT
-- tables: memory.default.copy, tpch.tiny.nation
EXPLAIN ANALYZE VERBOSE CREATE TABLE memory.default.copy AS SELECT * FROM nation;

-- case: use catalog and schema
-- session: -
-- statement: Use
-- queryType: DATA_DEFINITION
-- tables: -
-- schemas: tpch.tiny
-- catalogs: tpch
USE tpch.tiny;

-- case: use schema of the session catalog
-- session: tpch.tiny
-- statement: Use
-- queryType: DATA_DEFINITION
-- tables: -
-- schemas: tpch.sf100
use sf100;

-- case: call kill_query
-- session: -
-- statement: Call
-- queryType: DATA_DEFINITION
-- tables: -
-- schemas: system.runtime
-- catalogs: system
CALL system.runtime.kill_query(query_id => '20200416_160256_03078_6b4yt', message => 'Using too many resources');

-- case: call a procedure of the session catalog
-- session: hive.web
-- statement: Call
-- queryType: DATA_DEFINITION
-- tables: -
-- schemas: hive.system
-- catalogs: hive
CALL system.sync_partition_metadata('web', 'clicks', 'ADD');

-- case: call a catalog-qualified procedure
-- session: -
-- statement: Call
-- queryType: DATA_DEFINITION
-- tables: -
-- schemas: iceberg.system
CALL iceberg.system.rollback_to_snapshot('web', 'page_views', 8954597067493422955);

-- case: set session
-- session: -
-- statement: SetSession
-- queryType: DATA_DEFINITION
-- tables: -
-- catalogs: -
SET SESSION query_max_execution_time = '2h';

-- case: set catalog session property
-- session: -
-- statement: SetSession
-- queryType: DATA_DEFINITION
-- tables: -
-- catalogs: hive
SET SESSION hive.insert_existing_partitions_behavior = 'OVERWRITE';

-- case: reset session
-- session: -
-- statement: ResetSession
-- queryType: DATA_DEFINITION
-- tables: -
-- catalogs: iceberg
RESET SESSION iceberg.target_max_file_size;

-- case: start transaction
-- session: -
-- statement: StartTransaction
-- queryType: DATA_DEFINITION
-- tables: -
START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ WRITE;

-- case: commit
-- session: -
-- statement: Commit
-- queryType: DATA_DEFINITION
-- tables: -
COMMIT WORK;

-- case: rollback
-- session: -
-- statement: Rollback
-- queryType: DATA_DEFINITION
-- tables: -
ROLLBACK;

-- case: prepare
-- session: tpch.tiny
-- statement: Prepare
-- queryType: DATA_DEFINITION
-- tables: tpch.tiny.orders
PREPARE recent_orders FROM SELECT * FROM orders WHERE orderdate > ? LIMIT ?;

-- case: execute a prepared statement
-- session: tpch.tiny
-- statement: Execute
-- queryType: -
-- tables: -
EXECUTE recent_orders USING DATE '1998-01-01', 10;

-- case: execute immediate
-- session: tpch.tiny
-- statement: Query
-- queryType: SELECT
-- tables: tpch.tiny.orders
EXECUTE IMMEDIATE 'SELECT * FROM orders WHERE orderstatus = ''F'' AND orderdate > ?' USING DATE '1998-01-01';

-- case: deallocate
-- session: -
-- statement: Deallocate
-- queryType: DATA_DEFINITION
-- tables: -
DEALLOCATE PREPARE recent_orders;

-- case: describe input
-- session: -
-- statement: DescribeInput
-- queryType: DESCRIBE
-- tables: -
DESCRIBE INPUT recent_orders;

-- case: describe output
-- session: -
-- statement: DescribeOutput
-- queryType: DESCRIBE
-- tables: -
DESCRIBE OUTPUT recent_orders;

-- case: set role in a catalog
-- session: -
-- statement: SetRole
-- queryType: DATA_DEFINITION
-- tables: -
-- catalogs: hive
SET ROLE analysts IN hive;

-- case: set path
-- session: -
-- statement: SetPath
-- queryType: DATA_DEFINITION
-- tables: -
-- catalogs: -
SET PATH example.default, system.builtin;

-- case: set time zone
-- session: -
-- statement: SetTimeZone
-- queryType: DATA_DEFINITION
-- tables: -
SET TIME ZONE 'Europe/Berlin';

-- case: set session authorization
-- session: -
-- statement: SetSessionAuthorization
-- queryType: DATA_DEFINITION
-- tables: -
SET SESSION AUTHORIZATION 'etl_user';

-- case: reset session authorization
-- session: -
-- statement: ResetSessionAuthorization
-- queryType: DATA_DEFINITION
-- tables: -
RESET SESSION AUTHORIZATION;
