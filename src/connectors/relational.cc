#include "connectors/relational.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace cairn::connectors {
namespace {

using nlohmann::json;

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

json ColumnConstraints(const std::string& service, const Relation& relation,
                       const RelationColumn& column) {
  json constraints = json::array();
  if (!column.nullable) constraints.push_back({{"type", "not_null"}});
  if (Contains(relation.primary_key, column.name)) {
    json key = {{"type", "primary_key"}};
    if (relation.primary_key.size() > 1) key["columns"] = relation.primary_key;
    constraints.push_back(std::move(key));
  }
  for (const ForeignKey& foreign : relation.foreign_keys) {
    auto at = std::find(foreign.columns.begin(), foreign.columns.end(), column.name);
    if (at == foreign.columns.end()) continue;
    json key = {{"type", "foreign_key"},
                {"to", catalog::TableFqn(service, foreign.database, foreign.schema, foreign.table)},
                {"to_columns", foreign.referenced_columns}};
    if (!foreign.name.empty()) key["name"] = foreign.name;
    if (foreign.columns.size() > 1) key["columns"] = foreign.columns;
    constraints.push_back(std::move(key));
  }
  return constraints;
}

std::string Stats(const Relation& relation) {
  json stats = json::object();
  if (relation.row_estimate) stats["row_count"] = *relation.row_estimate;
  if (relation.bytes) stats["bytes"] = *relation.bytes;
  return stats.dump();
}

}  // namespace

bool IsView(const Relation& relation) {
  return relation.kind == "view" || relation.kind == "materialized_view";
}

catalog::Table ToCatalogTable(const std::string& service, const Relation& relation) {
  catalog::Table table;
  table.fqn = catalog::TableFqn(service, relation.database, relation.schema, relation.name);
  table.database = relation.database;
  table.schema = relation.schema;
  table.name = relation.name;
  table.table_type = relation.kind;
  table.description = relation.comment;
  table.definition = relation.definition;
  table.stats_json = Stats(relation);
  int ordinal = 0;
  for (const RelationColumn& column : relation.columns) {
    catalog::Column out;
    out.name = column.name;
    out.ordinal = ++ordinal;
    out.data_type = column.data_type;
    out.description = column.comment;
    out.constraints_json = ColumnConstraints(service, relation, column).dump();
    if (!column.default_value.empty())
      out.meta_json = json{{"default", column.default_value}}.dump();
    table.columns.push_back(std::move(out));
  }
  return table;
}

}  // namespace cairn::connectors
