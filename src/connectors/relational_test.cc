#include "connectors/relational.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace cairn::connectors {
namespace {

using nlohmann::json;

Relation OrderLines() {
  Relation relation;
  relation.database = "shop";
  relation.schema = "sales";
  relation.name = "order_lines";
  relation.comment = "One row per product in an order";
  relation.columns = {{.name = "order_id", .data_type = "bigint", .nullable = false},
                      {.name = "line", .data_type = "integer", .nullable = false},
                      {.name = "sku", .data_type = "text", .comment = "Product code"},
                      {.name = "qty", .data_type = "integer", .default_value = "1"}};
  relation.primary_key = {"order_id", "line"};
  relation.foreign_keys = {{.name = "order_lines_order_fk",
                            .columns = {"order_id"},
                            .database = "shop",
                            .schema = "sales",
                            .table = "orders",
                            .referenced_columns = {"id"}}};
  relation.row_estimate = 1200;
  relation.bytes = 65536;
  return relation;
}

TEST(RelationalTest, KeysAndNullabilityBecomeColumnConstraintsInDbtsShape) {
  catalog::Table table = ToCatalogTable("pg", OrderLines());
  EXPECT_EQ(table.fqn, "pg.shop.sales.order_lines");
  EXPECT_EQ(table.table_type, "table");
  EXPECT_EQ(table.description, "One row per product in an order");
  EXPECT_EQ(json::parse(table.stats_json), json::parse(R"({"row_count":1200,"bytes":65536})"));
  ASSERT_EQ(table.columns.size(), 4u);
  EXPECT_EQ(table.columns[2].ordinal, 3);
  EXPECT_EQ(table.columns[2].description, "Product code");
  EXPECT_EQ(json::parse(table.columns[0].constraints_json), json::parse(R"([
    {"type": "not_null"},
    {"type": "primary_key", "columns": ["order_id", "line"]},
    {"type": "foreign_key", "name": "order_lines_order_fk", "to": "pg.shop.sales.orders",
     "to_columns": ["id"]}])"));
  EXPECT_EQ(table.columns[2].constraints_json, "[]");
  EXPECT_EQ(json::parse(table.columns[3].meta_json)["default"], "1");
}

TEST(RelationalTest, AViewKeepsItsDefinition) {
  Relation view;
  view.database = "shop";
  view.schema = "sales";
  view.name = "big_orders";
  view.kind = "view";
  view.definition = "SELECT id FROM sales.orders WHERE total > 100";
  view.primary_key = {"id"};
  view.columns = {{.name = "id", .data_type = "bigint"}};
  EXPECT_TRUE(IsView(view));
  catalog::Table table = ToCatalogTable("pg", view);
  EXPECT_EQ(table.definition, view.definition);
  EXPECT_EQ(table.stats_json, "{}");
  EXPECT_EQ(json::parse(table.columns[0].constraints_json),
            json::parse(R"([{"type": "primary_key"}])"));
}

}  // namespace
}  // namespace cairn::connectors
