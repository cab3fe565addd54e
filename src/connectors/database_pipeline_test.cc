#include "connectors/database_pipeline.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace cairn::connectors {
namespace {

TEST(DatabasePipelineTest, DefaultsIncludeEverything) {
  DatabasePipeline pipeline = DatabasePipeline::FromJson(nlohmann::json::object());
  EXPECT_TRUE(pipeline.mark_deleted_tables());
  EXPECT_TRUE(pipeline.include_tags());
  EXPECT_TRUE(pipeline.KeepsDatabase("pg", "analytics"));
  EXPECT_TRUE(pipeline.KeepsSchema("pg", "analytics", "public"));
  EXPECT_TRUE(pipeline.KeepsTable("pg", "analytics", "public", "orders", false));
  EXPECT_TRUE(pipeline.KeepsTable("pg", "analytics", "public", "orders_v", true));
  EXPECT_EQ(pipeline.filtered(), 0);
}

TEST(DatabasePipelineTest, PatternsApplyToNamesAndEverythingLeftOutIsCounted) {
  DatabasePipeline pipeline = DatabasePipeline::FromJson(nlohmann::json::parse(R"({
    "includeViews": false,
    "schemaFilterPattern": {"excludes": ["pg_", "information_schema$"]},
    "tableFilterPattern": {"includes": ["fct_", "dim_"]}})"));
  EXPECT_FALSE(pipeline.KeepsSchema("pg", "analytics", "pg_catalog"));
  EXPECT_FALSE(pipeline.KeepsSchema("pg", "analytics", "INFORMATION_SCHEMA"));
  EXPECT_TRUE(pipeline.KeepsSchema("pg", "analytics", "marts"));
  EXPECT_TRUE(pipeline.KeepsTable("pg", "analytics", "marts", "fct_orders", false));
  EXPECT_FALSE(pipeline.KeepsTable("pg", "analytics", "marts", "stg_orders", false));
  EXPECT_FALSE(pipeline.KeepsTable("pg", "analytics", "marts", "dim_customers_v", true))
      << "includeViews: false drops views whatever their name";
  EXPECT_EQ(pipeline.filtered(), 4);
}

TEST(DatabasePipelineTest, UseFqnForFilteringMatchesTheQualifiedName) {
  DatabasePipeline pipeline = DatabasePipeline::FromJson(nlohmann::json::parse(R"({
    "useFqnForFiltering": true,
    "tableFilterPattern": {"includes": ["pg\\.analytics\\.marts\\."]}})"));
  EXPECT_TRUE(pipeline.KeepsTable("pg", "analytics", "marts", "fct_orders", false));
  EXPECT_FALSE(pipeline.KeepsTable("pg", "analytics", "staging", "fct_orders", false));
  EXPECT_FALSE(pipeline.KeepsTable("pg", "raw", "marts", "orders", false));
}

}  // namespace
}  // namespace cairn::connectors
