#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "catalog/model.h"

// A table that several origins describe — a warehouse ingestion (postgres,
// sqlite, dynamodb, ...) and dbt, which documents the tables its models
// build — is kept as one layer per origin and shown as their merge. The merge
// depends on the layers only, never on the order they were applied in, so
// ingesting the warehouse and then dbt gives the same catalog as the other
// way round; and when one origin stops describing the table, the others'
// view is what remains.
namespace cairn::catalog {

struct TableLayer {
  std::string origin;
  Table table;  // as that origin described it; deleted_at set when it marked it deleted
};

// Whether `origin` documents tables (dbt) rather than reading them from where
// they live. The warehouse knows what a table physically is; dbt knows what
// it means.
bool IsDocumentingOrigin(std::string_view origin);

// The table readers see. From the warehouse layers (by origin name when
// there are several): the relation's name and spelling, type, definition,
// stats and the columns' order, types and constraints. From the documenting
// layers first, where they say anything: descriptions and column metadata.
// Tags and owners are the union of all layers. Columns are matched by name,
// ignoring case; columns only dbt knows follow the warehouse's. The merge is
// marked deleted when any layer that marked it is. `layers` must not be
// empty.
Table MergeTableLayers(const std::vector<TableLayer>& layers);

}  // namespace cairn::catalog
