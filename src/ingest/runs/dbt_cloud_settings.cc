#include "ingest/runs/dbt_cloud_settings.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <string_view>

#include "core/error.h"

namespace cairn::ingest {
namespace {

using nlohmann::json;

constexpr std::array kFields = {"credentials", "job_ids", "project_id", "sync_interval_minutes"};

[[noreturn]] void Invalid(std::string_view field, std::string_view problem) {
  throw Error(ErrorCode::kInvalidArgument, fmt::format("settings.dbt_cloud.{} {}", field, problem));
}

bool IsId(const json& value) {
  return value.is_number_integer() && value.get<std::int64_t>() > 0;
}

DbtCloudSyncSettings Parse(const json& account) {
  if (!account.is_object()) {
    throw Error(ErrorCode::kInvalidArgument, "settings.dbt_cloud must be a JSON object");
  }
  for (const auto& [key, value] : account.items()) {
    if (std::find(kFields.begin(), kFields.end(), key) == kFields.end()) {
      throw Error(ErrorCode::kInvalidArgument,
                  fmt::format("unknown setting 'dbt_cloud.{}' (allowed: {})", key,
                              fmt::join(kFields, ", ")));
    }
  }
  DbtCloudSyncSettings parsed;
  auto credentials = account.find("credentials");
  if (credentials == account.end() || !credentials->is_string() ||
      credentials->get<std::string>().empty()) {
    Invalid("credentials",
            "is required: the name of a dbt-cloud credential block (cairn credentials create "
            "dbt-cloud NAME, or POST /api/v1/credentials)");
  }
  parsed.credentials = credentials->get<std::string>();
  auto jobs = account.find("job_ids");
  if (jobs == account.end() || !jobs->is_array() || jobs->empty() ||
      !std::all_of(jobs->begin(), jobs->end(), IsId)) {
    Invalid(
        "job_ids",
        "is required: the ids of the jobs whose latest successful run is synced, e.g. [460298]");
  }
  for (const json& job : *jobs) parsed.job_ids.push_back(job.get<std::int64_t>());
  if (auto project = account.find("project_id"); project != account.end() && !project->is_null()) {
    if (!IsId(*project))
      Invalid("project_id", "must be a dbt Cloud project id (a positive number)");
    parsed.project_id = project->get<std::int64_t>();
  }
  parsed.sync_interval = SyncIntervalOf(account, "dbt_cloud");
  return parsed;
}

}  // namespace

std::optional<DbtCloudSyncSettings> ParseDbtCloudSettings(const json& settings) {
  auto it = settings.find("dbt_cloud");
  if (it == settings.end() || it->is_null()) return std::nullopt;
  return Parse(*it);
}

std::optional<DbtCloudSyncSettings> DbtCloudSettingsOf(const std::string& settings_json) {
  json settings = json::parse(settings_json, nullptr, false);
  if (!settings.is_object()) return std::nullopt;
  return ParseDbtCloudSettings(settings);
}

}  // namespace cairn::ingest
