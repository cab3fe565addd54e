#include "catalog/sqlite/table_rows.h"

#include "catalog/json_text.h"
#include "catalog/snapshot_json.h"
#include "core/error.h"

namespace cairn::catalog::sqlite {
namespace {

constexpr const char* kSelectTable = R"sql(
SELECT t.id, t.fqn, t.database_name, t.schema_name, t.name, t.table_type, t.description, t.tags,
       t.owners, t.stats, s.name, t.definition, t.deleted_at
FROM tables t JOIN services s ON s.id = t.service_id WHERE t.fqn = ?1
)sql";
constexpr const char* kSelectColumns = R"sql(
SELECT name, ordinal, data_type, description, tags, meta, constraints_json
FROM columns WHERE table_id = ?1 ORDER BY position
)sql";

constexpr const char* kLayerHashes = R"sql(
SELECT l.table_id, l.origin, l.content_hash, json_extract(l.layer, '$.deleted_at') <> ''
FROM table_layers l JOIN tables t ON t.id = l.table_id
WHERE t.service_id = ?1
)sql";
constexpr const char* kLayersOfTable =
    "SELECT origin, layer FROM table_layers WHERE table_id = ?1 ORDER BY origin";
constexpr const char* kPutLayer = R"sql(
INSERT INTO table_layers(table_id, origin, content_hash, layer) VALUES (?1, ?2, ?3, ?4)
ON CONFLICT(table_id, origin)
DO UPDATE SET content_hash = excluded.content_hash, layer = excluded.layer
)sql";
constexpr const char* kRemoveLayer = "DELETE FROM table_layers WHERE table_id = ?1 AND origin = ?2";
constexpr const char* kRemoveLayers = "DELETE FROM table_layers WHERE table_id = ?1";

}  // namespace

std::optional<Table> ReadTableRow(Connection& db, std::string_view fqn, std::string* service) {
  Table table;
  std::int64_t id = 0;
  {
    StatementScope row(db.Prepare(kSelectTable));
    row->Bind(1, fqn);
    if (!row->Next()) return std::nullopt;
    id = row->Int64(0);
    table.fqn = row->String(1);
    table.database = row->String(2);
    table.schema = row->String(3);
    table.name = row->String(4);
    table.table_type = row->String(5);
    table.description = row->String(6);
    table.tags = ParseJsonArray(row->Text(7));
    table.owners = ParseJsonArray(row->Text(8));
    table.stats_json = row->String(9);
    if (service != nullptr) *service = row->String(10);
    table.definition = row->String(11);
    table.deleted_at = row->String(12);
  }
  StatementScope rows(db.Prepare(kSelectColumns));
  rows->Bind(1, id);
  while (rows->Next()) {
    table.columns.push_back(Column{.name = rows->String(0),
                                   .ordinal = static_cast<int>(rows->Int64(1)),
                                   .data_type = rows->String(2),
                                   .description = rows->String(3),
                                   .tags = ParseJsonArray(rows->Text(4)),
                                   .meta_json = rows->String(5),
                                   .constraints_json = rows->String(6)});
  }
  return table;
}

StoredLayers ReadLayerHashes(Connection& db, std::int64_t service_id) {
  StoredLayers layers;
  StatementScope rows(db.Prepare(kLayerHashes));
  rows->Bind(1, service_id);
  while (rows->Next()) {
    layers.emplace(std::pair(rows->Int64(0), rows->String(1)),
                   StoredLayer{.hash = rows->Int64(2), .deleted = rows->Int64(3) != 0});
  }
  return layers;
}

std::vector<TableLayer> ReadLayers(Connection& db, std::int64_t table_id) {
  std::vector<TableLayer> layers;
  StatementScope rows(db.Prepare(kLayersOfTable));
  rows->Bind(1, table_id);
  while (rows->Next()) {
    nlohmann::json layer =
        nlohmann::json::parse(rows->Text(1), nullptr, /*allow_exceptions=*/false);
    if (layer.is_discarded()) {
      throw Error(ErrorCode::kStorage, "the stored layer of a table is not JSON (table id " +
                                           std::to_string(table_id) + ", origin " +
                                           rows->String(0) + ")");
    }
    layers.push_back(TableLayer{.origin = rows->String(0), .table = TableFromJson(layer)});
  }
  return layers;
}

void PutLayer(Connection& db, std::int64_t table_id, std::string_view origin, std::int64_t hash,
              const Table& table) {
  db.Prepare(kPutLayer)
      .Bind(1, table_id)
      .Bind(2, origin)
      .Bind(3, hash)
      .BindCopy(4, TableToJson(table).dump())
      .Exec();
}

void RemoveLayer(Connection& db, std::int64_t table_id, std::string_view origin) {
  db.Prepare(kRemoveLayer).Bind(1, table_id).Bind(2, origin).Exec();
}

void RemoveLayers(Connection& db, std::int64_t table_id) {
  db.Prepare(kRemoveLayers).Bind(1, table_id).Exec();
}

}  // namespace cairn::catalog::sqlite
