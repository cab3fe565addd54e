#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "dbt/artifact_readers.h"

namespace cairn::dbt {
namespace {

std::string Fixture(const std::string& relative) {
  return std::string(CAIRN_SHARED_DIR) + "/fixtures/dbt/" + relative;
}

TEST(SourcesReaderTest, V1WarnResult) {
  const SourceFreshness freshness = ReadSourceFreshness(Fixture("versions/sources_v1.json"));
  EXPECT_EQ(freshness.metadata.schema_version, 1);
  EXPECT_EQ(freshness.metadata.invocation_id, "ce04e831-2bbf-4705-b129-948d64df00a1");
  ASSERT_EQ(freshness.results.size(), 1u);
  const FreshnessResult& result = freshness.results[0];
  EXPECT_EQ(result.unique_id, "source.jaffle_shop.jaffle_shop.orders");
  EXPECT_EQ(result.status, "warn");
  EXPECT_EQ(result.max_loaded_at, "2021-11-23T16:23:27.062923+00:00");
  EXPECT_EQ(result.snapshotted_at, "2021-11-24T08:23:27.062923+00:00");
  EXPECT_EQ(result.max_loaded_at_time_ago_in_s, 57600.0);
  EXPECT_EQ(
      result.criteria_json,
      R"({"warn_after":{"count":12,"period":"hour"},"error_after":{"count":24,"period":"hour"},"filter":null})");
  EXPECT_EQ(result.error, "");
  EXPECT_EQ(result.execution_time, 0.0);
}

TEST(SourcesReaderTest, V3ErrorResult) {
  const SourceFreshness freshness = ReadSourceFreshness(Fixture("versions/sources_v3.json"));
  ASSERT_EQ(freshness.results.size(), 1u);
  EXPECT_EQ(freshness.results[0].status, "error");
  EXPECT_EQ(freshness.results[0].unique_id, "source.jaffle_shop.jaffle_shop.raw_orders");
  EXPECT_DOUBLE_EQ(freshness.results[0].execution_time, 1.630079984664917);
  EXPECT_DOUBLE_EQ(*freshness.results[0].max_loaded_at_time_ago_in_s, 107892.451);
}

TEST(SourcesReaderTest, RuntimeErrorKeepsTheError) {
  const SourceFreshness freshness = ParseSourceFreshness(
      R"({"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/sources/v3.json"},
          "results": [{"unique_id": "source.p.s.t", "status": "runtime error",
                       "error": "Database Error: relation does not exist"}],
          "elapsed_time": 0.5})",
      "sources.json");
  ASSERT_EQ(freshness.results.size(), 1u);
  EXPECT_EQ(freshness.results[0].status, "runtime error");
  EXPECT_EQ(freshness.results[0].error, "Database Error: relation does not exist");
  EXPECT_FALSE(freshness.results[0].max_loaded_at_time_ago_in_s.has_value());
  EXPECT_EQ(freshness.results[0].criteria_json, "{}");
}

TEST(SourcesReaderTest, PreVersioningSourcesFileIsRejected) {
  // dbt < 0.19 wrote {"meta": ..., "sources": {...}} without metadata.
  try {
    ParseSourceFreshness(R"({"meta": {}, "sources": {}})", "sources.json");
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kParse);
    EXPECT_EQ(error.message(), "is not a dbt artifact: metadata.dbt_schema_version is missing");
  }
}

}  // namespace
}  // namespace cairn::dbt
