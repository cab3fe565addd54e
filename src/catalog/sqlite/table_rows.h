#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catalog/model.h"
#include "catalog/sqlite/connection.h"
#include "catalog/table_layers.h"
#include "catalog/table_reconciler.h"

// Reading a stored table back, and the per-origin layers of the tables that
// several origins describe (catalog/table_layers.h; migration 12). A shared
// table's `tables` row holds the merge of its layers and the origin
// kSharedOrigin; a table only one origin describes has no layers: its row is
// that origin's view.
namespace cairn::catalog::sqlite {

// The table stored under `fqn` (case-insensitive) with its columns, and the
// name of its service; nullopt when there is none.
std::optional<Table> ReadTableRow(Connection& db, std::string_view fqn,
                                  std::string* service = nullptr);

// What the layers of the service's shared tables hold, by (table id, origin).
StoredLayers ReadLayerHashes(Connection& db, std::int64_t service_id);

// Every layer of one table, by origin name.
std::vector<TableLayer> ReadLayers(Connection& db, std::int64_t table_id);

// Adds or replaces `origin`'s layer of a table.
void PutLayer(Connection& db, std::int64_t table_id, std::string_view origin, std::int64_t hash,
              const Table& table);
void RemoveLayer(Connection& db, std::int64_t table_id, std::string_view origin);
void RemoveLayers(Connection& db, std::int64_t table_id);

}  // namespace cairn::catalog::sqlite
