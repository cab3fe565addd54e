#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cloud/dbt_cloud_admin_client.h"
#include "cloud/dbt_cloud_credentials.h"
#include "connectors/source.h"
#include "dbt/project.h"

// dbt artifacts from dbt Cloud runs (reference/dbt-cloud-api.md §4.6): the
// workflow's dbtConfigSource of type cloud, `cairn dbt-cloud run --wait`
// and the server's dbt_cloud integrations all find a run and read its
// manifest, run_results, catalog and sources through these.
namespace cairn::connectors::dbt {

// Which runs may supply the artifacts.
struct DbtCloudRunQuery {
  std::vector<std::int64_t> job_ids;  // empty: runs of any job
  std::optional<std::int64_t> project_id;
  // OpenMetadata's recipe takes the latest finished run, failed ones too
  // (a failed `dbt build` still saves the manifest); a sync of "the latest
  // successful run" asks for kRunSuccess alone.
  std::vector<int> statuses = {cloud::kRunSuccess, cloud::kRunError};
};

// The run the query matches that finished last (one GET /runs/ per job,
// newest first, limit 1); nullopt when there is none.
std::optional<nlohmann::json> LatestFinishedRun(const cloud::DbtCloudAdminClient& client,
                                                const DbtCloudRunQuery& query);

// Downloads the run's manifest.json (kNotFound when it saved none) and
// whichever of run_results, catalog and sources it saved into `directory`.
cairn::dbt::ArtifactPaths DownloadRunArtifacts(const cloud::DbtCloudAdminClient& client,
                                               std::int64_t run_id,
                                               const std::filesystem::path& directory);

// The artifacts of LatestFinishedRun(query). Its fingerprint names the
// account and the run: an ingestion that finds the same run again costs one
// listing per job, no download and no parse.
std::unique_ptr<Source> MakeDbtCloudRunSource(cloud::DbtCloudCredentials credentials,
                                              DbtCloudRunQuery query, std::string service,
                                              bool include_tags);

// From a validated dbtConfigSource of type cloud (schemas/connectors/dbt/
// cloud.json): dbtCloudAuthToken, dbtCloudAccountId, dbtCloudUrl,
// dbtCloudProjectId, dbtCloudJobId. Throws kInvalidConfig naming the field.
cloud::DbtCloudCredentials DbtCloudCredentialsFrom(const nlohmann::json& dbt_config_source);
DbtCloudRunQuery DbtCloudRunQueryFrom(const nlohmann::json& dbt_config_source);

}  // namespace cairn::connectors::dbt
