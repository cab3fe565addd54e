#include "connectors/dbt/dbt_cloud_run_source.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "connectors/dbt/artifact_downloads.h"
#include "connectors/dbt/dbt_source.h"
#include "core/error.h"
#include "core/file_digest.h"

namespace cairn::connectors::dbt {
namespace {

using nlohmann::json;

constexpr const char* kConfigPath = "$.source.sourceConfig.config.dbtConfigSource";

std::string FinishedAt(const json& run) {
  auto it = run.find("finished_at");
  return it != run.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t RunId(const json& run) {
  return run.value("id", std::int64_t{0});
}

class DbtCloudRunSource : public Source {
 public:
  DbtCloudRunSource(cloud::DbtCloudCredentials credentials, DbtCloudRunQuery query,
                    std::string service, bool include_tags)
      : client_(std::move(credentials)),
        account_url_(client_.AccountUrl("")),
        query_(std::move(query)),
        service_(std::move(service)),
        include_tags_(include_tags) {}

  catalog::ServiceSnapshot Read(ProgressListener& progress) override {
    const std::int64_t run_id = Find(&progress);
    const std::string phase = fmt::format("downloading the artifacts of dbt Cloud run {}", run_id);
    progress.PhaseStarted(phase, 0);
    cairn::dbt::ArtifactPaths paths = DownloadRunArtifacts(client_, run_id, downloads_.directory());
    for (const ArtifactSlot& slot : kArtifactSlots) {
      const std::string& path = paths.*slot.path;
      if (!path.empty())
        downloads_.Remember(path, fmt::format("dbt Cloud run {}: {}", run_id, slot.file));
    }
    progress.PhaseFinished(phase);
    local_ = MakeDbtSource(std::move(paths), service_, include_tags_);
    catalog::ServiceSnapshot snapshot =
        downloads_.Relabeled([&] { return local_->Read(progress); });
    // A run's artifacts never change once it has finished.
    if (!snapshot.artifact_fingerprint.empty()) snapshot.artifact_fingerprint = Fingerprint();
    return snapshot;
  }

  std::string Fingerprint() override {
    const std::int64_t run_id = Find(nullptr);
    return "dbt-cloud:" +
           Sha256Hex(FingerprintPreamble(service_, include_tags_) +
                     fmt::format("from=dbt-cloud\naccount={}\nrun={}\n", account_url_, run_id));
  }

  std::vector<std::string> Warnings() const override {
    return local_ ? local_->Warnings() : std::vector<std::string>();
  }

 private:
  // The run to read, looked up once per ingestion.
  std::int64_t Find(ProgressListener* progress) {
    if (run_) return RunId(*run_);
    if (progress != nullptr) progress->PhaseStarted("finding the latest dbt Cloud run", 0);
    run_ = LatestFinishedRun(client_, query_);
    if (!run_) {
      throw Error(
          ErrorCode::kNotFound,
          fmt::format("dbt Cloud: no finished run{}{} to read "
                      "artifacts from",
                      query_.job_ids.empty()
                          ? std::string()
                          : fmt::format(" of job {}", fmt::join(query_.job_ids, ", ")),
                      query_.project_id ? fmt::format(" in project {}", *query_.project_id) : ""));
    }
    if (progress != nullptr) progress->PhaseFinished("finding the latest dbt Cloud run");
    return RunId(*run_);
  }

  cloud::DbtCloudAdminClient client_;
  std::string account_url_;  // two accounts never share a run id
  DbtCloudRunQuery query_;
  std::string service_;
  bool include_tags_;
  std::optional<json> run_;
  Downloads downloads_;
  std::unique_ptr<Source> local_;
};

[[noreturn]] void FailConfig(const char* field, const std::string& message) {
  throw Error(ErrorCode::kInvalidConfig, message,
              {.json_path = fmt::format("{}.{}", kConfigPath, field)});
}

// dbt Cloud ids are numbers; OpenMetadata's schema writes them as strings.
std::optional<std::int64_t> IdAt(const json& config_source, const char* field) {
  auto it = config_source.find(field);
  if (it == config_source.end() || it->is_null()) return std::nullopt;
  if (it->is_number_integer()) return it->get<std::int64_t>();
  const std::string text = it->is_string() ? it->get<std::string>() : std::string();
  if (text.empty()) return std::nullopt;
  try {
    std::size_t used = 0;
    const std::int64_t id = std::stoll(text, &used);
    if (used == text.size() && id > 0) return id;
  } catch (const std::exception&) {
  }
  FailConfig(field, "must be a dbt Cloud id (a positive number)");
}

}  // namespace

std::optional<json> LatestFinishedRun(const cloud::DbtCloudAdminClient& client,
                                      const DbtCloudRunQuery& query) {
  std::vector<std::optional<std::int64_t>> jobs(query.job_ids.begin(), query.job_ids.end());
  if (jobs.empty()) jobs.emplace_back();  // any job
  std::optional<json> latest;
  for (const std::optional<std::int64_t>& job : jobs) {
    cloud::ListRunsQuery list;
    list.job_definition_id = job;
    list.project_id = query.project_id;
    list.status_in = query.statuses;
    list.order_by = "-finished_at";
    list.limit = 1;
    for (json& run : client.ListRuns(list)) {
      if (!latest || FinishedAt(run) > FinishedAt(*latest)) latest = std::move(run);
    }
  }
  return latest;
}

cairn::dbt::ArtifactPaths DownloadRunArtifacts(const cloud::DbtCloudAdminClient& client,
                                               std::int64_t run_id,
                                               const std::filesystem::path& directory) {
  const std::vector<std::string> saved = client.ListRunArtifacts(run_id);
  cairn::dbt::ArtifactPaths paths;
  for (const ArtifactSlot& slot : kArtifactSlots) {
    if (std::find(saved.begin(), saved.end(), slot.file) == saved.end()) continue;
    const std::filesystem::path path = directory / slot.file;
    client.DownloadRunArtifact(run_id, slot.file, path);
    paths.*slot.path = path.string();
  }
  if (paths.manifest.empty()) {
    throw Error(ErrorCode::kNotFound,
                fmt::format("dbt Cloud: run {} saved no manifest.json (its artifacts: {})", run_id,
                            saved.empty() ? "none" : fmt::format("{}", fmt::join(saved, ", "))));
  }
  return paths;
}

std::unique_ptr<Source> MakeDbtCloudRunSource(cloud::DbtCloudCredentials credentials,
                                              DbtCloudRunQuery query, std::string service,
                                              bool include_tags) {
  return std::make_unique<DbtCloudRunSource>(std::move(credentials), std::move(query),
                                             std::move(service), include_tags);
}

cloud::DbtCloudCredentials DbtCloudCredentialsFrom(const json& config_source) {
  cloud::DbtCloudCredentials credentials;
  credentials.api_key = config_source.value("dbtCloudAuthToken", "");
  if (credentials.api_key.empty()) FailConfig("dbtCloudAuthToken", "the dbt Cloud token is empty");
  const std::optional<std::int64_t> account = IdAt(config_source, "dbtCloudAccountId");
  if (!account) FailConfig("dbtCloudAccountId", "the dbt Cloud account id is empty");
  credentials.account_id = std::to_string(*account);
  credentials.access_url = config_source.value("dbtCloudUrl", "https://cloud.getdbt.com");
  return credentials;
}

DbtCloudRunQuery DbtCloudRunQueryFrom(const json& config_source) {
  DbtCloudRunQuery query;
  query.project_id = IdAt(config_source, "dbtCloudProjectId");
  if (std::optional<std::int64_t> job = IdAt(config_source, "dbtCloudJobId")) {
    query.job_ids.push_back(*job);
  }
  return query;
}

}  // namespace cairn::connectors::dbt
