#include "catalog/postgres/migrations.h"

#include <fmt/format.h>

#include "core/error.h"

namespace cairn::catalog::postgres {
namespace {

// pg_advisory_xact_lock key of migrations: any constant no other lock uses
// ("cairnmig" in ASCII).
constexpr const char* kLockMigrations = "SELECT pg_advisory_xact_lock(7163384858071431527)";

constexpr const char* kCreateVersions = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations(
  version integer PRIMARY KEY,
  description text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
))sql";

constexpr const char* kCurrentVersion = "SELECT coalesce(max(version), 0) FROM schema_migrations";
constexpr const char* kRecordVersion =
    "INSERT INTO schema_migrations(version, description) VALUES ($1, $2)";

}  // namespace

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> migrations = {
      {1, "catalog: services, tables, columns, dbt nodes, lineage, runs, search", kCatalogSchema},
      {2, "server: service tokens, credentials, integrations, runs, sync state", kServerSchema},
      {3, "catalog: no per-row foreign-key checks on the rows Apply writes in bulk",
       kCatalogUncheckedBulkRows},
  };
  return migrations;
}

int LatestSchemaVersion() {
  return Migrations().back().version;
}

int SchemaVersionOf(Connection& db) {
  Rows exists = db.Query("SELECT to_regclass('schema_migrations') IS NOT NULL");
  if (!exists.Bool(0, 0)) return 0;
  return static_cast<int>(db.Query(kCurrentVersion).Int64(0, 0));
}

void Migrate(Connection& db) {
  Transaction transaction(db);
  db.Query(kLockMigrations);
  db.Query(kCreateVersions);
  int current = static_cast<int>(db.Query(kCurrentVersion).Int64(0, 0));
  if (current > LatestSchemaVersion()) {
    throw Error(ErrorCode::kStorage,
                fmt::format("catalog {} has schema version {}, newer than this Cairn knows ({}); "
                            "upgrade Cairn",
                            db.where(), current, LatestSchemaVersion()));
  }
  for (const Migration& migration : Migrations()) {
    if (migration.version <= current) continue;
    db.Exec(migration.sql);
    db.Query(kRecordVersion, Params().Add(migration.version).Add(migration.description));
  }
  transaction.Commit();
}

}  // namespace cairn::catalog::postgres
