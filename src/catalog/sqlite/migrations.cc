#include "catalog/sqlite/migrations.h"

#include <fmt/format.h>

#include "catalog/sqlite/search_index.h"
#include "core/error.h"

namespace cairn::catalog::sqlite {
namespace {

// Catalog entities and run history. Tables and nodes keep a content hash so
// that re-ingesting an unchanged project rewrites nothing. Run history is keyed by the node's
// unique_id text, so it outlives the node.
constexpr const char* kCatalogSchema = R"sql(
CREATE TABLE schema_migrations(
  version INTEGER PRIMARY KEY,
  description TEXT NOT NULL,
  applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE services(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  service_type TEXT NOT NULL DEFAULT ''
);

CREATE TABLE tables(
  id INTEGER PRIMARY KEY,
  service_id INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
  origin TEXT NOT NULL,
  content_hash INTEGER NOT NULL,
  fqn TEXT NOT NULL UNIQUE COLLATE NOCASE,
  database_name TEXT NOT NULL,
  schema_name TEXT NOT NULL COLLATE NOCASE,
  name TEXT NOT NULL,
  table_type TEXT NOT NULL,
  description TEXT NOT NULL,
  tags TEXT NOT NULL,
  owners TEXT NOT NULL,
  stats TEXT NOT NULL
);
CREATE INDEX tables_by_service ON tables(service_id, origin);

-- Replaced as a whole when their table changes; `position` is the place in
-- the ingested list, `ordinal` what the source said.
CREATE TABLE columns(
  table_id INTEGER NOT NULL REFERENCES tables(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  ordinal INTEGER NOT NULL,
  data_type TEXT NOT NULL,
  description TEXT NOT NULL,
  tags TEXT NOT NULL,
  meta TEXT NOT NULL,
  constraints_json TEXT NOT NULL,
  PRIMARY KEY (table_id, position)
) WITHOUT ROWID;

CREATE TABLE dbt_nodes(
  id INTEGER PRIMARY KEY,
  service_id INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
  origin TEXT NOT NULL,
  content_hash INTEGER NOT NULL,
  unique_id TEXT NOT NULL,
  fqn TEXT NOT NULL COLLATE NOCASE,
  table_fqn TEXT NOT NULL COLLATE NOCASE,
  resource_type TEXT NOT NULL,
  name TEXT NOT NULL,
  package_name TEXT NOT NULL,
  original_file_path TEXT NOT NULL,
  description TEXT NOT NULL,
  tags TEXT NOT NULL,
  owners TEXT NOT NULL,
  meta TEXT NOT NULL,
  materialized TEXT NOT NULL,
  language TEXT NOT NULL,
  access TEXT NOT NULL,
  group_name TEXT NOT NULL,
  version TEXT NOT NULL,
  latest_version TEXT NOT NULL,
  contract_enforced INTEGER NOT NULL,
  constraints_json TEXT NOT NULL,
  depends_on TEXT NOT NULL,
  test_name TEXT NOT NULL,
  test_column TEXT NOT NULL,
  test_kwargs TEXT NOT NULL,
  severity TEXT NOT NULL,
  source_name TEXT NOT NULL,
  loader TEXT NOT NULL,
  freshness TEXT NOT NULL,
  label TEXT NOT NULL,
  exposure_type TEXT NOT NULL,
  url TEXT NOT NULL,
  maturity TEXT NOT NULL,
  -- Also serves lookups by unique_id alone; Apply reads a service's nodes by
  -- scanning this narrow table (SQL lives in dbt_node_code), which is cheaper
  -- than keeping one more index up to date on every insert.
  UNIQUE (unique_id, service_id)
);
CREATE INDEX dbt_nodes_by_fqn ON dbt_nodes(fqn);
CREATE INDEX dbt_nodes_by_table ON dbt_nodes(table_fqn, resource_type);

-- A node's SQL (a kilobyte or more) lives apart so that reading the nodes of
-- a service to compare hashes does not page through every query text.
CREATE TABLE dbt_node_code(
  node_id INTEGER PRIMARY KEY REFERENCES dbt_nodes(id) ON DELETE CASCADE,
  raw_code TEXT NOT NULL,
  compiled_code TEXT NOT NULL
);

-- Replaced per (service, origin) only when the set changed; that rare delete
-- scans rather than every insert maintaining a third index.
CREATE TABLE lineage_edges(
  id INTEGER PRIMARY KEY,
  service_id INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
  origin TEXT NOT NULL,
  upstream_fqn TEXT NOT NULL COLLATE NOCASE,
  downstream_fqn TEXT NOT NULL COLLATE NOCASE,
  upstream_column TEXT NOT NULL,
  downstream_column TEXT NOT NULL
);
CREATE INDEX lineage_by_upstream ON lineage_edges(upstream_fqn);
CREATE INDEX lineage_by_downstream ON lineage_edges(downstream_fqn);

CREATE TABLE doc_blocks(
  id INTEGER PRIMARY KEY,
  service_id INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
  origin TEXT NOT NULL,
  unique_id TEXT NOT NULL,
  name TEXT NOT NULL,
  package_name TEXT NOT NULL,
  block_contents TEXT NOT NULL
);
CREATE INDEX doc_blocks_by_service ON doc_blocks(service_id, origin);

-- What Apply last wrote for the whole-set entities of (service, origin), so an
-- unchanged set is not rewritten.
CREATE TABLE snapshot_state(
  service_id INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
  origin TEXT NOT NULL,
  lineage_hash INTEGER NOT NULL,
  docs_hash INTEGER NOT NULL,
  PRIMARY KEY (service_id, origin)
) WITHOUT ROWID;

CREATE TABLE invocations(
  id INTEGER PRIMARY KEY,
  invocation_id TEXT NOT NULL UNIQUE,
  service_id INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
  artifact TEXT NOT NULL,
  command TEXT NOT NULL,
  dbt_version TEXT NOT NULL,
  generated_at TEXT NOT NULL,
  elapsed_seconds REAL NOT NULL
);

-- Append-only. generated_at is the invocation's, copied so that a node's
-- history comes newest first straight from the index.
CREATE TABLE node_runs(
  id INTEGER PRIMARY KEY,
  invocation_id TEXT NOT NULL REFERENCES invocations(invocation_id),
  unique_id TEXT NOT NULL,
  generated_at TEXT NOT NULL,
  resource_type TEXT NOT NULL,
  status TEXT NOT NULL,
  execution_seconds REAL NOT NULL,
  started_at TEXT NOT NULL,
  completed_at TEXT NOT NULL,
  message TEXT NOT NULL,
  failures INTEGER,
  rows_affected INTEGER,
  max_loaded_at TEXT NOT NULL,
  age_seconds REAL
);
CREATE INDEX node_runs_by_node ON node_runs(unique_id, generated_at);

-- What people change in the UI (description, tags, owners), keyed by the FQN
-- of a table, a column (table FQN + "." + column) or a dbt node. Apply never
-- writes here, so re-ingestion cannot overwrite an edit, and an edit survives
-- its entity being removed and re-created; reads lay edits over ingested values.
CREATE TABLE edits(
  target_fqn TEXT NOT NULL COLLATE NOCASE,
  field TEXT NOT NULL,
  value TEXT NOT NULL,
  edited_by TEXT NOT NULL DEFAULT '',
  edited_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  PRIMARY KEY (target_fqn, field)
) WITHOUT ROWID;
)sql";

// One search document per table (rowid = 2 * table id, enriched with the dbt
// node that builds it) and per table-less dbt node (rowid = 2 * node id + 1).
// Filter values are UNINDEXED columns; tag_list and owner_list hold lower-case
// values between U+001F separators for exact matching.
constexpr const char* kSearchSchema = R"sql(
CREATE VIRTUAL TABLE search_fts USING fts5(
  name, aliases, fqn, description, columns, tags,
  resource_type UNINDEXED, schema_name UNINDEXED, service UNINDEXED,
  tag_list UNINDEXED, owner_list UNINDEXED,
  tokenize = 'unicode61 remove_diacritics 2'
);
)sql";

// Listing an invocation's results reads node_runs by invocation.
constexpr const char* kHistoryByInvocation = R"sql(
CREATE INDEX node_runs_by_invocation ON node_runs(invocation_id);
CREATE INDEX invocations_by_time ON invocations(generated_at);
)sql";

// Service tokens (auth/): the salted hash of each secret, never the secret;
// deactivated tokens stay for audit.
constexpr const char* kServiceTokens = R"sql(
CREATE TABLE service_tokens(
  id INTEGER PRIMARY KEY,
  uid TEXT NOT NULL UNIQUE,
  account_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  state INTEGER NOT NULL DEFAULT 1,
  lookup_key TEXT NOT NULL,
  salt TEXT NOT NULL,
  verifier TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  last_used TEXT,
  expires_at TEXT
);
CREATE INDEX service_tokens_by_lookup_key ON service_tokens(lookup_key);
CREATE TABLE service_token_grants(
  id INTEGER PRIMARY KEY,
  token_id INTEGER NOT NULL REFERENCES service_tokens(id),
  permission_set TEXT NOT NULL,
  project_id INTEGER,
  writable_environment_categories TEXT NOT NULL DEFAULT '[]',
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX service_token_grants_by_token ON service_token_grants(token_id);
)sql";

// Integrations and their extraction runs (ingest/runs/). A run's log lines
// are kept with it; runs are never deleted with their integration's files.
constexpr const char* kExtractionRuns = R"sql(
CREATE TABLE integrations(
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  settings TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) WITHOUT ROWID;
CREATE TABLE extraction_runs(
  id INTEGER PRIMARY KEY,
  integration_id TEXT NOT NULL,
  trigger TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  started_at TEXT,
  finished_at TEXT,
  counts TEXT NOT NULL DEFAULT '{}',
  error TEXT
);
CREATE INDEX extraction_runs_by_integration ON extraction_runs(integration_id, id);
CREATE INDEX extraction_runs_by_status ON extraction_runs(status);
CREATE TABLE extraction_run_log(
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES extraction_runs(id),
  time TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  level TEXT NOT NULL,
  message TEXT NOT NULL
);
CREATE INDEX extraction_run_log_by_run ON extraction_run_log(run_id, id);
)sql";

// What search filters and counts by, one row per search document (doc = the
// search_fts rowid), apart from the documents' text so that filtering and
// counting thousands of matches reads a few bytes each. tag_list and
// owner_list are as in search_fts; test_status is the worst latest result of
// the document's tests: 0 none, 1 pass, 2 warn, 3 fail, 4 error.
constexpr const char* kSearchFacets = R"sql(
CREATE TABLE search_facets(
  doc INTEGER PRIMARY KEY,
  resource_type TEXT NOT NULL,
  schema_name TEXT NOT NULL,
  tag_list TEXT NOT NULL,
  owner_list TEXT NOT NULL,
  test_status INTEGER NOT NULL DEFAULT 0
);
)sql";

// The fingerprint of the input each (service, origin) was last applied from,
// so that re-ingesting byte-identical artifacts stops before parsing them.
constexpr const char* kArtifactFingerprints = R"sql(
ALTER TABLE snapshot_state ADD COLUMN artifact_fingerprint TEXT NOT NULL DEFAULT '';
)sql";

// The SELECT behind a view or materialized view, as a warehouse reports it.
constexpr const char* kViewDefinitions = R"sql(
ALTER TABLE tables ADD COLUMN definition TEXT NOT NULL DEFAULT '';
)sql";

// markDeletedTables: when a warehouse ingestion found a table gone.
constexpr const char* kDeletedTables = R"sql(
ALTER TABLE tables ADD COLUMN deleted_at TEXT NOT NULL DEFAULT '';
)sql";

// Bucket syncs of integrations (server/sync/): what each sync listed (the
// artifacts' keys and ETags, compared with the last successful sync's so that
// only changed ones are downloaded), and the lease that lets one process at a
// time sync an integration (taken by a conditional upsert, expiring so that a
// killed holder does not block it for ever).
constexpr const char* kBucketSyncs = R"sql(
CREATE TABLE bucket_syncs(
  run_id INTEGER PRIMARY KEY,
  integration_id TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  listing TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX bucket_syncs_by_integration ON bucket_syncs(integration_id, run_id);
CREATE TABLE bucket_sync_leases(
  integration_id TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
)sql";

// Named credential blocks (auth/credential_store.h): what a client needs to
// reach an outside service, the key sealed with the server's secret key
// (core/secret_cipher.h) so that the catalog file alone does not give it away.
constexpr const char* kCredentialBlocks = R"sql(
CREATE TABLE credential_blocks(
  name TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  account_id TEXT NOT NULL,
  domain TEXT NOT NULL,
  access_url TEXT NOT NULL DEFAULT '',
  discovery_url TEXT NOT NULL DEFAULT '',
  sealed_api_key TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) WITHOUT ROWID;
)sql";

// Tables that several origins describe (a warehouse and dbt): each origin's
// view of the table, so that its row can hold their merge
// (catalog/table_layers.h) whatever order they were applied in. Such a row
// has the origin '' (sqlite/table_rows.h); a table only one origin describes
// has no layers.
constexpr const char* kTableLayers = R"sql(
CREATE TABLE table_layers(
  table_id INTEGER NOT NULL REFERENCES tables(id) ON DELETE CASCADE,
  origin TEXT NOT NULL,
  content_hash INTEGER NOT NULL,
  layer TEXT NOT NULL,
  PRIMARY KEY (table_id, origin)
) WITHOUT ROWID;
)sql";

// Which process an extraction run belongs to (core/process.h), so that a
// `cairn serve` starting on a catalog that others serve too fails only the
// runs a dead process left.
constexpr const char* kRunOwners = R"sql(
ALTER TABLE extraction_runs ADD COLUMN owner TEXT NOT NULL DEFAULT '';
)sql";

// Integrations are listed in the order they were created. created_at has
// millisecond resolution, so two made within one millisecond need a counter
// to keep that order; rows from before this migration keep 0 and their
// created_at order, ahead of every later one.
constexpr const char* kIntegrationOrder = R"sql(
ALTER TABLE integrations ADD COLUMN created_seq INTEGER NOT NULL DEFAULT 0;
)sql";

}  // namespace

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kMigrations = {
      {1, "catalog entities and run history", kCatalogSchema},
      {2, "full-text search index", kSearchSchema},
      {3, "run history by invocation", kHistoryByInvocation},
      {4, "service tokens", kServiceTokens},
      {5, "integrations and extraction runs", kExtractionRuns},
      {6, "search facets and test status", kSearchFacets, &RebuildSearchFacets},
      {7, "artifact fingerprints", kArtifactFingerprints},
      {8, "view definitions", kViewDefinitions},
      {9, "tables marked deleted", kDeletedTables},
      {10, "bucket syncs and their leases", kBucketSyncs},
      {11, "credential blocks", kCredentialBlocks},
      {12, "tables described by several origins", kTableLayers},
      {13, "the process each extraction run belongs to", kRunOwners},
      {14, "integrations in the order they were created", kIntegrationOrder},
  };
  return kMigrations;
}

int LatestSchemaVersion() {
  return Migrations().back().version;
}

void Migrate(Connection& db, int target_version) {
  auto refuse_newer = [&](std::int64_t current) {
    if (current > LatestSchemaVersion()) {
      throw Error(ErrorCode::kStorage,
                  fmt::format("{}: the catalog's schema version is {}, newer than the {} this "
                              "Cairn knows; upgrade Cairn to open it",
                              db.path(), current, LatestSchemaVersion()));
    }
  };
  std::int64_t current = db.QueryInt("PRAGMA user_version");
  refuse_newer(current);
  if (current >= target_version) return;

  db.Exec("BEGIN IMMEDIATE");
  try {
    current = db.QueryInt("PRAGMA user_version");  // another process may have migrated
    refuse_newer(current);
    for (const Migration& step : Migrations()) {
      if (step.version <= current || step.version > target_version) continue;
      db.Exec(step.sql);
      if (step.fill != nullptr) step.fill(db);
      Statement& record =
          db.Prepare("INSERT INTO schema_migrations(version, description) VALUES (?1, ?2)");
      record.Bind(1, step.version).Bind(2, std::string_view(step.description)).Exec();
      db.Exec(fmt::format("PRAGMA user_version = {}", step.version));
    }
    db.Exec("COMMIT");
  } catch (...) {
    db.RollbackQuietly();
    throw;
  }
}

}  // namespace cairn::catalog::sqlite
