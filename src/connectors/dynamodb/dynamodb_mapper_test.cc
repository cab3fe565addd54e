#include "connectors/dynamodb/dynamodb_mapper.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace cairn::connectors::dynamodb {
namespace {

using json = nlohmann::json;

TablePlace Place() {
  return {.service = "ddb", .database = "default", .schema = "default"};
}

// An orders table whose definitions list an index key before the table's
// own keys, as AWS may.
cloud::DynamoDbTable Orders() {
  return {.name = "orders",
          .arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/orders",
          .status = "ACTIVE",
          .billing_mode = "PAY_PER_REQUEST",
          .created_at = 1795346513.296,
          .key_schema = {{"customer_id", "HASH"}, {"order_id", "RANGE"}},
          .attributes = {{"status", "S"}, {"order_id", "N"}, {"customer_id", "S"}, {"blob", "B"}},
          .global_indexes = {{.name = "by_status",
                              .key_schema = {{"status", "HASH"}, {"order_id", "RANGE"}},
                              .projection_type = "INCLUDE",
                              .non_key_attributes = {"total"},
                              .status = "ACTIVE",
                              .item_count = 3}},
          .local_indexes = {{.name = "by_blob",
                             .key_schema = {{"customer_id", "HASH"}, {"blob", "RANGE"}},
                             .projection_type = "KEYS_ONLY"}},
          .item_count = 3,
          .size_bytes = 420};
}

TEST(DynamoDbMapperTest, KeysComeFirstAndTypesAreOpenMetadatas) {
  std::vector<std::string> warnings;
  const catalog::Table table = MapTable(Orders(), Place(), warnings);
  EXPECT_EQ(table.fqn, "ddb.default.default.orders");
  EXPECT_EQ(table.database, "default");
  EXPECT_EQ(table.schema, "default");
  EXPECT_EQ(table.table_type, "table");
  ASSERT_EQ(table.columns.size(), 4u);
  EXPECT_EQ(table.columns[0].name, "customer_id");
  EXPECT_EQ(table.columns[1].name, "order_id");
  EXPECT_EQ(table.columns[2].name, "status");
  EXPECT_EQ(table.columns[3].name, "blob");
  EXPECT_EQ(table.columns[0].data_type, "string");
  EXPECT_EQ(table.columns[1].data_type, "number");
  EXPECT_EQ(table.columns[3].data_type, "binary");
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    EXPECT_EQ(table.columns[i].ordinal, static_cast<int>(i) + 1);
  }
  EXPECT_EQ(json::parse(table.columns[1].meta_json), json({{"attribute_type", "N"}}));
  EXPECT_TRUE(warnings.empty());
}

TEST(DynamoDbMapperTest, TableAndIndexKeysAreConstraints) {
  std::vector<std::string> warnings;
  const catalog::Table table = MapTable(Orders(), Place(), warnings);
  EXPECT_EQ(json::parse(table.columns[0].constraints_json),
            json::parse(R"([{"type": "primary_key", "key_type": "HASH"},
                            {"type": "index_key", "index": "by_blob", "index_type": "local",
                             "key_type": "HASH"}])"));
  EXPECT_EQ(json::parse(table.columns[1].constraints_json),
            json::parse(R"([{"type": "primary_key", "key_type": "RANGE"},
                            {"type": "index_key", "index": "by_status", "index_type": "global",
                             "key_type": "RANGE"}])"));
  EXPECT_EQ(json::parse(table.columns[2].constraints_json),
            json::parse(R"([{"type": "index_key", "index": "by_status", "index_type": "global",
                             "key_type": "HASH"}])"));
}

TEST(DynamoDbMapperTest, StatisticsInTheCatalogsShape) {
  std::vector<std::string> warnings;
  const json stats = json::parse(MapTable(Orders(), Place(), warnings).stats_json);
  EXPECT_EQ(stats["row_count"]["value"], 3);
  EXPECT_EQ(stats["row_count"]["label"], "Item Count");
  EXPECT_EQ(stats["bytes"]["value"], 420);
  EXPECT_EQ(stats["status"]["value"], "ACTIVE");
  EXPECT_EQ(stats["billing_mode"]["value"], "PAY_PER_REQUEST");
  EXPECT_EQ(stats["arn"]["value"], "arn:aws:dynamodb:eu-west-1:123456789012:table/orders");
  EXPECT_EQ(stats["created_at"]["value"], "2026-11-22T11:21:53.296Z");
  EXPECT_FALSE(stats.contains("read_capacity_units")) << "on demand";
  EXPECT_FALSE(stats.contains("stream_view_type"));
  const json& gsi = stats["global_secondary_indexes"]["value"];
  ASSERT_EQ(gsi.size(), 1u);
  EXPECT_EQ(gsi[0], json::parse(R"({"name": "by_status", "projection": "INCLUDE",
      "non_key_attributes": ["total"], "status": "ACTIVE", "item_count": 3,
      "key_schema": [{"attribute": "status", "key_type": "HASH"},
                     {"attribute": "order_id", "key_type": "RANGE"}]})"));
  EXPECT_EQ(stats["local_secondary_indexes"]["value"][0]["name"], "by_blob");
  for (const auto& [key, stat] : stats.items()) {
    EXPECT_TRUE(stat.contains("label") && stat.contains("value") && stat.contains("description"))
        << key;
  }
}

TEST(DynamoDbMapperTest, ProvisionedCapacityAndStreams) {
  cloud::DynamoDbTable table = Orders();
  table.billing_mode = "PROVISIONED";
  table.read_capacity_units = 5;
  table.write_capacity_units = 1;
  table.stream_view_type = "NEW_AND_OLD_IMAGES";
  table.global_indexes.clear();
  table.local_indexes.clear();
  std::vector<std::string> warnings;
  const json stats = json::parse(MapTable(table, Place(), warnings).stats_json);
  EXPECT_EQ(stats["read_capacity_units"]["value"], 5);
  EXPECT_EQ(stats["write_capacity_units"]["value"], 1);
  EXPECT_EQ(stats["stream_view_type"]["value"], "NEW_AND_OLD_IMAGES");
  EXPECT_FALSE(stats.contains("global_secondary_indexes")) << "no indexes, no entry";
}

TEST(DynamoDbMapperTest, LongNamesAreCutTo64CharactersAndRepeatsWarned) {
  const std::string long_name = std::string(70, 'a');
  const std::string other = std::string(64, 'a') + "_other";
  cloud::DynamoDbTable table{.name = "wide",
                             .key_schema = {{long_name, "HASH"}},
                             .attributes = {{long_name, "S"}, {other, "N"}}};
  std::vector<std::string> warnings;
  const catalog::Table mapped = MapTable(table, Place(), warnings);
  ASSERT_EQ(mapped.columns.size(), 1u);
  EXPECT_EQ(mapped.columns[0].name, std::string(64, 'a'));
  EXPECT_EQ(json::parse(mapped.columns[0].meta_json)["attribute_name"], long_name);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("ddb.default.default.wide: attribute '" + other + "' skipped"),
            std::string::npos)
      << warnings[0];
}

TEST(DynamoDbMapperTest, CutsCharactersNotBytes) {
  EXPECT_EQ(CutToCharacters("\xC3\xA9t\xC3\xA9", 2), "\xC3\xA9t");  // "été" -> "ét"
  EXPECT_EQ(CutToCharacters("\xF0\x9F\x93\xA6x", 1), "\xF0\x9F\x93\xA6");
  EXPECT_EQ(CutToCharacters("short", 64), "short");
  EXPECT_EQ(CutToCharacters("", 3), "");
}

TEST(DynamoDbMapperTest, ANameWithADotIsQuotedInTheFqn) {
  std::vector<std::string> warnings;
  cloud::DynamoDbTable table{.name = "prod.events"};
  EXPECT_EQ(
      MapTable(table, {.service = "ddb", .database = "shop", .schema = "default"}, warnings).fqn,
      "ddb.shop.default.\"prod.events\"");
}

}  // namespace
}  // namespace cairn::connectors::dynamodb
