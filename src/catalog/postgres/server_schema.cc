#include "catalog/postgres/migrations.h"

namespace cairn::catalog::postgres {

// What `cairn serve` keeps beside the catalog: the tables of the SQLite
// catalog's migrations 4, 5, 10, 11 and 13 (catalog/sqlite/migrations.cc)
// with PostgreSQL's types. Times are timestamptz, read back through
// cairn_utc_text in the text form the SQLite stores return. Bucket-sync
// leases have no table: on PostgreSQL they are advisory locks held by the
// syncing instance's session (server/sync/postgres_sync_state_store.cc).
const char* const kServerSchema = R"sql(
CREATE FUNCTION cairn_utc_text(t timestamptz) RETURNS text
  LANGUAGE sql STABLE STRICT
  AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $$;

CREATE TABLE service_tokens(
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  uid text NOT NULL UNIQUE,
  account_id bigint NOT NULL,
  name text NOT NULL,
  state integer NOT NULL DEFAULT 1,
  lookup_key text NOT NULL,
  salt text NOT NULL,
  verifier text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  last_used timestamptz,
  expires_at timestamptz
);
CREATE INDEX service_tokens_by_lookup_key ON service_tokens(lookup_key);
CREATE INDEX service_tokens_by_account ON service_tokens(account_id, id);
CREATE TABLE service_token_grants(
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  token_id bigint NOT NULL REFERENCES service_tokens(id),
  permission_set text NOT NULL,
  project_id bigint,
  writable_environment_categories jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX service_token_grants_by_token ON service_token_grants(token_id);

CREATE TABLE integrations(
  id text PRIMARY KEY,
  name text NOT NULL,
  type text NOT NULL,
  settings text NOT NULL DEFAULT '{}',  -- sealed (core/secret_cipher.h): not JSON
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE extraction_runs(
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  integration_id text NOT NULL,
  trigger text NOT NULL,
  status text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  counts text NOT NULL DEFAULT '{}',
  error text,
  owner text NOT NULL DEFAULT ''  -- core/process.h
);
CREATE INDEX extraction_runs_by_integration ON extraction_runs(integration_id, id);
CREATE INDEX extraction_runs_by_status ON extraction_runs(status);
CREATE TABLE extraction_run_log(
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id bigint NOT NULL REFERENCES extraction_runs(id),
  time timestamptz NOT NULL DEFAULT clock_timestamp(),
  level text NOT NULL,
  message text NOT NULL
);
CREATE INDEX extraction_run_log_by_run ON extraction_run_log(run_id, id);

CREATE TABLE bucket_syncs(
  run_id bigint PRIMARY KEY,
  integration_id text NOT NULL,
  started_at bigint NOT NULL,  -- Unix seconds, as the scheduler counts
  listing text NOT NULL DEFAULT '{}'
);
CREATE INDEX bucket_syncs_by_integration ON bucket_syncs(integration_id, run_id);

CREATE TABLE credential_blocks(
  name text PRIMARY KEY,
  type text NOT NULL,
  account_id text NOT NULL,
  domain text NOT NULL,
  access_url text NOT NULL DEFAULT '',
  discovery_url text NOT NULL DEFAULT '',
  sealed_api_key text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
)sql";

}  // namespace cairn::catalog::postgres
