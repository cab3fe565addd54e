#include "catalog/table_layers.h"

#include <algorithm>
#include <functional>
#include <unordered_map>
#include <unordered_set>

#include "catalog/fqn_key.h"
#include "core/error.h"

namespace cairn::catalog {
namespace {

// The layers in the order one kind of field is taken from them: the
// documenting layers first or last, and by origin name within each kind,
// which is what makes the merge independent of the order of ingestion.
std::vector<const TableLayer*> Ranked(const std::vector<TableLayer>& layers,
                                      bool documentation_first) {
  std::vector<const TableLayer*> ranked;
  ranked.reserve(layers.size());
  for (const TableLayer& layer : layers) ranked.push_back(&layer);
  std::sort(ranked.begin(), ranked.end(), [&](const TableLayer* a, const TableLayer* b) {
    bool a_first = IsDocumentingOrigin(a->origin) == documentation_first;
    bool b_first = IsDocumentingOrigin(b->origin) == documentation_first;
    if (a_first != b_first) return a_first;
    return a->origin < b->origin;
  });
  return ranked;
}

// The first value of `field` that says something, in `ranked` order.
template <typename Item>
std::string FirstSaid(const std::vector<const Item*>& ranked,
                      const std::function<const std::string&(const Item&)>& field,
                      std::string_view nothing = "") {
  for (const Item* item : ranked) {
    const std::string& value = field(*item);
    if (!value.empty() && value != nothing) return value;
  }
  return std::string(nothing);
}

template <typename Item>
std::vector<std::string> Union(
    const std::vector<const Item*>& ranked,
    const std::function<const std::vector<std::string>&(const Item&)>& field) {
  std::vector<std::string> all;
  std::unordered_set<std::string> seen;
  for (const Item* item : ranked) {
    for (const std::string& value : field(*item)) {
      if (seen.insert(value).second) all.push_back(value);
    }
  }
  return all;
}

// One column as every layer that has it describes it, in both rankings.
struct ColumnViews {
  std::vector<const Column*> physical;
  std::vector<const Column*> documented;
};

Column MergeColumn(const ColumnViews& views, int ordinal) {
  Column column;
  column.name = views.physical.front()->name;
  column.ordinal = ordinal;
  column.data_type = FirstSaid<Column>(views.physical, &Column::data_type);
  column.constraints_json = FirstSaid<Column>(views.physical, &Column::constraints_json, "[]");
  column.description = FirstSaid<Column>(views.documented, &Column::description);
  column.meta_json = FirstSaid<Column>(views.documented, &Column::meta_json, "{}");
  column.tags = Union<Column>(views.documented, &Column::tags);
  return column;
}

// Columns in the first physical layer's order, then the ones only later
// layers have, each in its layer's order.
std::vector<Column> MergeColumns(const std::vector<const TableLayer*>& physical,
                                 const std::vector<const TableLayer*>& documented) {
  std::vector<std::string> order;
  std::unordered_map<std::string, ColumnViews> views;
  for (const TableLayer* layer : physical) {
    for (const Column& column : layer->table.columns) {
      std::string key = FqnKey(column.name);
      auto [it, added] = views.try_emplace(key);
      if (added) order.push_back(key);
      it->second.physical.push_back(&column);
    }
  }
  for (const TableLayer* layer : documented) {
    for (const Column& column : layer->table.columns) {
      views[FqnKey(column.name)].documented.push_back(&column);
    }
  }
  std::vector<Column> columns;
  columns.reserve(order.size());
  for (const std::string& key : order) {
    columns.push_back(MergeColumn(views.at(key), static_cast<int>(columns.size()) + 1));
  }
  return columns;
}

std::string EarliestDeletion(const std::vector<TableLayer>& layers) {
  std::string earliest;
  for (const TableLayer& layer : layers) {
    const std::string& at = layer.table.deleted_at;
    if (!at.empty() && (earliest.empty() || at < earliest)) earliest = at;
  }
  return earliest;
}

}  // namespace

bool IsDocumentingOrigin(std::string_view origin) {
  return origin == "dbt";
}

Table MergeTableLayers(const std::vector<TableLayer>& layers) {
  if (layers.empty()) throw Error(ErrorCode::kInternal, "a table merged from no layers");
  std::vector<const TableLayer*> physical = Ranked(layers, /*documentation_first=*/false);
  std::vector<const TableLayer*> documented = Ranked(layers, /*documentation_first=*/true);
  auto tables = [](const std::vector<const TableLayer*>& ranked) {
    std::vector<const Table*> out;
    out.reserve(ranked.size());
    for (const TableLayer* layer : ranked) out.push_back(&layer->table);
    return out;
  };
  std::vector<const Table*> physical_tables = tables(physical);
  std::vector<const Table*> documented_tables = tables(documented);

  const Table& named = *physical_tables.front();
  Table merged;
  merged.fqn = named.fqn;
  merged.database = named.database;
  merged.schema = named.schema;
  merged.name = named.name;
  merged.table_type = FirstSaid<Table>(physical_tables, &Table::table_type);
  merged.stats_json = FirstSaid<Table>(physical_tables, &Table::stats_json, "{}");
  merged.definition = FirstSaid<Table>(physical_tables, &Table::definition);
  merged.description = FirstSaid<Table>(documented_tables, &Table::description);
  merged.tags = Union<Table>(documented_tables, &Table::tags);
  merged.owners = Union<Table>(documented_tables, &Table::owners);
  merged.columns = MergeColumns(physical, documented);
  merged.deleted_at = EarliestDeletion(layers);
  return merged;
}

}  // namespace cairn::catalog
