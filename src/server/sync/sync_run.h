#pragma once

#include <functional>
#include <string>
#include <utility>

#include "ingest/runs/extraction_service.h"
#include "server/sync/sync_state_store.h"

namespace cairn::server {

// What every kind of sync (a bucket, dbt Cloud jobs) shares around its own
// work: the extraction run it records itself in, marked running first and
// failed with the reason when the work throws, and the state it compares
// with. One object per sync, used from one thread.
class SyncRun {
 public:
  virtual ~SyncRun() = default;
  SyncRun(const SyncRun&) = delete;
  SyncRun& operator=(const SyncRun&) = delete;

  // Runs Fetch(); returns whether the run was queued for extraction.
  bool Execute() {
    runs_.MarkRunning(run_.id);
    try {
      return Fetch();
    } catch (const std::exception& e) {
      runs_.AppendLog(run_.id, "error", e.what());
      runs_.FinishRun(run_.id, ingest::kRunFailed, FailedCounts(), e.what());
      return false;
    }
  }

 protected:
  SyncRun(ingest::ExtractionService& extraction, SyncStateStore& state, ingest::ExtractionRun run,
          const std::function<void()>& keep_alive)
      : extraction_(extraction),
        runs_(extraction.runs()),
        state_(state),
        run_(std::move(run)),
        keep_alive_(keep_alive) {}

  // Finds what changed and either finishes the run (nothing did) or queues
  // it with the downloads; throws for the source's failures.
  virtual bool Fetch() = 0;
  // The run's counts JSON when Fetch threw.
  virtual std::string FailedCounts() const = 0;

  void Log(const char* level, const std::string& message) {
    runs_.AppendLog(run_.id, level, message);
  }

  ingest::ExtractionService& extraction_;
  ingest::RunStore& runs_;
  SyncStateStore& state_;
  ingest::ExtractionRun run_;
  const std::function<void()>& keep_alive_;
};

}  // namespace cairn::server
