#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "core/error.h"
#include "dbt/artifact_readers.h"

namespace cairn::dbt {
namespace {

std::string Fixture(const std::string& relative) {
  return std::string(CAIRN_SHARED_DIR) + "/fixtures/dbt/" + relative;
}

const CatalogTable& Find(const std::vector<CatalogTable>& tables, const std::string& unique_id) {
  auto it = std::find_if(tables.begin(), tables.end(),
                         [&](const CatalogTable& t) { return t.unique_id == unique_id; });
  if (it == tables.end()) throw std::runtime_error("no table " + unique_id);
  return *it;
}

TEST(CatalogReaderTest, BigQueryStatsKeepIncludedOnly) {
  const Catalog catalog = ReadCatalog(Fixture("versions/catalog_v1.json"));
  EXPECT_EQ(catalog.metadata.dbt_version, "1.9.0rc1");
  const CatalogTable& customers = Find(catalog.nodes, "model.jaffle_shop.customers");
  EXPECT_EQ(customers.type, "table");
  EXPECT_EQ(customers.database, "your-project");
  EXPECT_EQ(customers.schema, "jaffle_shop");
  EXPECT_EQ(customers.name, "customers");
  EXPECT_EQ(customers.comment, "");
  EXPECT_EQ(customers.owner, "");
  EXPECT_EQ(
      customers.stats_json,
      R"({"num_rows":{"label":"# Rows","value":100,"description":"Approximate count of rows in this table"},)"
      R"("num_bytes":{"label":"Approximate Size","value":3970,"description":"Approximate size of table as reported by BigQuery"}})");
  ASSERT_EQ(customers.columns.size(), 7u);
  EXPECT_EQ(customers.columns[0].name, "customer_id");
  EXPECT_EQ(customers.columns[0].type, "INT64");
  EXPECT_EQ(customers.columns[0].index, 1);
  EXPECT_EQ(customers.columns[6].name, "customer_lifetime_value");
  EXPECT_EQ(customers.columns[6].type, "FLOAT64");
  EXPECT_EQ(customers.columns[6].index, 7);
}

TEST(CatalogReaderTest, SnowflakeNamesAreUpperCase) {
  const Catalog catalog =
      ReadCatalog(Fixture("projects/jaffle_shop_snowflake_dbt-1.7.7/catalog.json"));
  const CatalogTable& dim = Find(catalog.nodes, "model.jaffle_shop.dim_customers");
  EXPECT_EQ(dim.type, "BASE TABLE");
  EXPECT_EQ(dim.database, "RAW");
  EXPECT_EQ(dim.schema, "JAFFLE_SHOP");
  EXPECT_EQ(dim.name, "DIM_CUSTOMERS");
  EXPECT_EQ(dim.owner, "ACCOUNTADMIN");
  ASSERT_FALSE(dim.columns.empty());
  EXPECT_EQ(dim.columns[0].name, "CUSTOMER_ID");
  EXPECT_EQ(dim.columns[0].type, "NUMBER");
  EXPECT_EQ(
      dim.stats_json,
      R"({"row_count":{"label":"Row Count","value":100,"description":"An approximate count of rows in this table"},)"
      R"("bytes":{"label":"Approximate Size","value":4096,"description":"Approximate size of the table as reported by Snowflake"},)"
      R"("last_modified":{"label":"Last Modified","value":"2024-02-09 21:43UTC","description":"The timestamp for last update/change"}})");
  const CatalogTable& source = Find(catalog.sources, "source.jaffle_shop.jaffle_shop.raw_orders");
  EXPECT_EQ(source.name, "RAW_ORDERS");
}

TEST(CatalogReaderTest, SolanaCatalogHoldsTestNodes) {
  const Catalog catalog =
      ReadCatalog(Fixture("projects/solana_models_snowflake_dbt-1.2.0/catalog.json"));
  std::size_t tests = 0, models = 0, seeds = 0;
  for (const CatalogTable& table : catalog.nodes) {
    if (table.unique_id.starts_with("test.")) ++tests;
    if (table.unique_id.starts_with("model.")) ++models;
    if (table.unique_id.starts_with("seed.")) ++seeds;
  }
  EXPECT_EQ(tests, 751u);
  EXPECT_EQ(models, 100u);
  EXPECT_EQ(seeds, 9u);
}

TEST(CatalogReaderTest, MissingUniqueIdFallsBackToKeyAndStatsWithoutInclude) {
  const Catalog catalog = ParseCatalog(
      R"({"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/catalog/v1.json"},
          "nodes": {"model.p.a": {"metadata": {"type": "VIEW", "name": "a", "comment": "c"},
                                  "columns": {"X": {"type": "int", "index": 1}},
                                  "stats": {"has_stats": {"id": "has_stats", "value": false, "include": false},
                                            "s": {"id": "s", "label": null, "value": {"n": 1}, "include": true}}}},
          "sources": {}, "errors": null})",
      "catalog.json");
  ASSERT_EQ(catalog.nodes.size(), 1u);
  EXPECT_EQ(catalog.nodes[0].unique_id, "model.p.a");
  EXPECT_EQ(catalog.nodes[0].comment, "c");
  ASSERT_EQ(catalog.nodes[0].columns.size(), 1u);
  EXPECT_EQ(catalog.nodes[0].columns[0].name, "X");
  EXPECT_EQ(catalog.nodes[0].stats_json, R"({"s":{"label":null,"value":null,"description":null}})");
}

TEST(CatalogReaderTest, WrongKind) {
  try {
    ReadCatalog(Fixture("versions/sources_v3.json"));
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kParse);
    EXPECT_EQ(error.message(), "is a dbt sources artifact, expected a catalog");
  }
}

}  // namespace
}  // namespace cairn::dbt
