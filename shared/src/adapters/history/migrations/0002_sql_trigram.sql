-- Text search in the SQL is ILIKE '%…%'. With the pg_trgm extension (trusted since PostgreSQL 13: a
-- database owner may create it) a trigram GIN index serves it; without, the search scans the table.
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
  CREATE INDEX junction_history_sql_trgm ON junction_history USING gin (sql gin_trgm_ops);
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'pg_trgm is not available (%): history text search scans the table', SQLERRM;
END
$$;
