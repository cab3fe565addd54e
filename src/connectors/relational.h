#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "catalog/model.h"

// What a SQL database (PostgreSQL, SQLite) says about one relation, as its
// connector introspected it, and how that becomes a catalog table. Keys and
// nullability become column constraints in dbt's shape ({"type":
// "primary_key"}, {"type": "not_null"}, {"type": "foreign_key", "to": FQN,
// "to_columns": [...]}), so that a warehouse's constraints and a dbt
// contract's read the same.
namespace cairn::connectors {

struct RelationColumn {
  std::string name;
  std::string data_type;
  bool nullable = true;
  std::string comment;
  std::string default_value;  // the expression, empty when none
};

struct ForeignKey {
  std::string name;
  std::vector<std::string> columns;
  std::string database;  // of the referenced table
  std::string schema;
  std::string table;
  std::vector<std::string> referenced_columns;
};

struct Relation {
  std::string database;
  std::string schema;
  std::string name;
  // table, view, materialized_view, foreign_table, partitioned_table
  std::string kind = "table";
  std::string comment;
  std::string definition;               // views and materialized views
  std::vector<RelationColumn> columns;  // in their order
  std::vector<std::string> primary_key;
  std::vector<ForeignKey> foreign_keys;
  std::optional<std::int64_t> row_estimate;
  std::optional<std::int64_t> bytes;
};

bool IsView(const Relation& relation);

catalog::Table ToCatalogTable(const std::string& service, const Relation& relation);

}  // namespace cairn::connectors
