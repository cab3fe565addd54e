#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "core/error.h"
#include "dbt/artifact_readers.h"

namespace cairn::dbt {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string Fixture(const std::string& relative) {
  return std::string(CAIRN_SHARED_DIR) + "/fixtures/dbt/" + relative;
}

const NodeResult& Find(const RunResults& results, const std::string& unique_id) {
  auto it = std::find_if(results.results.begin(), results.results.end(),
                         [&](const NodeResult& r) { return r.unique_id == unique_id; });
  if (it == results.results.end()) throw std::runtime_error("no result " + unique_id);
  return *it;
}

TEST(RunResultsReaderTest, V1TimingMessageAndNoFailuresKey) {
  const RunResults results = ReadRunResults(Fixture("versions/run_results_v1.json"));
  EXPECT_EQ(results.metadata.schema_version, 1);
  EXPECT_EQ(results.metadata.dbt_version, "0.19.1");
  EXPECT_EQ(results.command, "run");
  const NodeResult& stg = Find(results, "model.jaffle_shop.stg_payments");
  EXPECT_EQ(stg.status, "success");
  EXPECT_EQ(stg.started_at, "2021-08-12T09:11:56.147738Z");  // the execute step
  EXPECT_EQ(stg.completed_at, "2021-08-12T09:11:56.927114Z");
  EXPECT_DOUBLE_EQ(stg.execution_time, 0.7918922901153564);
  EXPECT_EQ(stg.message, "OK");
  EXPECT_EQ(stg.thread_id, "Thread-2");
  EXPECT_FALSE(stg.failures.has_value());
  EXPECT_FALSE(stg.rows_affected.has_value());
  EXPECT_EQ(stg.adapter_response_json, R"({"_message":"OK","code":"CREATE VIEW"})");
}

TEST(RunResultsReaderTest, V4ErrorWithoutTimingAndRowsAffected) {
  const RunResults results = ReadRunResults(Fixture("versions/run_results_v4.json"));
  const NodeResult& error = Find(results, "model.jaffle_shop.test_insert_overwrite");
  EXPECT_EQ(error.status, "error");
  EXPECT_EQ(error.started_at, "");
  EXPECT_THAT(error.message, StartsWith("Database Error in model test_insert_overwrite"));
  EXPECT_EQ(error.adapter_response_json, "{}");
  const NodeResult& seed = Find(results, "seed.jaffle_shop.raw_customers");
  EXPECT_EQ(seed.rows_affected, 100);
  EXPECT_EQ(seed.started_at, "2021-12-07T10:49:20.200036Z");
  EXPECT_EQ(seed.message, "INSERT 100");
}

TEST(RunResultsReaderTest, TestsUseTheirFullUniqueIdAndFailures) {
  const RunResults results = ReadRunResults(Fixture("versions/run_results_v6.json"));
  const NodeResult& test =
      Find(results, "test.jaffle_shop.not_null_stg_orders_order_id.81cfe2fe64");
  EXPECT_EQ(test.status, "pass");
  EXPECT_EQ(test.failures, 0);
  const RunResults core = ReadRunResults(Fixture("versions/dbt-core-state/run_results_v6.json"));
  EXPECT_EQ(core.results[0].rows_affected, -1);
}

TEST(RunResultsReaderTest, NullStatusAndMissingArgs) {
  const RunResults results = ParseRunResults(
      R"({"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/run-results/v1.json"},
          "elapsed_time": 1.5,
          "results": [{"unique_id": "model.p.a", "status": null, "timing": [
              {"name": "compile", "started_at": "c0", "completed_at": "c1"}],
            "failures": 3, "adapter_response": {"rows_affected": 12, "x": [1]}}]})",
      "run_results.json");
  EXPECT_EQ(results.command, "");
  EXPECT_DOUBLE_EQ(results.elapsed_time, 1.5);
  ASSERT_EQ(results.results.size(), 1u);
  EXPECT_EQ(results.results[0].status, "");
  EXPECT_EQ(results.results[0].started_at, "c0");
  EXPECT_EQ(results.results[0].failures, 3);
  EXPECT_EQ(results.results[0].rows_affected, 12);
}

TEST(RunResultsReaderTest, BadInput) {
  try {
    ReadRunResults(Fixture("versions/manifest_v1.json"));
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kParse);
    EXPECT_EQ(error.message(), "is a dbt manifest artifact, expected a run-results");
  }
  try {
    ParseRunResults(
        R"({"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/run-results/v7.json"}})",
        "rr.json");
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kUnsupported);
    EXPECT_EQ(error.message(), "run-results schema v7 is newer than this Cairn supports (v1–v6)");
  }
  try {
    ParseRunResults(
        R"({"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/run-results/v6.json"},
            "results": [{"unique_id": "a"}, {"unique_id": "b", "execution_time": "slow"}]})",
        "rr.json");
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kParse);
    EXPECT_EQ(error.context().json_path, "$.results[1].execution_time");
    EXPECT_EQ(error.message(), "expected a number");
    EXPECT_THAT(error.what(), HasSubstr("rr.json"));
  }
}

}  // namespace
}  // namespace cairn::dbt
