#include "catalog/postgres/migrations.h"

namespace cairn::catalog::postgres {

// The catalog as the SQLite backend keeps it (catalog/sqlite/migrations.cc),
// in PostgreSQL's terms:
// - FQNs compare with ASCII letters folded (catalog/fqn_key.h): each has a
//   generated *_key column, cairn_fold(fqn), in the "C" collation, which the
//   unique indexes and lookups use.
// - A node's SQL is compressed with lz4, several times faster to write than
//   the default pglz.
// - Search documents are rows of search_docs with a weighted tsvector (GIN
//   index) and the facets they are filtered and counted by. cairn_words keeps
//   only runs of letters and digits, so that the text parser sees plain words
//   ("daily.revenue" is two words, not a host name), the same words as the
//   documents of a new catalog, which are built in C++ (search_index.h).
//   Room is left in its pages so that a new test status is a HOT update,
//   which does not touch the GIN index.
// - catalog_changes holds one counter that every writing transaction bumps,
//   so that any process sees any other's commits with one cheap SELECT.
const char* const kCatalogSchema = R"sql(
CREATE FUNCTION cairn_fold(text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN translate($1, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz');

CREATE FUNCTION cairn_words(text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN regexp_replace($1, '[^[:alnum:]]+', ' ', 'g');

CREATE TABLE services(
  id bigserial PRIMARY KEY,
  name text NOT NULL,
  name_key text COLLATE "C" NOT NULL GENERATED ALWAYS AS (cairn_fold(name)) STORED UNIQUE,
  service_type text NOT NULL DEFAULT ''
);

CREATE TABLE tables(
  id bigserial PRIMARY KEY,
  service_id bigint NOT NULL REFERENCES services(id) ON DELETE CASCADE,
  origin text NOT NULL,
  content_hash bigint NOT NULL,
  fqn text NOT NULL,
  fqn_key text COLLATE "C" NOT NULL GENERATED ALWAYS AS (cairn_fold(fqn)) STORED UNIQUE,
  database_name text NOT NULL,
  schema_name text NOT NULL,
  name text NOT NULL,
  table_type text NOT NULL,
  description text NOT NULL,
  tags text NOT NULL,
  owners text NOT NULL,
  stats text NOT NULL,
  definition text NOT NULL DEFAULT '',
  deleted_at text NOT NULL DEFAULT ''
);
CREATE INDEX tables_by_service ON tables(service_id);

-- Replaced as a whole when their table changes; `position` is the place in
-- the ingested list, `ordinal` what the source said.
CREATE TABLE columns(
  table_id bigint NOT NULL REFERENCES tables(id) ON DELETE CASCADE,
  position integer NOT NULL,
  name text NOT NULL,
  ordinal integer NOT NULL,
  data_type text NOT NULL,
  description text NOT NULL,
  tags text NOT NULL,
  meta text NOT NULL,
  constraints_json text NOT NULL,
  PRIMARY KEY (table_id, position)
);

-- Each origin's view of a table that several origins describe
-- (catalog/table_layers.h); such a table's row has the origin ''.
CREATE TABLE table_layers(
  table_id bigint NOT NULL REFERENCES tables(id) ON DELETE CASCADE,
  origin text NOT NULL,
  content_hash bigint NOT NULL,
  layer text NOT NULL,
  PRIMARY KEY (table_id, origin)
);

-- SQL lives in the row: PostgreSQL keeps long values out of line (TOAST),
-- so reading a service's hashes does not page through it.
CREATE TABLE dbt_nodes(
  id bigserial PRIMARY KEY,
  service_id bigint NOT NULL REFERENCES services(id) ON DELETE CASCADE,
  origin text NOT NULL,
  content_hash bigint NOT NULL,
  unique_id text NOT NULL,
  fqn text NOT NULL,
  fqn_key text COLLATE "C" NOT NULL GENERATED ALWAYS AS (cairn_fold(fqn)) STORED,
  table_fqn text NOT NULL,
  table_fqn_key text COLLATE "C" NOT NULL GENERATED ALWAYS AS (cairn_fold(table_fqn)) STORED,
  resource_type text NOT NULL,
  name text NOT NULL,
  package_name text NOT NULL,
  original_file_path text NOT NULL,
  description text NOT NULL,
  tags text NOT NULL,
  owners text NOT NULL,
  meta text NOT NULL,
  materialized text NOT NULL,
  language text NOT NULL,
  raw_code text COMPRESSION lz4 NOT NULL,
  compiled_code text COMPRESSION lz4 NOT NULL,
  access text NOT NULL,
  group_name text NOT NULL,
  version text NOT NULL,
  latest_version text NOT NULL,
  contract_enforced boolean NOT NULL,
  constraints_json text NOT NULL,
  depends_on text NOT NULL,
  test_name text NOT NULL,
  test_column text NOT NULL,
  test_kwargs text NOT NULL,
  severity text NOT NULL,
  source_name text NOT NULL,
  loader text NOT NULL,
  freshness text NOT NULL,
  label text NOT NULL,
  exposure_type text NOT NULL,
  url text NOT NULL,
  maturity text NOT NULL,
  UNIQUE (unique_id, service_id)
);
CREATE INDEX dbt_nodes_by_service ON dbt_nodes(service_id);
CREATE INDEX dbt_nodes_by_fqn ON dbt_nodes(fqn_key);
CREATE INDEX dbt_nodes_by_table ON dbt_nodes(table_fqn_key, resource_type);

CREATE TABLE lineage_edges(
  id bigserial PRIMARY KEY,
  service_id bigint NOT NULL REFERENCES services(id) ON DELETE CASCADE,
  origin text NOT NULL,
  upstream_fqn text NOT NULL,
  upstream_key text COLLATE "C" NOT NULL GENERATED ALWAYS AS (cairn_fold(upstream_fqn)) STORED,
  downstream_fqn text NOT NULL,
  downstream_key text COLLATE "C" NOT NULL
    GENERATED ALWAYS AS (cairn_fold(downstream_fqn)) STORED,
  upstream_column text NOT NULL,
  downstream_column text NOT NULL
);
CREATE INDEX lineage_by_service ON lineage_edges(service_id, origin);
CREATE INDEX lineage_by_upstream ON lineage_edges(upstream_key);
CREATE INDEX lineage_by_downstream ON lineage_edges(downstream_key);

CREATE TABLE doc_blocks(
  id bigserial PRIMARY KEY,
  service_id bigint NOT NULL REFERENCES services(id) ON DELETE CASCADE,
  origin text NOT NULL,
  unique_id text NOT NULL,
  name text NOT NULL,
  package_name text NOT NULL,
  block_contents text NOT NULL
);
CREATE INDEX doc_blocks_by_service ON doc_blocks(service_id, origin);

-- What Apply last wrote for the whole-set entities of (service, origin), and
-- the fingerprint of the input it was read from.
CREATE TABLE snapshot_state(
  service_id bigint NOT NULL REFERENCES services(id) ON DELETE CASCADE,
  origin text NOT NULL,
  lineage_hash bigint NOT NULL,
  docs_hash bigint NOT NULL,
  artifact_fingerprint text NOT NULL DEFAULT '',
  PRIMARY KEY (service_id, origin)
);
CREATE INDEX snapshot_state_by_fingerprint ON snapshot_state(artifact_fingerprint);

CREATE TABLE invocations(
  id bigserial PRIMARY KEY,
  invocation_id text NOT NULL UNIQUE,
  service_id bigint NOT NULL REFERENCES services(id) ON DELETE CASCADE,
  artifact text NOT NULL,
  command text NOT NULL,
  dbt_version text NOT NULL,
  generated_at text NOT NULL,
  elapsed_seconds double precision NOT NULL
);
CREATE INDEX invocations_by_time ON invocations(generated_at);

-- Append-only, keyed by the node's unique_id so that it outlives the node.
-- generated_at is the invocation's, copied so that a node's history comes
-- newest first straight from the index.
CREATE TABLE node_runs(
  id bigserial PRIMARY KEY,
  invocation_id text NOT NULL REFERENCES invocations(invocation_id),
  unique_id text NOT NULL,
  generated_at text NOT NULL,
  resource_type text NOT NULL,
  status text NOT NULL,
  execution_seconds double precision NOT NULL,
  started_at text NOT NULL,
  completed_at text NOT NULL,
  message text NOT NULL,
  failures bigint,
  rows_affected bigint,
  max_loaded_at text NOT NULL,
  age_seconds double precision
);
CREATE INDEX node_runs_by_node ON node_runs(unique_id, generated_at, id);
CREATE INDEX node_runs_by_invocation ON node_runs(invocation_id, id);

-- What people change in the UI, keyed by the FQN of a table, a column (table
-- FQN + "." + column) or a dbt node. Apply never writes here.
CREATE TABLE edits(
  target_fqn text NOT NULL,
  target_key text COLLATE "C" NOT NULL GENERATED ALWAYS AS (cairn_fold(target_fqn)) STORED,
  field text NOT NULL,
  value text NOT NULL,
  edited_by text NOT NULL DEFAULT '',
  edited_at text NOT NULL
    DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
  PRIMARY KEY (target_key, field)
);

-- One document per table (doc = 2 * id, with what the dbt node that builds
-- it says) and per table-less dbt node (doc = 2 * id + 1). tag_list and
-- owner_list hold folded values; test_status is the worst latest result of
-- the document's tests: 0 none, 1 pass, 2 warn, 3 fail, 4 error.
CREATE TABLE search_docs(
  doc bigint PRIMARY KEY,
  service_id bigint NOT NULL REFERENCES services(id) ON DELETE CASCADE,
  fqn text NOT NULL,
  name text NOT NULL,
  resource_type text NOT NULL,
  schema_name text NOT NULL,
  tag_list text[] NOT NULL,
  owner_list text[] NOT NULL,
  description text NOT NULL,
  test_status integer NOT NULL DEFAULT 0,
  document tsvector NOT NULL
) WITH (fillfactor = 70);
CREATE INDEX search_docs_by_text ON search_docs USING gin(document);
CREATE INDEX search_docs_by_service ON search_docs(service_id);

CREATE TABLE catalog_changes(
  id integer PRIMARY KEY CHECK (id = 1),
  counter bigint NOT NULL
);
INSERT INTO catalog_changes(id, counter) VALUES (1, 0);
)sql";

// Migration 3. A foreign key costs a lookup of the parent row per inserted
// row (an RI trigger), and the tables Apply fills in bulk are the children:
// for a 10k-model project 284k columns, 55k nodes and as many search
// documents, 51k run results, where those checks took ~2 s of a ~9.5 s
// fresh Apply. SnapshotWriter is the only writer of these rows, writes them
// in one transaction with their parents, and deletes a table's columns with
// the table (services and invocations are never deleted), so the keys are
// dropped. The smaller tables keep theirs.
const char* const kCatalogUncheckedBulkRows = R"sql(
ALTER TABLE columns DROP CONSTRAINT columns_table_id_fkey;
ALTER TABLE dbt_nodes DROP CONSTRAINT dbt_nodes_service_id_fkey;
ALTER TABLE lineage_edges DROP CONSTRAINT lineage_edges_service_id_fkey;
ALTER TABLE doc_blocks DROP CONSTRAINT doc_blocks_service_id_fkey;
ALTER TABLE search_docs DROP CONSTRAINT search_docs_service_id_fkey;
ALTER TABLE node_runs DROP CONSTRAINT node_runs_invocation_id_fkey;
)sql";

}  // namespace cairn::catalog::postgres
