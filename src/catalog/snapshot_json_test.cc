#include "catalog/snapshot_json.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "catalog/store_contract_test.h"
#include "core/error.h"

namespace cairn::catalog {
namespace {

// The shop project with every field the fixture leaves at its default set
// too, so that a field the codec forgets fails the round trip.
ServiceSnapshot RichSnapshot() {
  ServiceSnapshot snapshot = testing::ShopSnapshot();
  snapshot.missing_tables = MissingTables::kMarkDeleted;
  snapshot.read_schemas = std::vector<SchemaRef>{{"analytics", "main"}, {"analytics", "raw"}};
  snapshot.artifact_fingerprint = "sha256:abc";
  Table& table = snapshot.tables.front();
  table.deleted_at = "2024-03-01T00:00:00Z";
  table.columns.front().data_type = "bigint";
  DbtNode& node = snapshot.nodes.front();
  node.original_file_path = "models/customers.sql";
  node.compiled_code = "select 1";
  node.constraints_json = R"([{"type": "check",  "expression": "id > 0"}])";
  node.test_name = "t";
  node.test_column = "c";
  node.test_kwargs_json = R"({"b":1,"a":2})";  // key order must survive
  node.severity = "warn";
  NodeRun freshness;
  freshness.invocation_id = "inv-3";
  freshness.unique_id = "source.shop.raw.orders";
  freshness.resource_type = "source";
  freshness.status = "warn";
  freshness.execution_seconds = 0.1 + 0.2;  // not exactly representable in decimal
  freshness.started_at = "2024-01-03T00:00:00Z";
  freshness.completed_at = "2024-01-03T00:00:01Z";
  freshness.max_loaded_at = "2024-01-02T12:00:00Z";
  freshness.age_seconds = 43200.25;
  freshness.rows_affected = 0;
  snapshot.runs.push_back(freshness);
  snapshot.lineage.front().upstream_column = "id";
  return snapshot;
}

ServiceSnapshot ParseText(const std::string& text) {
  std::istringstream in(text);
  return ParseSnapshot(in);
}

// The error parsing `document` throws, or a failure when it parses.
Error ErrorOf(const nlohmann::json& document) {
  try {
    SnapshotFromJson(document);
  } catch (const Error& error) {
    return error;
  }
  ADD_FAILURE() << "parsed: " << document.dump();
  return Error(ErrorCode::kInternal, "parsed");
}

TEST(SnapshotJsonTest, RoundTripsEveryField) {
  const ServiceSnapshot original = RichSnapshot();
  const ServiceSnapshot back = ParseText(SnapshotToJson(original).dump());
  EXPECT_EQ(back, original);
  EXPECT_EQ(back.nodes.front().test_kwargs_json, R"({"b":1,"a":2})");
  EXPECT_EQ(back.runs.back().execution_seconds, 0.1 + 0.2);
  EXPECT_FALSE(back.runs.front().age_seconds.has_value());
}

TEST(SnapshotJsonTest, RoundTripsEachMissingTablesRuleAndAllSchemas) {
  for (MissingTables missing :
       {MissingTables::kRemove, MissingTables::kMarkDeleted, MissingTables::kKeep}) {
    ServiceSnapshot snapshot = testing::CrmSnapshot();
    snapshot.missing_tables = missing;
    ServiceSnapshot back = SnapshotFromJson(SnapshotToJson(snapshot));
    EXPECT_EQ(back.missing_tables, missing);
    EXPECT_FALSE(back.read_schemas.has_value());
    EXPECT_EQ(back, snapshot);
  }
}

TEST(SnapshotJsonTest, LeftOutMembersTakeTheModelDefaults) {
  ServiceSnapshot snapshot = SnapshotFromJson(
      {{"format", "cairn-snapshot/1"},
       {"service", "s"},
       {"origin", "dbt"},
       {"tables", {{{"fqn", "s.d.m.t"}, {"name", "t"}, {"columns", {{{"name", "c"}}}}}}}});
  ASSERT_EQ(snapshot.tables.size(), 1U);
  EXPECT_EQ(snapshot.tables[0].stats_json, "{}");
  EXPECT_EQ(snapshot.tables[0].columns[0].meta_json, "{}");
  EXPECT_EQ(snapshot.missing_tables, MissingTables::kRemove);
}

TEST(SnapshotJsonTest, ErrorsNameTheJsonPath) {
  nlohmann::json document = SnapshotToJson(RichSnapshot());
  document["tables"][1]["columns"][2]["name"] = 7;
  Error error = ErrorOf(document);
  EXPECT_EQ(error.code(), ErrorCode::kParse);
  EXPECT_EQ(error.context().json_path, "$.tables[1].columns[2].name");
  EXPECT_NE(std::string(error.what()).find("expected a string"), std::string::npos);

  document = SnapshotToJson(RichSnapshot());
  document["runs"][0]["failures"] = 1.5;
  EXPECT_EQ(ErrorOf(document).context().json_path, "$.runs[0].failures");
  document = SnapshotToJson(RichSnapshot());
  document["nodes"][3].erase("unique_id");
  EXPECT_EQ(ErrorOf(document).context().json_path, "$.nodes[3].unique_id");
  document = SnapshotToJson(RichSnapshot());
  document["missing_tables"] = "forget";
  EXPECT_EQ(ErrorOf(document).context().json_path, "$.missing_tables");
  document = SnapshotToJson(RichSnapshot());
  document["tables"][0]["tags"][1] = nullptr;
  EXPECT_EQ(ErrorOf(document).context().json_path, "$.tables[0].tags[1]");
  EXPECT_EQ(ErrorOf(nlohmann::json::array()).context().json_path, "$");
}

TEST(SnapshotJsonTest, RefusesAnotherFormat) {
  nlohmann::json document = SnapshotToJson(testing::CrmSnapshot());
  document["format"] = "cairn-snapshot/2";
  Error error = ErrorOf(document);
  EXPECT_EQ(error.code(), ErrorCode::kUnsupported);
  EXPECT_EQ(error.context().json_path, "$.format");
  document.erase("format");
  EXPECT_EQ(ErrorOf(document).code(), ErrorCode::kParse);
}

TEST(SnapshotJsonTest, SyntaxErrorsGiveTheOffset) {
  try {
    ParseText(R"({"format": "cairn-snapshot/1", "service": )");
    FAIL() << "parsed";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kParse);
    EXPECT_TRUE(error.context().offset.has_value());
    EXPECT_NE(std::string(error.what()).find("not JSON"), std::string::npos);
  }
}

}  // namespace
}  // namespace cairn::catalog
