#include "connectors/dynamodb/dynamodb_source.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>

#include "cloud/moto_server_test_util.h"
#include "core/error.h"

namespace cairn::connectors::dynamodb {
namespace {

using json = nlohmann::json;

class Quiet : public ProgressListener {
 public:
  void PhaseStarted(const std::string& /*phase*/, std::uint64_t /*bytes*/) override {}
  void PhaseFinished(const std::string& /*phase*/) override {}
};

// Runs `after_listing` once the tables are listed, before any is described.
class ListingHook : public ProgressListener {
 public:
  explicit ListingHook(std::function<void()> after_listing)
      : after_listing_(std::move(after_listing)) {}
  void PhaseStarted(const std::string& /*phase*/, std::uint64_t /*bytes*/) override {}
  void PhaseFinished(const std::string& phase) override {
    if (phase.starts_with("listing")) after_listing_();
  }

 private:
  std::function<void()> after_listing_;
};

class DynamoDbSourceTest : public cloud::testing::MotoServerTest {
 protected:
  static void SetUpTestSuite() {
    MotoServerTest::SetUpTestSuite();
    // 12 tables, one page of ListTables: the client's test forces pages
    // with a small Limit, the end-to-end test lists more than 100 tables.
    Boto3(
        "def table(name, keys, attributes, **extra):\n"
        "    dynamodb.create_table(TableName=name, BillingMode='PAY_PER_REQUEST',"
        " KeySchema=[{'AttributeName': a, 'KeyType': k} for a, k in keys],"
        " AttributeDefinitions=[{'AttributeName': a, 'AttributeType': t} for a, t in attributes],"
        " **extra)\n"
        "table('orders', [('customer_id', 'HASH'), ('order_id', 'RANGE')],"
        " [('customer_id', 'S'), ('order_id', 'N'), ('status', 'S')],"
        " GlobalSecondaryIndexes=[{'IndexName': 'by_status',"
        " 'KeySchema': [{'AttributeName': 'status', 'KeyType': 'HASH'}],"
        " 'Projection': {'ProjectionType': 'ALL'}}])\n"
        "dynamodb.put_item(TableName='orders', Item={'customer_id': {'S': 'c'},"
        " 'order_id': {'N': '1'}, 'status': {'S': 'open'}})\n"
        "for i in range(10):\n"
        "    table(f'events_{i}', [('id', 'HASH')], [('id', 'S')])\n"
        "table('staging_orders', [('id', 'HASH')], [('id', 'N')])\n");
  }

  // A `source` object as a workflow gives it, with `pipeline` as
  // sourceConfig.config and `connection` merged into the connection ({}
  // stands for an empty object).
  json SourceJson(json pipeline = json::object(), json connection = json::object()) const {
    if (pipeline.is_null()) pipeline = json::object();
    if (connection.is_null()) connection = json::object();
    json config = {{"type", "DynamoDB"},
                   {"awsConfig",
                    {{"awsRegion", "us-east-1"},
                     {"endPointURL", Url("")},
                     {"awsAccessKeyId", "AKIAIOSFODNN7EXAMPLE"},
                     {"awsSecretAccessKey", "wJalrXUtnFEMI/K7MDENG"}}}};
    config.update(connection);
    return {{"type", "dynamodb"},
            {"serviceName", "ddb"},
            {"serviceConnection", {{"config", config}}},
            {"sourceConfig", {{"config", pipeline}}}};
  }

  struct Result {
    catalog::ServiceSnapshot snapshot;
    std::int64_t filtered = 0;
    std::vector<std::string> warnings;
  };

  Result Read(const json& source) const {
    Quiet quiet;
    return Read(source, quiet);
  }

  Result Read(const json& source, ProgressListener& progress) const {
    const SourceContext context{.service_name = "ddb", .source = &source};
    std::unique_ptr<connectors::Source> reader = DynamoDbConnector().factory(context);
    Result result{.snapshot = reader->Read(progress)};
    result.filtered = reader->Filtered();
    result.warnings = reader->Warnings();
    return result;
  }

  // The JSON path of the config error that building the source throws.
  static std::string ConfigErrorPath(const json& source) {
    const SourceContext context{.service_name = "ddb", .source = &source};
    try {
      DynamoDbConnector().factory(context);
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::kInvalidConfig) << error.what();
      return error.context().json_path;
    }
    ADD_FAILURE() << "the config was accepted";
    return "";
  }

  static std::vector<std::string> Names(const catalog::ServiceSnapshot& snapshot) {
    std::vector<std::string> names;
    for (const catalog::Table& table : snapshot.tables) names.push_back(table.name);
    std::sort(names.begin(), names.end());
    return names;
  }
};

TEST_F(DynamoDbSourceTest, EveryTableOfTheRegionInOneDefaultSchema) {
  const Result result = Read(SourceJson());
  const catalog::ServiceSnapshot& snapshot = result.snapshot;
  EXPECT_EQ(snapshot.service, "ddb");
  EXPECT_EQ(snapshot.service_type, "dynamodb");
  EXPECT_EQ(snapshot.origin, "dynamodb");
  ASSERT_EQ(snapshot.tables.size(), 12u);
  EXPECT_EQ(result.filtered, 0);
  auto orders = std::find_if(snapshot.tables.begin(), snapshot.tables.end(),
                             [](const catalog::Table& t) { return t.name == "orders"; });
  ASSERT_NE(orders, snapshot.tables.end());
  EXPECT_EQ(orders->fqn, "ddb.default.default.orders");
  ASSERT_EQ(orders->columns.size(), 3u);
  EXPECT_EQ(orders->columns[0].name, "customer_id");
  EXPECT_EQ(orders->columns[1].data_type, "number");
  EXPECT_EQ(json::parse(orders->columns[2].constraints_json)[0]["index"], "by_status");
  const json stats = json::parse(orders->stats_json);
  EXPECT_EQ(stats["row_count"]["value"], 1);
  EXPECT_EQ(stats["arn"]["value"], "arn:aws:dynamodb:us-east-1:123456789012:table/orders");
  EXPECT_EQ(stats["global_secondary_indexes"]["value"][0]["name"], "by_status");
}

TEST_F(DynamoDbSourceTest, DatabaseNameNamesTheOneDatabase) {
  const Result named = Read(SourceJson({}, {{"databaseName", "shop"}}));
  EXPECT_EQ(named.snapshot.tables.at(0).database, "shop");
  EXPECT_EQ(named.snapshot.tables.at(0).fqn.rfind("ddb.shop.default.", 0), 0u);
  const Result blank = Read(SourceJson({}, {{"databaseName", ""}}));
  EXPECT_EQ(blank.snapshot.tables.at(0).database, "default");
}

TEST_F(DynamoDbSourceTest, TableFiltersAndTheirCounts) {
  const Result included =
      Read(SourceJson({{"tableFilterPattern", {{"includes", {"orders$", "EVENTS_[0-2]"}}}}}));
  EXPECT_EQ(Names(included.snapshot),
            (std::vector<std::string>{"events_0", "events_1", "events_2", "orders"}));
  EXPECT_EQ(included.filtered, 8);
  const Result excluded = Read(SourceJson({{"tableFilterPattern", {{"excludes", {"events_"}}}}}));
  EXPECT_EQ(Names(excluded.snapshot), (std::vector<std::string>{"orders", "staging_orders"}));
  EXPECT_EQ(excluded.filtered, 10);
}

TEST_F(DynamoDbSourceTest, NoTablesWithoutIncludeTables) {
  const Result result = Read(SourceJson({{"includeTables", false}}));
  EXPECT_TRUE(result.snapshot.tables.empty());
  EXPECT_EQ(result.snapshot.service_type, "dynamodb");
  EXPECT_EQ(result.filtered, 12);
}

TEST_F(DynamoDbSourceTest, DatabaseAndSchemaFiltersApplyToTheDefaults) {
  const Result database =
      Read(SourceJson({{"databaseFilterPattern", {{"excludes", {"default"}}}}}));
  EXPECT_TRUE(database.snapshot.tables.empty());
  EXPECT_EQ(database.filtered, 1);
  const Result schema = Read(SourceJson({{"schemaFilterPattern", {{"includes", {"other"}}}}}));
  EXPECT_TRUE(schema.snapshot.tables.empty());
  EXPECT_EQ(schema.filtered, 1);
}

TEST_F(DynamoDbSourceTest, TheConnectionsPatternsAreDefaults) {
  const json connection = {{"tableFilterPattern", {{"includes", {"staging_"}}}}};
  EXPECT_EQ(Names(Read(SourceJson({}, connection)).snapshot),
            std::vector<std::string>{"staging_orders"});
  const json pipeline = {{"tableFilterPattern", {{"includes", {"orders"}}}}};
  EXPECT_EQ(Names(Read(SourceJson(pipeline, connection)).snapshot),
            std::vector<std::string>{"orders"});
  EXPECT_EQ(ConfigErrorPath(SourceJson({}, {{"tableFilterPattern", {{"includes", {"("}}}}})),
            "$.source.serviceConnection.config.tableFilterPattern.includes[0]");
}

TEST_F(DynamoDbSourceTest, ATableDeletedAfterTheListingIsAWarning) {
  Boto3(
      "dynamodb.create_table(TableName='doomed', BillingMode='PAY_PER_REQUEST',"
      " KeySchema=[{'AttributeName': 'id', 'KeyType': 'HASH'}],"
      " AttributeDefinitions=[{'AttributeName': 'id', 'AttributeType': 'S'}])\n");
  ListingHook delete_it([] { Boto3("dynamodb.delete_table(TableName='doomed')\n"); });
  const Result result = Read(SourceJson(), delete_it);
  EXPECT_EQ(result.snapshot.tables.size(), 12u);
  EXPECT_EQ(result.warnings,
            std::vector<std::string>{"table 'doomed' was deleted while it was read; skipped"});
}

TEST_F(DynamoDbSourceTest, KeysByHalvesAreAConfigError) {
  json source = SourceJson();
  source["serviceConnection"]["config"]["awsConfig"].erase("awsSecretAccessKey");
  EXPECT_EQ(ConfigErrorPath(source),
            "$.source.serviceConnection.config.awsConfig.awsSecretAccessKey");
}

TEST_F(DynamoDbSourceTest, AnUnreachableEndpointFailsTheRead) {
  json source = SourceJson();
  source["serviceConnection"]["config"]["awsConfig"]["endPointURL"] = "http://127.0.0.1:1";
  try {
    Read(source);
    FAIL() << "nothing listens there";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kIo);
    EXPECT_NE(std::string(error.what()).find("http://127.0.0.1:1/"), std::string::npos)
        << error.what();
    EXPECT_EQ(std::string(error.what()).find("wJalrXUtnFEMI"), std::string::npos);
  }
}

}  // namespace
}  // namespace cairn::connectors::dynamodb
