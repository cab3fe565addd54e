#include "catalog/table_layers.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace cairn::catalog {
namespace {

// The warehouse's view of a table: spelling, types, constraints, a comment.
TableLayer Warehouse() {
  Table table{.fqn = "shop.Analytics.public.Customers",
              .database = "Analytics",
              .schema = "public",
              .name = "Customers",
              .table_type = "view",
              .description = "comment on the view",
              .tags = {"pii"},
              .stats_json = R"({"row_count": 100})",
              .definition = "SELECT 1",
              .columns = {{.name = "ID",
                           .ordinal = 1,
                           .data_type = "integer",
                           .description = "column comment",
                           .constraints_json = R"([{"type": "primary_key"}])"},
                          {.name = "Name", .ordinal = 2, .data_type = "text"}}};
  return {.origin = "postgres", .table = table};
}

// dbt's: descriptions, tags, owners, a column the warehouse lacks.
TableLayer Dbt() {
  Table table{.fqn = "shop.analytics.public.customers",
              .database = "analytics",
              .schema = "public",
              .name = "customers",
              .table_type = "table",
              .description = "One row per customer.",
              .tags = {"core", "pii"},
              .owners = {"data@shop.example"},
              .columns = {{.name = "name",
                           .ordinal = 1,
                           .description = "Full name.",
                           .tags = {"pii"},
                           .meta_json = R"({"masking": "hash"})"},
                          {.name = "id", .ordinal = 2, .description = "Primary key."},
                          {.name = "lifetime_value", .ordinal = 3, .data_type = "numeric"}}};
  return {.origin = "dbt", .table = table};
}

TEST(TableLayersTest, TheWarehouseSaysWhatATableIsAndDbtWhatItMeans) {
  Table merged = MergeTableLayers({Warehouse(), Dbt()});
  EXPECT_EQ(merged.fqn, "shop.Analytics.public.Customers");
  EXPECT_EQ(merged.name, "Customers");
  EXPECT_EQ(merged.table_type, "view");
  EXPECT_EQ(merged.definition, "SELECT 1");
  EXPECT_EQ(merged.stats_json, R"({"row_count": 100})");
  EXPECT_EQ(merged.description, "One row per customer.");
  EXPECT_EQ(merged.tags, (std::vector<std::string>{"core", "pii"}));
  EXPECT_EQ(merged.owners, (std::vector<std::string>{"data@shop.example"}));

  ASSERT_EQ(merged.columns.size(), 3U);
  const Column& id = merged.columns[0];
  EXPECT_EQ(id.name, "ID");
  EXPECT_EQ(id.ordinal, 1);
  EXPECT_EQ(id.data_type, "integer");
  EXPECT_EQ(id.description, "Primary key.");
  EXPECT_EQ(id.constraints_json, R"([{"type": "primary_key"}])");
  const Column& name = merged.columns[1];
  EXPECT_EQ(name.name, "Name");
  EXPECT_EQ(name.data_type, "text");
  EXPECT_EQ(name.description, "Full name.");
  EXPECT_EQ(name.meta_json, R"({"masking": "hash"})");
  EXPECT_EQ(name.tags, (std::vector<std::string>{"pii"}));
  const Column& documented_only = merged.columns[2];
  EXPECT_EQ(documented_only.name, "lifetime_value");
  EXPECT_EQ(documented_only.ordinal, 3);
  EXPECT_EQ(documented_only.data_type, "numeric");
}

TEST(TableLayersTest, WhatDbtLeavesUnsaidTheWarehouseStillSays) {
  TableLayer dbt = Dbt();
  dbt.table.description.clear();
  dbt.table.columns[1].description.clear();
  Table merged = MergeTableLayers({Warehouse(), dbt});
  EXPECT_EQ(merged.description, "comment on the view");
  EXPECT_EQ(merged.columns[0].description, "column comment");
}

TEST(TableLayersTest, TheOrderOfTheLayersDoesNotMatter) {
  TableLayer sqlite = Warehouse();
  sqlite.origin = "sqlite";
  sqlite.table.table_type = "table";
  sqlite.table.columns.push_back({.name = "created_at", .ordinal = 3, .data_type = "timestamp"});
  std::vector<TableLayer> layers = {Warehouse(), Dbt(), sqlite};
  std::sort(layers.begin(), layers.end(),
            [](const TableLayer& a, const TableLayer& b) { return a.origin < b.origin; });
  Table first = MergeTableLayers(layers);
  EXPECT_EQ(first.table_type, "view") << "warehouse origins rank by name: postgres before sqlite";
  while (std::next_permutation(
      layers.begin(), layers.end(),
      [](const TableLayer& a, const TableLayer& b) { return a.origin < b.origin; })) {
    EXPECT_EQ(MergeTableLayers(layers), first) << "first layer: " << layers.front().origin;
  }
}

TEST(TableLayersTest, OneLayerMergesToItself) {
  TableLayer warehouse = Warehouse();
  EXPECT_EQ(MergeTableLayers({warehouse}), warehouse.table);
}

TEST(TableLayersTest, ATableIsDeletedWhenALayerMarkedIt) {
  TableLayer warehouse = Warehouse();
  warehouse.table.deleted_at = "2026-12-01T00:00:00Z";
  EXPECT_EQ(MergeTableLayers({Dbt(), warehouse}).deleted_at, "2026-12-01T00:00:00Z");
  EXPECT_EQ(MergeTableLayers({Dbt(), Warehouse()}).deleted_at, "");
}

TEST(TableLayersTest, OnlyDbtDocuments) {
  EXPECT_TRUE(IsDocumentingOrigin("dbt"));
  EXPECT_FALSE(IsDocumentingOrigin("postgres"));
  EXPECT_FALSE(IsDocumentingOrigin("dynamodb"));
}

}  // namespace
}  // namespace cairn::catalog
