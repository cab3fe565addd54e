#include "ingest/runs/dbt_cloud_settings.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace cairn::ingest {
namespace {

using nlohmann::json;

std::string ErrorOf(const json& dbt_cloud) {
  try {
    ParseDbtCloudSettings(json{{"dbt_cloud", dbt_cloud}});
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    return e.what();
  }
  return "";
}

TEST(DbtCloudSettingsTest, JobsOfABlockSyncDailyByDefault) {
  std::optional<DbtCloudSyncSettings> parsed =
      ParseDbtCloudSettings(json{{"dbt_cloud", {{"credentials", "prod"}, {"job_ids", {7, 9}}}}});
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->credentials, "prod");
  EXPECT_EQ(parsed->job_ids, (std::vector<std::int64_t>{7, 9}));
  EXPECT_FALSE(parsed->project_id);
  EXPECT_EQ(parsed->sync_interval, std::chrono::hours(24));

  parsed = DbtCloudSettingsOf(
      R"({"dbt_cloud": {"credentials": "prod", "job_ids": [7], "project_id": 3,
          "sync_interval_minutes": 60}})");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->project_id, 3);
  EXPECT_EQ(parsed->sync_interval, std::chrono::hours(1));
  EXPECT_FALSE(DbtCloudSettingsOf(R"({"service": "shop"})"));
}

TEST(DbtCloudSettingsTest, ErrorsNameTheField) {
  EXPECT_EQ(ErrorOf("prod"), "settings.dbt_cloud must be a JSON object");
  EXPECT_TRUE(
      ErrorOf({{"job_ids", {1}}}).starts_with("settings.dbt_cloud.credentials is required"));
  EXPECT_TRUE(
      ErrorOf({{"credentials", "prod"}}).starts_with("settings.dbt_cloud.job_ids is required"));
  EXPECT_TRUE(ErrorOf({{"credentials", "prod"}, {"job_ids", {1, -2}}})
                  .starts_with("settings.dbt_cloud.job_ids"));
  EXPECT_TRUE(ErrorOf({{"credentials", "prod"}, {"job_ids", {1}}, {"project_id", "x"}})
                  .starts_with("settings.dbt_cloud.project_id must be"));
  EXPECT_TRUE(ErrorOf({{"credentials", "prod"}, {"job_ids", {1}}, {"sync_interval_minutes", 2}})
                  .starts_with("settings.dbt_cloud.sync_interval_minutes must be"));
  EXPECT_TRUE(ErrorOf({{"credentials", "prod"}, {"job_ids", {1}}, {"api_key", "k"}})
                  .starts_with("unknown setting 'dbt_cloud.api_key' (allowed: credentials,"));
}

}  // namespace
}  // namespace cairn::ingest
