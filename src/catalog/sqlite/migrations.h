#pragma once

#include <vector>

#include "catalog/sqlite/connection.h"

namespace cairn::catalog::sqlite {

// One step of the schema's history. Steps are never edited once released:
// a change to the schema is a new step at the end.
struct Migration {
  int version;
  const char* description;
  const char* sql;
  // Fills what the step created from data already stored, after `sql` and
  // in the same transaction: for derived tables that the code keeps up to
  // date (e.g. search facets), built by that same code. May be null.
  void (*fill)(Connection& db) = nullptr;
};

const std::vector<Migration>& Migrations();
int LatestSchemaVersion();

// Brings the database up to `target_version` (PRAGMA user_version, recorded
// in schema_migrations too) in one transaction. Throws kStorage when the
// database was written by a newer Cairn (its version is above what this
// binary knows). Tests pass a lower target to build an old database.
void Migrate(Connection& db, int target_version = LatestSchemaVersion());

}  // namespace cairn::catalog::sqlite
