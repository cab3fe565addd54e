#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/model.h"
#include "catalog/postgres/connection.h"
#include "catalog/table_layers.h"
#include "catalog/table_reconciler.h"

// Reading a stored table back, and the per-origin layers of the tables that
// several origins describe, as catalog/sqlite/table_rows.h does for SQLite:
// a shared table's row holds the merge of its layers and the origin
// kSharedOrigin.
namespace cairn::catalog::postgres {

// The table stored under `fqn` (case-insensitive) with its columns, and the
// name of its service; nullopt when there is none.
std::optional<Table> ReadTableRow(Connection& db, std::string_view fqn,
                                  std::string* service = nullptr);

StoredLayers ReadLayerHashes(Connection& db, std::int64_t service_id);
std::vector<TableLayer> ReadLayers(Connection& db, std::int64_t table_id);
void PutLayer(Connection& db, std::int64_t table_id, std::string_view origin, std::int64_t hash,
              const Table& table);
void RemoveLayer(Connection& db, std::int64_t table_id, std::string_view origin);
void RemoveLayers(Connection& db, std::int64_t table_id);

}  // namespace cairn::catalog::postgres
