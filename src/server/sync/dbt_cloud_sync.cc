#include "server/sync/dbt_cloud_sync.h"

#include <fmt/format.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <utility>

#include "cloud/dbt_cloud_admin_client.h"
#include "connectors/dbt/dbt_cloud_run_source.h"
#include "core/error.h"
#include "core/file.h"
#include "server/sync/sync_run.h"

namespace cairn::server {
namespace {

namespace fs = std::filesystem;
using ingest::ArtifactKind;
using nlohmann::json;

constexpr std::pair<ArtifactKind, std::string cairn::dbt::ArtifactPaths::*> kKinds[] = {
    {ArtifactKind::kManifest, &cairn::dbt::ArtifactPaths::manifest},
    {ArtifactKind::kRunResults, &cairn::dbt::ArtifactPaths::run_results},
    {ArtifactKind::kCatalog, &cairn::dbt::ArtifactPaths::catalog},
    {ArtifactKind::kSources, &cairn::dbt::ArtifactPaths::sources},
};

std::int64_t RunIdOf(const json& run) {
  return run.value("id", std::int64_t{0});
}

std::string Text(const json& run, const char* key) {
  auto it = run.find(key);
  return it != run.end() && it->is_string() ? it->get<std::string>() : std::string();
}

cloud::DbtCloudAdminClient ClientFor(const DbtCloudCredentialsLookup& credentials,
                                     const ingest::DbtCloudSyncSettings& settings) {
  if (!credentials) {
    throw Error(ErrorCode::kUnsupported, "this server reads no credential blocks");
  }
  return cloud::DbtCloudAdminClient(credentials(settings.credentials));
}

std::optional<json> LatestSuccessfulRun(const cloud::DbtCloudAdminClient& client,
                                        const ingest::DbtCloudSyncSettings& settings) {
  connectors::dbt::DbtCloudRunQuery query;
  query.job_ids = settings.job_ids;
  query.project_id = settings.project_id;
  query.statuses = {cloud::kRunSuccess};
  return connectors::dbt::LatestFinishedRun(client, query);
}

std::string NoRunYet(const ingest::DbtCloudSyncSettings& settings) {
  return fmt::format("no successful run of job{} {} in dbt Cloud yet",
                     settings.job_ids.size() == 1 ? "" : "s", fmt::join(settings.job_ids, ", "));
}

class Sync : public SyncRun {
 public:
  Sync(ingest::ExtractionService& extraction, SyncStateStore& state,
       const DbtCloudCredentialsLookup& credentials, ingest::ExtractionRun run,
       const ingest::DbtCloudSyncSettings& settings, const std::function<void()>& keep_alive)
      : SyncRun(extraction, state, std::move(run), keep_alive),
        credentials_(credentials),
        settings_(settings) {}

 private:
  std::string FailedCounts() const override { return Counts(false).dump(); }

  bool Fetch() override {
    const cloud::DbtCloudAdminClient client = ClientFor(credentials_, settings_);
    Log("info", fmt::format("looking for the latest successful run of job{} {} (credentials: {})",
                            settings_.job_ids.size() == 1 ? "" : "s",
                            fmt::join(settings_.job_ids, ", "), settings_.credentials));
    std::optional<json> latest = LatestSuccessfulRun(client, settings_);
    list_requests_ = settings_.job_ids.size();
    if (!latest) throw Error(ErrorCode::kNotFound, NoRunYet(settings_));
    found_ = {{"run_id", RunIdOf(*latest)},
              {"job_id", latest->value("job_definition_id", std::int64_t{0})},
              {"finished_at", Text(*latest, "finished_at")}};
    std::optional<std::string> last = state_.LastSuccessfulListing(run_.integration_id);
    json previous = last ? json::parse(*last, nullptr, false) : json::object();
    if (previous.is_object() && previous.value("run_id", std::int64_t{0}) == RunIdOf(*latest)) {
      return FinishUnchanged();
    }
    return FetchAndQueue(client, RunIdOf(*latest));
  }

  bool FinishUnchanged() {
    state_.RecordListing(run_.id, found_.dump());
    Log("info",
        fmt::format("run {} of job {} (finished {}) is the one the last successful sync "
                    "read: the catalog is up to date",
                    found_["run_id"].get<std::int64_t>(), found_["job_id"].get<std::int64_t>(),
                    found_["finished_at"].get<std::string>()));
    runs_.FinishRun(run_.id, ingest::kRunSucceeded, Counts(true).dump(), "");
    return false;
  }

  bool FetchAndQueue(const cloud::DbtCloudAdminClient& client, std::int64_t dbt_run) {
    keep_alive_();
    // Beside the runs (a rename away from them), removed with whatever was
    // not handed to the run.
    ScopedDirectory directory(extraction_.upload_dir() / fmt::format("sync-{}", run_.id));
    cairn::dbt::ArtifactPaths paths =
        connectors::dbt::DownloadRunArtifacts(client, dbt_run, directory.path());
    ingest::ArtifactFiles files;
    for (const auto& [kind, path] : kKinds) {
      if ((paths.*path).empty()) continue;
      files[kind] = paths.*path;
      bytes_downloaded_ += fs::file_size(paths.*path);
    }
    downloads_ = files.size();
    Log("info",
        fmt::format("downloaded {} artifact{} of run {} of job {} (finished {}), {:.1f} MiB",
                    files.size(), files.size() == 1 ? "" : "s", dbt_run,
                    found_["job_id"].get<std::int64_t>(), found_["finished_at"].get<std::string>(),
                    static_cast<double>(bytes_downloaded_) / (1 << 20)));
    state_.RecordListing(run_.id, found_.dump());
    run_.counts_json = Counts(false).dump();
    keep_alive_();
    extraction_.QueueRun(run_, std::move(files));
    return true;
  }

  json Counts(bool nothing_changed) const {
    return {{"sync",
             {{"dbt_cloud_run", found_.value("run_id", std::int64_t{0})},
              {"list_requests", list_requests_},
              {"get_requests", downloads_},
              {"bytes_downloaded", bytes_downloaded_},
              {"nothing_changed", nothing_changed}}}};
  }

  const DbtCloudCredentialsLookup& credentials_;
  const ingest::DbtCloudSyncSettings& settings_;
  json found_ = json::object();  // the dbt Cloud run this sync reads
  std::size_t list_requests_ = 0;
  std::size_t downloads_ = 0;
  std::uint64_t bytes_downloaded_ = 0;
};

}  // namespace

bool SyncDbtCloud(ingest::ExtractionService& extraction, SyncStateStore& state,
                  const DbtCloudCredentialsLookup& credentials, ingest::ExtractionRun run,
                  const ingest::DbtCloudSyncSettings& settings,
                  const std::function<void()>& keep_alive) {
  return Sync(extraction, state, credentials, std::move(run), settings, keep_alive).Execute();
}

json TestDbtCloud(const DbtCloudCredentialsLookup& credentials,
                  const ingest::DbtCloudSyncSettings& settings) {
  try {
    const cloud::DbtCloudAdminClient client = ClientFor(credentials, settings);
    std::optional<json> latest = LatestSuccessfulRun(client, settings);
    if (!latest) return {{"ok", false}, {"message", NoRunYet(settings)}};
    json run = {{"id", RunIdOf(*latest)},
                {"job_id", latest->value("job_definition_id", std::int64_t{0})},
                {"finished_at", Text(*latest, "finished_at")},
                {"href", Text(*latest, "href")}};
    return {
        {"ok", true},
        {"message", fmt::format("The next sync reads run {} of job {} (finished {})",
                                run["id"].get<std::int64_t>(), run["job_id"].get<std::int64_t>(),
                                run["finished_at"].get<std::string>())},
        {"run", std::move(run)}};
  } catch (const Error& e) {
    return {{"ok", false}, {"message", e.what()}};
  }
}

}  // namespace cairn::server
