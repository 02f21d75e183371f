-- Query history: one row per query, folded from its events (shared/src/contract/history.ts).
-- `seq` is the listing order (first seen) and the paging cursor; times are timestamptz (ms precision).
CREATE TABLE junction_history (
  seq bigserial NOT NULL UNIQUE,
  id text PRIMARY KEY,
  query_id text,
  gateway_id text,
  user_name text,
  source text,
  client_tags text[],
  routing_group text,
  cluster text,
  routed_by text,
  rule text,
  submitted_at timestamptz,
  queued_ms bigint,
  first_page_at timestamptz,
  ended_at timestamptz,
  state text,
  error_name text,
  replica text,
  sql text,
  sql_truncated boolean
);

-- One record by its cluster query id (a queued query's record is keyed by its gateway id).
CREATE INDEX junction_history_query_id ON junction_history (query_id);
-- The API's filters, each newest first.
CREATE INDEX junction_history_user ON junction_history (user_name, seq DESC);
CREATE INDEX junction_history_source ON junction_history (source, seq DESC);
CREATE INDEX junction_history_group ON junction_history (routing_group, seq DESC);
CREATE INDEX junction_history_cluster ON junction_history (cluster, seq DESC);
CREATE INDEX junction_history_state ON junction_history (state, seq DESC);
CREATE INDEX junction_history_submitted ON junction_history (submitted_at);
