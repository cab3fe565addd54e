#include "catalog/table_reconciler.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <unordered_set>

#include "catalog/content_hash.h"
#include "catalog/fqn_key.h"
#include "core/error.h"
#include "core/timestamp.h"

namespace cairn::catalog {

void TableReconciler::Apply(std::unordered_map<std::string, StoredTableRow>& stored,
                            StoredLayers layers) {
  layers_ = std::move(layers);
  std::unordered_set<std::string> listed;
  listed.reserve(snapshot_.tables.size());
  for (std::size_t i = 0; i < snapshot_.tables.size(); ++i) {
    const Table& table = snapshot_.tables[i];
    std::string key = FqnKey(table.fqn);
    auto hash = static_cast<std::int64_t>(HashTable(table));
    auto found = stored.find(key);
    if (!listed.insert(std::move(key)).second) {
      throw Error(ErrorCode::kInconsistent,
                  fmt::format("the snapshot of service {} lists table {} twice", snapshot_.service,
                              table.fqn));
    }
    if (found == stored.end()) {
      writer_.InsertTable(i, table, hash);
      ++counts_.added;
      continue;
    }
    StoredTableRow& row = found->second;
    row.seen = true;
    writer_.MatchTable(i, row);
    if (row.origin != snapshot_.origin) {
      ShareTable(row, table, hash);
    } else if (row.hash == hash && !row.deleted) {
      ++counts_.unchanged;
    } else {
      Rewrite(row, snapshot_.origin, table, hash, /*deleted_at=*/"");
      ++counts_.updated;
    }
  }
  for (auto& [key, row] : stored) {
    if (row.seen || !InReadSchemas(row)) continue;
    if (row.origin == snapshot_.origin) {
      ForgetMissingTable(row);
    } else if (layers_.contains({row.id, snapshot_.origin})) {
      ForgetMissingLayer(row);
    }
  }
}

void TableReconciler::Rewrite(StoredTableRow& row, std::string_view origin, const Table& table,
                              std::int64_t hash, std::string_view deleted_at) {
  writer_.RewriteTable(row, origin, table, hash, deleted_at);
  row.origin = origin;
  row.hash = hash;
  row.deleted = !deleted_at.empty();
}

void TableReconciler::ShareTable(StoredTableRow& row, const Table& table, std::int64_t hash) {
  if (row.origin != kSharedOrigin) {
    // A second origin describes the table: the row, until now the first
    // origin's view of it, becomes that origin's layer.
    std::optional<Table> first = writer_.ReadTable(row.fqn);
    if (!first) throw Error(ErrorCode::kInternal, "table row vanished: " + row.fqn);
    writer_.PutLayer(row.id, row.origin, row.hash, *first);
  } else if (auto layer = layers_.find({row.id, snapshot_.origin});
             layer != layers_.end() && layer->second.hash == hash && !layer->second.deleted) {
    ++counts_.unchanged;
    return;
  }
  Table layer = table;
  layer.deleted_at.clear();  // only Apply marks deletions
  writer_.PutLayer(row.id, snapshot_.origin, hash, layer);
  ++(Remerge(row) ? counts_.updated : counts_.unchanged);
}

void TableReconciler::ForgetMissingLayer(StoredTableRow& row) {
  switch (snapshot_.missing_tables) {
    case MissingTables::kKeep:
      return;
    case MissingTables::kMarkDeleted:
      if (layers_.at({row.id, snapshot_.origin}).deleted) return;
      for (TableLayer& layer : writer_.ReadLayers(row.id)) {
        if (layer.origin != snapshot_.origin) continue;
        layer.table.deleted_at = FormatUtcTimestamp(std::chrono::system_clock::now());
        writer_.PutLayer(row.id, layer.origin, static_cast<std::int64_t>(HashTable(layer.table)),
                         layer.table);
      }
      Remerge(row);
      ++counts_.marked_deleted;
      return;
    case MissingTables::kRemove:
      // The table stays, as the other origins describe it.
      writer_.RemoveLayer(row.id, snapshot_.origin);
      if (Remerge(row)) ++counts_.updated;
      return;
  }
}

bool TableReconciler::Remerge(StoredTableRow& row) {
  std::vector<TableLayer> layers = writer_.ReadLayers(row.id);
  if (layers.size() == 1) {
    // One origin left: its view is the row again, as if it had been alone.
    writer_.RemoveLayers(row.id);
    const TableLayer& last = layers.front();
    Rewrite(row, last.origin, last.table, static_cast<std::int64_t>(HashTable(last.table)),
            last.table.deleted_at);
    return true;
  }
  Table merged = MergeTableLayers(layers);
  auto hash = static_cast<std::int64_t>(HashTable(merged));
  if (row.origin == kSharedOrigin && row.hash == hash &&
      row.deleted == !merged.deleted_at.empty()) {
    return false;
  }
  Rewrite(row, kSharedOrigin, merged, hash, merged.deleted_at);
  return true;
}

bool TableReconciler::InReadSchemas(const StoredTableRow& row) const {
  if (!snapshot_.read_schemas) return true;
  return std::any_of(snapshot_.read_schemas->begin(), snapshot_.read_schemas->end(),
                     [&](const SchemaRef& read) {
                       return FqnKey(read.database) == FqnKey(row.database) &&
                              FqnKey(read.schema) == FqnKey(row.schema);
                     });
}

void TableReconciler::ForgetMissingTable(const StoredTableRow& row) {
  switch (snapshot_.missing_tables) {
    case MissingTables::kKeep:
      return;
    case MissingTables::kMarkDeleted:
      if (row.deleted) return;
      writer_.MarkTableDeleted(row);
      ++counts_.marked_deleted;
      return;
    case MissingTables::kRemove:
      writer_.RemoveTable(row);
      ++counts_.removed;
      return;
  }
}

}  // namespace cairn::catalog
