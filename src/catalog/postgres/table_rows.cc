#include "catalog/postgres/table_rows.h"

#include <nlohmann/json.hpp>

#include "catalog/json_text.h"
#include "catalog/snapshot_json.h"
#include "core/error.h"

namespace cairn::catalog::postgres {
namespace {

constexpr const char* kSelectTable = R"sql(
SELECT t.id, t.fqn, t.database_name, t.schema_name, t.name, t.table_type, t.description, t.tags,
       t.owners, t.stats, s.name, t.definition, t.deleted_at
FROM tables t JOIN services s ON s.id = t.service_id WHERE t.fqn_key = cairn_fold($1)
)sql";
constexpr const char* kSelectColumns = R"sql(
SELECT name, ordinal, data_type, description, tags, meta, constraints_json
FROM columns WHERE table_id = $1 ORDER BY position
)sql";

constexpr const char* kLayerHashes = R"sql(
SELECT l.table_id, l.origin, l.content_hash, coalesce(l.layer::jsonb ->> 'deleted_at', '') <> ''
FROM table_layers l JOIN tables t ON t.id = l.table_id
WHERE t.service_id = $1
)sql";
constexpr const char* kLayersOfTable =
    "SELECT origin, layer FROM table_layers WHERE table_id = $1 ORDER BY origin COLLATE \"C\"";
constexpr const char* kPutLayer = R"sql(
INSERT INTO table_layers(table_id, origin, content_hash, layer) VALUES ($1, $2, $3, $4)
ON CONFLICT(table_id, origin)
DO UPDATE SET content_hash = excluded.content_hash, layer = excluded.layer
)sql";
constexpr const char* kRemoveLayer = "DELETE FROM table_layers WHERE table_id = $1 AND origin = $2";
constexpr const char* kRemoveLayers = "DELETE FROM table_layers WHERE table_id = $1";

}  // namespace

std::optional<Table> ReadTableRow(Connection& db, std::string_view fqn, std::string* service) {
  Rows row = db.Query(kSelectTable, Params().Add(fqn));
  if (row.empty()) return std::nullopt;
  Table table;
  std::int64_t id = row.Int64(0, 0);
  table.fqn = row.String(0, 1);
  table.database = row.String(0, 2);
  table.schema = row.String(0, 3);
  table.name = row.String(0, 4);
  table.table_type = row.String(0, 5);
  table.description = row.String(0, 6);
  table.tags = ParseJsonArray(row.Text(0, 7));
  table.owners = ParseJsonArray(row.Text(0, 8));
  table.stats_json = row.String(0, 9);
  if (service != nullptr) *service = row.String(0, 10);
  table.definition = row.String(0, 11);
  table.deleted_at = row.String(0, 12);
  Rows columns = db.Query(kSelectColumns, Params().Add(id));
  for (int i = 0; i < columns.size(); ++i) {
    table.columns.push_back(Column{.name = columns.String(i, 0),
                                   .ordinal = static_cast<int>(columns.Int64(i, 1)),
                                   .data_type = columns.String(i, 2),
                                   .description = columns.String(i, 3),
                                   .tags = ParseJsonArray(columns.Text(i, 4)),
                                   .meta_json = columns.String(i, 5),
                                   .constraints_json = columns.String(i, 6)});
  }
  return table;
}

StoredLayers ReadLayerHashes(Connection& db, std::int64_t service_id) {
  StoredLayers layers;
  Rows rows = db.Query(kLayerHashes, Params().Add(service_id));
  for (int i = 0; i < rows.size(); ++i) {
    layers.emplace(std::pair(rows.Int64(i, 0), rows.String(i, 1)),
                   StoredLayer{.hash = rows.Int64(i, 2), .deleted = rows.Bool(i, 3)});
  }
  return layers;
}

std::vector<TableLayer> ReadLayers(Connection& db, std::int64_t table_id) {
  std::vector<TableLayer> layers;
  Rows rows = db.Query(kLayersOfTable, Params().Add(table_id));
  for (int i = 0; i < rows.size(); ++i) {
    nlohmann::json layer =
        nlohmann::json::parse(rows.Text(i, 1), nullptr, /*allow_exceptions=*/false);
    if (layer.is_discarded()) {
      throw Error(ErrorCode::kStorage, "the stored layer of a table is not JSON (table id " +
                                           std::to_string(table_id) + ", origin " +
                                           rows.String(i, 0) + ")");
    }
    layers.push_back(TableLayer{.origin = rows.String(i, 0), .table = TableFromJson(layer)});
  }
  return layers;
}

void PutLayer(Connection& db, std::int64_t table_id, std::string_view origin, std::int64_t hash,
              const Table& table) {
  db.Query(kPutLayer, Params().Add(table_id).Add(origin).Add(hash).Add(TableToJson(table).dump()));
}

void RemoveLayer(Connection& db, std::int64_t table_id, std::string_view origin) {
  db.Query(kRemoveLayer, Params().Add(table_id).Add(origin));
}

void RemoveLayers(Connection& db, std::int64_t table_id) {
  db.Query(kRemoveLayers, Params().Add(table_id));
}

}  // namespace cairn::catalog::postgres
