#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ingest/runs/bucket_settings.h"

// The dbt Cloud account of a dbt_cloud integration (settings.dbt_cloud,
// docs/integrations.md): which credential block reaches it, whose jobs'
// latest successful run Cairn syncs, and how often. No secret lives here:
// the API key stays sealed in the credential block.
namespace cairn::ingest {

inline constexpr const char* kDbtCloudIntegration = "dbt_cloud";

struct DbtCloudSyncSettings {
  std::string credentials;            // a dbt-cloud credential block's name
  std::vector<std::int64_t> job_ids;  // at least one
  std::optional<std::int64_t> project_id;
  std::chrono::seconds sync_interval{BucketSettings::kDefaultSyncInterval};
};

// settings.dbt_cloud, validated; nullopt when absent. Throws
// kInvalidArgument naming the field (settings.dbt_cloud.FIELD).
std::optional<DbtCloudSyncSettings> ParseDbtCloudSettings(const nlohmann::json& settings);
std::optional<DbtCloudSyncSettings> DbtCloudSettingsOf(const std::string& settings_json);

}  // namespace cairn::ingest
