#pragma once

#include <vector>

#include "catalog/postgres/connection.h"

namespace cairn::catalog::postgres {

// One step of the PostgreSQL schema's history, as for SQLite
// (catalog/sqlite/migrations.h): never edited once released.
struct Migration {
  int version;
  const char* description;
  const char* sql;
};

const std::vector<Migration>& Migrations();
int LatestSchemaVersion();

// Brings the database up to the latest version in one transaction, under a
// transaction-scoped advisory lock so that several `cairn serve` instances
// starting together migrate it once. Throws kStorage when the database was
// written by a newer Cairn.
void Migrate(Connection& db);

// The version the database is migrated to; 0 for an empty database.
int SchemaVersionOf(Connection& db);

// The SQL of the steps, one file per layer that owns the tables.
extern const char* const kCatalogSchema;             // catalog_schema.cc
extern const char* const kServerSchema;              // server_schema.cc: tokens, runs, syncs
extern const char* const kCatalogUncheckedBulkRows;  // catalog_schema.cc

}  // namespace cairn::catalog::postgres
