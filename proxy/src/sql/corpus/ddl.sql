-- DDL: schemas, tables, views, materialized views, catalogs, functions, grants and roles.

-- case: create schema with properties
-- session: -
-- statement: CreateSchema
-- queryType: DATA_DEFINITION
-- tables: -
-- schemas: hive.web
-- catalogs: hive
CREATE SCHEMA IF NOT EXISTS hive.web
WITH (location = 's3://warehouse/web/');

-- case: create schema in the session catalog
-- session: iceberg.analytics
-- statement: CreateSchema
-- queryType: DATA_DEFINITION
-- tables: -
-- schemas: iceberg.staging
create schema staging authorization role etl;

-- case: drop schema cascade
-- session: -
-- statement: DropSchema
-- queryType: DATA_DEFINITION
-- tables: -
-- schemas: hive.scratch
DROP SCHEMA IF EXISTS hive.scratch CASCADE;

-- case: rename schema
-- session: -
-- statement: RenameSchema
-- queryType: DATA_DEFINITION
-- tables: -
-- schemas: hive.site, hive.web
ALTER SCHEMA hive.web RENAME TO site;

-- case: schema authorization
-- session: hive.web
-- statement: SetSchemaAuthorization
-- queryType: DATA_DEFINITION
-- tables: -
-- schemas: hive.web
ALTER SCHEMA web SET AUTHORIZATION USER alice;

-- case: create table with columns and properties
-- session: -
-- statement: CreateTable
-- queryType: DATA_DEFINITION
-- tables: iceberg.web.page_views
CREATE TABLE iceberg.web.page_views (
    view_time timestamp(6) with time zone NOT NULL COMMENT 'when the page was shown',
    user_id bigint,
    page_url varchar,
    tags array(varchar),
    context map(varchar, varchar),
    device row(kind varchar, os varchar)
)
COMMENT 'one row per page view'
WITH (format = 'PARQUET', partitioning = ARRAY['day(view_time)'], sorted_by = ARRAY['user_id']);

-- case: create table like another
-- session: hive.web
-- statement: CreateTable
-- queryType: DATA_DEFINITION
-- tables: hive.archive.page_views, hive.web.page_views
CREATE TABLE archive.page_views (LIKE page_views INCLUDING PROPERTIES, archived_at timestamp);

-- case: create or replace table
-- session: iceberg.web
-- statement: CreateTable
-- queryType: DATA_DEFINITION
-- tables: iceberg.web.daily
create or replace table daily (day date, views bigint);

-- case: drop table
-- session: tpch.tiny
-- statement: DropTable
-- queryType: DATA_DEFINITION
-- tables: memory.default.scratch
DROP TABLE IF EXISTS memory.default.scratch;

-- case: rename table within its schema
-- session: -
-- statement: RenameTable
-- queryType: DATA_DEFINITION
-- tables: hive.web.clicks, hive.web.clicks_old
ALTER TABLE IF EXISTS hive.web.clicks RENAME TO clicks_old;

-- case: add column
-- session: hive.web
-- statement: AddColumn
-- queryType: DATA_DEFINITION
-- tables: hive.web.clicks
ALTER TABLE clicks ADD COLUMN IF NOT EXISTS referrer varchar COMMENT 'HTTP Referer';

-- case: rename column
-- session: hive.web
-- statement: RenameColumn
-- queryType: DATA_DEFINITION
-- tables: hive.web.clicks
ALTER TABLE clicks RENAME COLUMN referrer TO referer;

-- case: drop column
-- session: -
-- statement: DropColumn
-- queryType: DATA_DEFINITION
-- tables: hive.web.clicks
ALTER TABLE hive.web.clicks DROP COLUMN IF EXISTS referer;

-- case: set column type
-- session: iceberg.web
-- statement: SetColumnType
-- queryType: DATA_DEFINITION
-- tables: iceberg.web.page_views
ALTER TABLE page_views ALTER COLUMN user_id SET DATA TYPE decimal(20, 0);

-- case: drop not null
-- session: iceberg.web
-- statement: DropNotNullConstraint
-- queryType: DATA_DEFINITION
-- tables: iceberg.web.page_views
ALTER TABLE page_views ALTER COLUMN view_time DROP NOT NULL;

-- case: table authorization
-- session: -
-- statement: SetTableAuthorization
-- queryType: DATA_DEFINITION
-- tables: hive.web.clicks
ALTER TABLE hive.web.clicks SET AUTHORIZATION ROLE analysts;

-- case: table properties
-- session: iceberg.web
-- statement: SetProperties
-- queryType: DATA_DEFINITION
-- tables: iceberg.web.page_views
ALTER TABLE page_views SET PROPERTIES format_version = 2, partitioning = DEFAULT;

-- case: comment on table
-- session: hive.web
-- statement: Comment
-- queryType: DATA_DEFINITION
-- tables: hive.web.clicks
COMMENT ON TABLE clicks IS 'raw click stream';

-- case: comment on column
-- session: -
-- statement: Comment
-- queryType: DATA_DEFINITION
-- tables: hive.web.clicks
COMMENT ON COLUMN hive.web.clicks.url IS NULL;

-- case: create view
-- session: hive.web
-- statement: CreateView
-- queryType: DATA_DEFINITION
-- tables: hive.reporting.daily_clicks, hive.web.clicks
CREATE OR REPLACE VIEW reporting.daily_clicks
COMMENT 'clicks per day'
SECURITY INVOKER
AS
SELECT date_trunc('day', ts) AS day, count(*) AS clicks
FROM clicks
GROUP BY 1;

-- case: drop view
-- session: hive.reporting
-- statement: DropView
-- queryType: DATA_DEFINITION
-- tables: hive.reporting.daily_clicks
DROP VIEW IF EXISTS daily_clicks;

-- case: rename view into another schema
-- session: -
-- statement: RenameView
-- queryType: DATA_DEFINITION
-- tables: hive.archive.daily_clicks, hive.reporting.daily_clicks
ALTER VIEW hive.reporting.daily_clicks RENAME TO archive.daily_clicks;

-- case: view authorization
-- session: hive.reporting
-- statement: SetViewAuthorization
-- queryType: DATA_DEFINITION
-- tables: hive.reporting.daily_clicks
ALTER VIEW daily_clicks SET AUTHORIZATION bob;

-- case: create materialized view
-- session: -
-- statement: CreateMaterializedView
-- queryType: DATA_DEFINITION
-- tables: iceberg.mv.revenue_by_nation, tpch.sf1.customer, tpch.sf1.nation, tpch.sf1.orders
CREATE MATERIALIZED VIEW IF NOT EXISTS iceberg.mv.revenue_by_nation
GRACE PERIOD INTERVAL '1' HOUR
WITH (format = 'ORC')
AS
SELECT n.name, sum(o.totalprice) AS revenue
FROM tpch.sf1.orders o
JOIN tpch.sf1.customer c ON o.custkey = c.custkey
JOIN tpch.sf1.nation n ON c.nationkey = n.nationkey
GROUP BY n.name;

-- case: drop materialized view
-- session: iceberg.mv
-- statement: DropMaterializedView
-- queryType: DATA_DEFINITION
-- tables: iceberg.mv.revenue_by_nation
DROP MATERIALIZED VIEW revenue_by_nation;

-- case: rename materialized view
-- session: iceberg.mv
-- statement: RenameMaterializedView
-- queryType: DATA_DEFINITION
-- tables: iceberg.mv.revenue_by_nation, iceberg.mv.revenue_per_nation
ALTER MATERIALIZED VIEW revenue_by_nation RENAME TO revenue_per_nation;

-- case: materialized view properties
-- session: -
-- statement: SetProperties
-- queryType: DATA_DEFINITION
-- tables: iceberg.mv.revenue_by_nation
ALTER MATERIALIZED VIEW iceberg.mv.revenue_by_nation SET PROPERTIES partitioning = ARRAY['name'];

-- case: create catalog
-- session: -
-- statement: CreateCatalog
-- queryType: DATA_DEFINITION
-- tables: -
-- schemas: -
-- catalogs: lake
CREATE CATALOG IF NOT EXISTS lake USING iceberg
WITH ("iceberg.catalog.type" = 'rest', "iceberg.rest-catalog.uri" = 'http://rest:8181');

-- case: drop catalog
-- session: -
-- statement: DropCatalog
-- queryType: DATA_DEFINITION
-- tables: -
-- catalogs: lake
DROP CATALOG IF EXISTS lake;

-- case: create function in a catalog schema
-- session: -
-- statement: CreateFunction
-- queryType: DATA_DEFINITION
-- tables: -
-- schemas: example.default
-- catalogs: example
CREATE OR REPLACE FUNCTION example.default.meaning_of_life()
RETURNS bigint
RETURN 42;

-- case: drop function
-- session: -
-- statement: DropFunction
-- queryType: DATA_DEFINITION
-- tables: -
-- schemas: example.default
DROP FUNCTION IF EXISTS example.default.meaning_of_life();

-- case: grant on table
-- session: hive.web
-- statement: Grant
-- queryType: DATA_DEFINITION
-- tables: hive.web.clicks
GRANT SELECT, INSERT ON clicks TO ROLE analysts WITH GRANT OPTION;

-- case: grant on schema
-- session: -
-- statement: Grant
-- queryType: DATA_DEFINITION
-- tables: -
-- schemas: hive.web
GRANT ALL PRIVILEGES ON SCHEMA hive.web TO USER alice;

-- case: revoke
-- session: -
-- statement: Revoke
-- queryType: DATA_DEFINITION
-- tables: hive.web.clicks
REVOKE GRANT OPTION FOR INSERT ON TABLE hive.web.clicks FROM ROLE analysts;

-- case: deny
-- session: hive.web
-- statement: Deny
-- queryType: DATA_DEFINITION
-- tables: hive.web.clicks
DENY DELETE ON clicks TO USER intern;

-- case: create role in a catalog
-- session: -
-- statement: CreateRole
-- queryType: DATA_DEFINITION
-- tables: -
-- catalogs: hive
CREATE ROLE analysts WITH ADMIN USER alice IN hive;

-- case: grant role
-- session: -
-- statement: GrantRoles
-- queryType: DATA_DEFINITION
-- tables: -
-- catalogs: -
GRANT analysts TO USER bob;

-- case: drop role
-- session: -
-- statement: DropRole
-- queryType: DATA_DEFINITION
-- tables: -
-- catalogs: hive
DROP ROLE analysts IN hive;
