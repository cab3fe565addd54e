#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "ingest/runs/extraction_run.h"
#include "ingest/runs/run_store.h"

namespace cairn::ingest {

enum class ArtifactKind { kManifest, kRunResults, kCatalog, kSources };

// "manifest" -> kManifest, ... ; nullopt for anything else.
std::optional<ArtifactKind> ArtifactKindNamed(std::string_view name);
const char* ArtifactKindName(ArtifactKind kind);  // "manifest", "run_results", ...
const char* ArtifactFileName(ArtifactKind kind);  // "manifest.json", ...

using ArtifactFiles = std::map<ArtifactKind, std::filesystem::path>;

// An artifact an integration holds: the last one a successful run read
// (stashed), or one uploaded for the next run (staged).
struct HeldArtifact {
  ArtifactKind kind;
  bool staged = false;
  std::uint64_t bytes = 0;
  std::string modified;  // ISO-8601 UTC
};

struct ExtractionOptions {
  std::string db_url;              // the catalog the runs write to
  std::filesystem::path data_dir;  // artifacts: integrations/<id>/{current,staged}, runs/<id>
  int workers = 2;
};

// Runs extractions of integrations into the catalog. Runs of one
// integration happen strictly one at a time in the order they were started;
// different integrations run side by side on `workers` threads, each with
// its own catalog::Store. A run reads the artifacts it was started with,
// taking the integration's last good ones for the kinds it lacks; only when
// it succeeds do its artifacts replace those, so a bad upload never spoils
// the next run. Every run applies in one transaction (Store::Apply): a
// failed or killed run leaves the catalog as it was. Thread-safe.
class ExtractionService {
 public:
  ExtractionService(RunStore& runs, ExtractionOptions options);
  ~ExtractionService();
  ExtractionService(const ExtractionService&) = delete;
  ExtractionService& operator=(const ExtractionService&) = delete;

  // Takes the data directory (kIo when another process holds it: each
  // `cairn serve` needs its own), marks runs a dead process left queued or
  // running as failed, clears their files, and starts the workers.
  void Start();
  // Refuses new runs, lets queued and running ones finish, joins the workers.
  void Drain();

  // Validates type ("dbt_core") and settings, generating the external id of
  // a bucket assumed by role; throws kInvalidArgument.
  Integration CreateIntegration(const std::string& name, const std::string& type,
                                const std::string& settings_json);
  // Removes the integration and its artifacts; false when there is none.
  bool DeleteIntegration(const std::string& integration_id);
  // Renames it (a non-empty `name`) and/or applies `settings_patch` (a JSON
  // merge patch; see PatchedSettings), validated as on create; kNotFound,
  // kInvalidArgument naming the field. Runs already started keep the
  // settings they began with.
  Integration UpdateIntegration(const std::string& integration_id, const std::string& name,
                                const std::optional<std::string>& settings_patch);
  // The integration, or cairn::Error(kNotFound).
  Integration GetIntegration(const std::string& integration_id);

  // Moves `files` into the integration's staging area for its next run,
  // replacing staged files of the same kinds.
  void Stage(const std::string& integration_id, const ArtifactFiles& files);
  // Queues a run with everything staged plus `files` (moved in); returns it.
  ExtractionRun StartRun(const std::string& integration_id, const std::string& trigger,
                         ArtifactFiles files = {});
  // StartRun in two steps, for a bucket sync whose run must exist (and
  // record its failures) before its files are downloaded: OpenRun records a
  // queued run that no worker takes yet; QueueRun hands it to the workers
  // with `files` (moved in) and the staged ones, after the runs queued
  // before it. `run.counts_json` is kept in the run's counts (a sync's
  // requests).
  ExtractionRun OpenRun(const std::string& integration_id, const std::string& trigger);
  ExtractionRun QueueRun(ExtractionRun run, ArtifactFiles files);
  // Blocks until the run has finished or `timeout` passed; its record then.
  ExtractionRun Wait(std::int64_t run_id, std::chrono::seconds timeout);

  std::vector<HeldArtifact> HeldArtifacts(const std::string& integration_id);

  // Appends cairn_extraction_runs{status="..."} gauges (Prometheus text).
  void CollectMetrics(std::string& out);

  RunStore& runs() { return runs_; }
  // Where the HTTP server should put upload temp files: the same file
  // system as the artifacts, so moving them is a rename.
  std::filesystem::path upload_dir() const { return options_.data_dir / "uploads"; }

 private:
  ExtractionRun OpenLocked(const std::string& integration_id, const std::string& trigger);
  void QueueLocked(const ExtractionRun& run, ArtifactFiles files);
  void LockDataDir();
  void Work();
  void Execute(const ExtractionRun& run);
  std::filesystem::path IntegrationDir(const std::string& integration_id) const;
  std::filesystem::path RunDir(std::int64_t run_id) const;

  RunStore& runs_;
  ExtractionOptions options_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool draining_ = false;
  std::map<std::string, std::deque<ExtractionRun>> queued_;  // by integration
  std::set<std::string> busy_;                               // integrations with a running run
  std::set<std::int64_t> unfinished_;                        // queued or running run ids
  std::vector<std::thread> workers_;
  int data_dir_lock_ = -1;  // flock on data_dir/.lock while started
};

}  // namespace cairn::ingest
