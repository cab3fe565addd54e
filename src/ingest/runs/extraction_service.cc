#include "ingest/runs/extraction_service.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <nlohmann/json.hpp>
#include <random>
#include <system_error>

#include "catalog/model_json.h"
#include "catalog/store.h"
#include "connectors/dbt/dbt_source.h"
#include "core/error.h"
#include "core/timestamp.h"
#include "ingest/runs/bucket_settings.h"
#include "ingest/runs/dbt_cloud_settings.h"
#include "ingest/workflow.h"

namespace cairn::ingest {
namespace {

namespace fs = std::filesystem;

constexpr std::array kKinds = {ArtifactKind::kManifest, ArtifactKind::kRunResults,
                               ArtifactKind::kCatalog, ArtifactKind::kSources};
constexpr const char* kInterrupted = "interrupted: Cairn stopped during this run";

std::string NewUuid() {
  static std::mutex mutex;
  static std::mt19937_64 random{std::random_device{}()};
  std::lock_guard lock(mutex);
  std::uint64_t high = random();
  std::uint64_t low = random();
  high = (high & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  low = (low & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;    // RFC 4122 variant
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", high >> 32, (high >> 16) & 0xFFFF,
                     high & 0xFFFF, low >> 48, low & 0xFFFFFFFFFFFFULL);
}

// Moves a file, by rename where it can and by copy across file systems.
void MoveFile(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::rename(from, to, ec);
  if (!ec) return;
  fs::copy_file(from, to, fs::copy_options::overwrite_existing);
  fs::remove(from);
}

// The settings every integration has: {"service": "...", "include_tags":
// true}, plus where its artifacts come from: settings.bucket (dbt_core,
// optional: uploads otherwise) or settings.dbt_cloud (dbt_cloud, required).
struct DbtCoreSettings {
  std::string service;
  bool include_tags = true;
};

DbtCoreSettings ParseSettings(const std::string& type, const std::string& settings_json) {
  nlohmann::json settings = nlohmann::json::parse(settings_json, nullptr, false);
  if (!settings.is_object()) {
    throw Error(ErrorCode::kInvalidArgument, "'settings' must be a JSON object");
  }
  const bool cloud = type == kDbtCloudIntegration;
  const char* origin = cloud ? "dbt_cloud" : "bucket";
  DbtCoreSettings parsed;
  for (const auto& [key, value] : settings.items()) {
    if (key == "service") {
      if (!value.is_string() || value.get<std::string>().empty()) {
        throw Error(ErrorCode::kInvalidArgument, "settings.service must be a non-empty string");
      }
      parsed.service = value.get<std::string>();
    } else if (key == "include_tags") {
      if (!value.is_boolean()) {
        throw Error(ErrorCode::kInvalidArgument, "settings.include_tags must be true or false");
      }
      parsed.include_tags = value.get<bool>();
    } else if (key != origin) {
      throw Error(ErrorCode::kInvalidArgument,
                  fmt::format("unknown setting '{}' for a {} integration (allowed: service, "
                              "include_tags, {})",
                              key, type, origin));
    }
  }
  if (!cloud) {
    ParseBucketSettings(settings);
  } else if (!ParseDbtCloudSettings(settings)) {
    throw Error(ErrorCode::kInvalidArgument,
                "settings.dbt_cloud is required: {\"credentials\": \"BLOCK\", \"job_ids\": [...]}");
  }
  return parsed;
}

// Phases of the read go to the run's log. A line written while the ingest's
// write transaction is open ("writing to the catalog") waits for its commit
// (see ProgressListener).
class RunLog : public connectors::ProgressListener {
 public:
  RunLog(RunStore& runs, std::int64_t run_id) : runs_(runs), run_id_(run_id) {}
  void PhaseStarted(const std::string& phase, std::uint64_t bytes) override {
    runs_.AppendLog(
        run_id_, "info",
        bytes > 0 ? fmt::format("{} ({:.1f} MiB)", phase, static_cast<double>(bytes) / (1 << 20))
                  : phase);
  }
  void PhaseFinished(const std::string&) override {}

 private:
  RunStore& runs_;
  std::int64_t run_id_;
};

// The ingest report's counts, and what the run was started with (a bucket
// sync's requests).
std::string CountsJson(const IngestReport& report, const std::string& started_with) {
  nlohmann::json counts = nlohmann::json::parse(started_with, nullptr, false);
  if (!counts.is_object()) counts = nlohmann::json::object();
  counts.update(catalog::ToJson(report.applied));
  counts["service"] = report.service;
  counts["tables_seen"] = report.tables_seen;
  counts["nodes_seen"] = report.nodes_seen;
  counts["warnings"] = report.warnings.size();
  counts["seconds"] = report.elapsed_seconds;
  return counts.dump();
}

}  // namespace

std::optional<ArtifactKind> ArtifactKindNamed(std::string_view name) {
  for (ArtifactKind kind : kKinds) {
    if (name == ArtifactKindName(kind)) return kind;
  }
  return std::nullopt;
}

const char* ArtifactKindName(ArtifactKind kind) {
  switch (kind) {
    case ArtifactKind::kManifest:
      return "manifest";
    case ArtifactKind::kRunResults:
      return "run_results";
    case ArtifactKind::kCatalog:
      return "catalog";
    case ArtifactKind::kSources:
      return "sources";
  }
  return "";
}

const char* ArtifactFileName(ArtifactKind kind) {
  switch (kind) {
    case ArtifactKind::kManifest:
      return "manifest.json";
    case ArtifactKind::kRunResults:
      return "run_results.json";
    case ArtifactKind::kCatalog:
      return "catalog.json";
    case ArtifactKind::kSources:
      return "sources.json";
  }
  return "";
}

ExtractionService::ExtractionService(RunStore& runs, ExtractionOptions options)
    : runs_(runs), options_(std::move(options)) {
  if (options_.workers < 1) options_.workers = 1;
}

ExtractionService::~ExtractionService() {
  Drain();
  if (data_dir_lock_ >= 0) ::close(data_dir_lock_);
}

// Start clears the directory's run and upload files: two processes on one
// directory would delete each other's.
void ExtractionService::LockDataDir() {
  fs::path lock = options_.data_dir / ".lock";
  data_dir_lock_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (data_dir_lock_ < 0) {
    throw Error(ErrorCode::kIo, fmt::format("cannot open {}: {}", lock.string(),
                                            std::generic_category().message(errno)));
  }
  if (::flock(data_dir_lock_, LOCK_EX | LOCK_NB) != 0) {
    throw Error(ErrorCode::kIo,
                fmt::format("the data directory {} is in use by another cairn serve; give each "
                            "instance its own --data-dir",
                            options_.data_dir.string()));
  }
}

fs::path ExtractionService::IntegrationDir(const std::string& integration_id) const {
  return options_.data_dir / "integrations" / integration_id;
}

fs::path ExtractionService::RunDir(std::int64_t run_id) const {
  return options_.data_dir / "runs" / std::to_string(run_id);
}

void ExtractionService::Start() {
  fs::create_directories(upload_dir());
  LockDataDir();
  int failed = runs_.FailUnfinishedRuns(kInterrupted);
  if (failed > 0) spdlog::warn("marked {} interrupted extraction run(s) failed", failed);
  std::error_code ec;
  fs::remove_all(options_.data_dir / "runs", ec);
  for (const auto& entry : fs::directory_iterator(upload_dir(), ec)) fs::remove_all(entry, ec);
  fs::create_directories(options_.data_dir / "runs");
  for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { Work(); });
}

void ExtractionService::Drain() {
  {
    std::lock_guard lock(mutex_);
    draining_ = true;
  }
  changed_.notify_all();
  for (std::thread& worker : workers_) worker.join();
  workers_.clear();
}

Integration ExtractionService::CreateIntegration(const std::string& name, const std::string& type,
                                                 const std::string& settings_json) {
  if (name.empty()) throw Error(ErrorCode::kInvalidArgument, "'name' is required");
  if (type != "dbt_core" && type != kDbtCloudIntegration) {
    throw Error(
        ErrorCode::kInvalidArgument,
        fmt::format("unknown integration type '{}' (supported: dbt_core, dbt_cloud)", type));
  }
  std::string settings = PrepareNewSettings(settings_json, NewUuid());
  ParseSettings(type, settings);
  return runs_.CreateIntegration(
      Integration{.id = NewUuid(), .name = name, .type = type, .settings_json = settings});
}

Integration ExtractionService::GetIntegration(const std::string& integration_id) {
  std::optional<Integration> integration = runs_.GetIntegration(integration_id);
  if (!integration) {
    throw Error(ErrorCode::kNotFound, fmt::format("no integration '{}'", integration_id));
  }
  return *integration;
}

Integration ExtractionService::UpdateIntegration(const std::string& integration_id,
                                                 const std::string& name,
                                                 const std::optional<std::string>& settings_patch) {
  Integration integration = GetIntegration(integration_id);
  if (!name.empty()) integration.name = name;
  if (settings_patch) {
    integration.settings_json =
        PatchedSettings(integration.settings_json, *settings_patch, NewUuid());
    ParseSettings(integration.type, integration.settings_json);
  }
  std::optional<Integration> updated = runs_.UpdateIntegration(integration);
  if (!updated)
    throw Error(ErrorCode::kNotFound, fmt::format("no integration '{}'", integration_id));
  return *updated;
}

bool ExtractionService::DeleteIntegration(const std::string& integration_id) {
  std::lock_guard lock(mutex_);
  if (!runs_.DeleteIntegration(integration_id)) return false;
  std::error_code ec;
  fs::remove_all(IntegrationDir(integration_id), ec);
  return true;
}

void ExtractionService::Stage(const std::string& integration_id, const ArtifactFiles& files) {
  GetIntegration(integration_id);
  std::lock_guard lock(mutex_);
  fs::path staged = IntegrationDir(integration_id) / "staged";
  fs::create_directories(staged);
  for (const auto& [kind, path] : files) MoveFile(path, staged / ArtifactFileName(kind));
}

ExtractionRun ExtractionService::StartRun(const std::string& integration_id,
                                          const std::string& trigger, ArtifactFiles files) {
  GetIntegration(integration_id);
  // One lock for both steps: runs of an integration execute in the order of
  // their ids.
  std::unique_lock lock(mutex_);
  ExtractionRun run = OpenLocked(integration_id, trigger);
  QueueLocked(run, std::move(files));
  lock.unlock();
  changed_.notify_all();
  return run;
}

ExtractionRun ExtractionService::OpenRun(const std::string& integration_id,
                                         const std::string& trigger) {
  GetIntegration(integration_id);
  std::lock_guard lock(mutex_);
  return OpenLocked(integration_id, trigger);
}

ExtractionRun ExtractionService::QueueRun(ExtractionRun run, ArtifactFiles files) {
  std::unique_lock lock(mutex_);
  if (draining_) throw Error(ErrorCode::kInternal, "Cairn is shutting down; try again shortly");
  QueueLocked(run, std::move(files));
  lock.unlock();
  changed_.notify_all();
  return run;
}

ExtractionRun ExtractionService::OpenLocked(const std::string& integration_id,
                                            const std::string& trigger) {
  if (draining_) throw Error(ErrorCode::kInternal, "Cairn is shutting down; try again shortly");
  return runs_.CreateRun(integration_id, trigger);
}

void ExtractionService::QueueLocked(const ExtractionRun& run, ArtifactFiles files) {
  fs::path run_dir = RunDir(run.id);
  fs::create_directories(run_dir);
  fs::path staged = IntegrationDir(run.integration_id) / "staged";
  for (ArtifactKind kind : kKinds) {
    fs::path staged_file = staged / ArtifactFileName(kind);
    if (!files.contains(kind) && fs::exists(staged_file)) files[kind] = staged_file;
  }
  for (const auto& [kind, path] : files) MoveFile(path, run_dir / ArtifactFileName(kind));
  queued_[run.integration_id].push_back(run);
  unfinished_.insert(run.id);
}

ExtractionRun ExtractionService::Wait(std::int64_t run_id, std::chrono::seconds timeout) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] { return !unfinished_.contains(run_id); });
  lock.unlock();
  std::optional<ExtractionRun> run = runs_.GetRun(run_id);
  if (!run) throw Error(ErrorCode::kNotFound, fmt::format("no extraction run {}", run_id));
  return *run;
}

void ExtractionService::Work() {
  for (;;) {
    ExtractionRun run;
    {
      std::unique_lock lock(mutex_);
      auto ready = [&]() -> std::deque<ExtractionRun>* {
        for (auto& [integration, runs] : queued_) {
          if (!runs.empty() && !busy_.contains(integration)) return &runs;
        }
        return nullptr;
      };
      changed_.wait(lock, [&] { return ready() != nullptr || (draining_ && unfinished_.empty()); });
      std::deque<ExtractionRun>* runs = ready();
      if (runs == nullptr) return;  // draining and nothing left
      run = runs->front();
      runs->pop_front();
      busy_.insert(run.integration_id);
    }
    try {
      Execute(run);
    } catch (const std::exception& e) {
      // Only the run's bookkeeping can get here (Execute records its own
      // failures); keep the worker alive.
      spdlog::error("extraction run {}: {}", run.id, e.what());
    }
    {
      std::lock_guard lock(mutex_);
      busy_.erase(run.integration_id);
      unfinished_.erase(run.id);
      if (queued_[run.integration_id].empty()) queued_.erase(run.integration_id);
    }
    changed_.notify_all();
  }
}

void ExtractionService::Execute(const ExtractionRun& run) {
  runs_.MarkRunning(run.id);
  fs::path run_dir = RunDir(run.id);
  fs::path current = IntegrationDir(run.integration_id) / "current";
  try {
    Integration integration = GetIntegration(run.integration_id);
    DbtCoreSettings settings = ParseSettings(integration.type, integration.settings_json);
    // What the run reads: what was uploaded for it, and for the kinds it
    // lacks the last good run's. History (run_results, sources) was applied
    // when it arrived, so a run with uploads reuses only the manifest and
    // catalog; old results would not match a new manifest. A run with no
    // uploads (a sync) reads the last good set again.
    bool has_uploads = false;
    for (ArtifactKind kind : kKinds) has_uploads |= fs::exists(run_dir / ArtifactFileName(kind));
    std::map<ArtifactKind, fs::path> used;
    for (ArtifactKind kind : kKinds) {
      fs::path uploaded = run_dir / ArtifactFileName(kind);
      fs::path kept = current / ArtifactFileName(kind);
      bool reusable =
          !has_uploads || kind == ArtifactKind::kManifest || kind == ArtifactKind::kCatalog;
      if (fs::exists(uploaded)) {
        used[kind] = uploaded;
      } else if (reusable && fs::exists(kept)) {
        used[kind] = kept;
      }
    }
    auto path_of = [&](ArtifactKind kind) {
      return used.contains(kind) ? used[kind].string() : std::string();
    };
    dbt::ArtifactPaths paths{.manifest = path_of(ArtifactKind::kManifest),
                             .run_results = path_of(ArtifactKind::kRunResults),
                             .catalog = path_of(ArtifactKind::kCatalog),
                             .sources = path_of(ArtifactKind::kSources)};
    if (paths.manifest.empty()) {
      throw Error(ErrorCode::kNotFound,
                  fmt::format("integration '{}' has no manifest.json yet: upload one first "
                              "(POST /integration/dbt/manifest/ with part manifest_file), then "
                              "the run results again",
                              integration.name));
    }
    for (const auto& [kind, path] : used) {
      runs_.AppendLog(run.id, "info",
                      fmt::format("{}: {}", ArtifactFileName(kind),
                                  path.parent_path() == run_dir ? "uploaded for this run"
                                                                : "from the last good run"));
    }
    auto source = connectors::dbt::MakeDbtSource(paths, settings.service, settings.include_tags);
    RunLog log(runs_, run.id);
    std::unique_ptr<catalog::Store> store = catalog::OpenStore(options_.db_url);
    IngestReport report = Ingest(*source, *store, log);
    for (const std::string& warning : report.warnings) runs_.AppendLog(run.id, "warning", warning);
    // Only now does the set this run read become the integration's last good one.
    fs::create_directories(current);
    for (ArtifactKind kind : kKinds) {
      fs::path kept = current / ArtifactFileName(kind);
      if (!used.contains(kind)) {
        fs::remove(kept);
      } else if (used[kind].parent_path() == run_dir) {
        MoveFile(used[kind], kept);
      }
    }
    runs_.AppendLog(run.id, "info",
                    fmt::format("applied to service {}: tables +{} ~{} -{}, nodes +{} ~{} -{}, {} "
                                "results added",
                                report.service, report.applied.tables.added,
                                report.applied.tables.updated, report.applied.tables.removed,
                                report.applied.nodes.added, report.applied.nodes.updated,
                                report.applied.nodes.removed, report.applied.runs_added));
    runs_.FinishRun(run.id, kRunSucceeded, CountsJson(report, run.counts_json), "");
  } catch (const Error& e) {
    runs_.AppendLog(run.id, "error", e.what());
    runs_.FinishRun(run.id, kRunFailed, run.counts_json, e.what());
  }
  std::error_code ec;
  fs::remove_all(run_dir, ec);
}

std::vector<HeldArtifact> ExtractionService::HeldArtifacts(const std::string& integration_id) {
  GetIntegration(integration_id);
  std::vector<HeldArtifact> held;
  for (bool staged : {false, true}) {
    fs::path dir = IntegrationDir(integration_id) / (staged ? "staged" : "current");
    for (ArtifactKind kind : kKinds) {
      std::error_code ec;
      fs::path file = dir / ArtifactFileName(kind);
      std::uint64_t bytes = fs::file_size(file, ec);
      if (ec) continue;
      auto modified = fs::last_write_time(file, ec);
      // libstdc++ 12 has no clock_cast; the clocks' offset serves.
      auto system_time = std::chrono::system_clock::now() +
                         std::chrono::duration_cast<std::chrono::system_clock::duration>(
                             modified - fs::file_time_type::clock::now());
      held.push_back(HeldArtifact{.kind = kind,
                                  .staged = staged,
                                  .bytes = bytes,
                                  .modified = FormatUtcTimestamp(system_time)});
    }
  }
  return held;
}

void ExtractionService::CollectMetrics(std::string& out) {
  std::map<std::string, std::int64_t> counts = runs_.CountRunsByStatus();
  out += "# HELP cairn_extraction_runs Extraction runs by status.\n";
  out += "# TYPE cairn_extraction_runs gauge\n";
  for (const char* status : {kRunQueued, kRunRunning, kRunSucceeded, kRunFailed}) {
    out += fmt::format("cairn_extraction_runs{{status=\"{}\"}} {}\n", status, counts[status]);
  }
}

}  // namespace cairn::ingest
