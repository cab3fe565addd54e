#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "cloud/http_client.h"
#include "ingest/runs/bucket_settings.h"
#include "ingest/runs/dbt_cloud_settings.h"
#include "ingest/runs/extraction_service.h"
#include "server/sync/dbt_cloud_sync.h"
#include "server/sync/sync_state_store.h"

namespace cairn::server {

struct SyncSchedulerOptions {
  cloud::HttpClientOptions http;
  // How long a sync's lease lasts without renewal: a killed process blocks
  // its integrations' syncs for at most this long.
  std::chrono::seconds lease_ttl{600};
  // The longest the scheduler sleeps between looks at the integrations (it
  // also wakes when one is created): syncs other processes record and
  // integrations they create are noticed within this.
  std::chrono::seconds idle_wake{60};
  int workers = 2;
  // Opens the credential blocks dbt_cloud integrations name; without it
  // their syncs fail saying so.
  DbtCloudCredentialsLookup dbt_cloud_credentials;
};

// What a synced integration syncs from: its bucket (dbt_core with
// settings.bucket) or its dbt Cloud jobs (dbt_cloud).
using SyncSettings = std::variant<ingest::BucketSettings, ingest::DbtCloudSyncSettings>;

// nullopt for an integration that only takes uploads. Throws
// kInvalidArgument for settings that do not parse.
std::optional<SyncSettings> SyncSettingsOf(const ingest::Integration& integration);

// Syncs each bucket and dbt_cloud integration when its interval has passed since its last
// sync began (a new integration at once), and on demand. One sync of an
// integration at a time: in this process by the set of active syncs, across
// processes sharing the catalog by a lease in SyncStateStore held from the
// LIST until the sync's extraction run has finished. Syncs run on `workers`
// threads; the extraction itself on the ExtractionService's. Thread-safe;
// `extraction` and `state` must outlive it, and Stop() must come before
// ExtractionService::Drain().
class SyncScheduler {
 public:
  SyncScheduler(ingest::ExtractionService& extraction, SyncStateStore& state,
                SyncSchedulerOptions options = {});
  ~SyncScheduler();
  SyncScheduler(const SyncScheduler&) = delete;
  SyncScheduler& operator=(const SyncScheduler&) = delete;

  void Start();
  // No new syncs; syncs in progress finish the request they are in and
  // release their leases; syncs not yet begun fail as interrupted.
  void Stop();

  // Begins a sync of the integration now and returns its run, or the run of
  // the sync already under way (unfinished). kNotFound for no integration,
  // kInvalidArgument when it has nothing to sync from (no bucket, not
  // dbt_cloud), kInconsistent when another process holds its lease.
  ingest::ExtractionRun SyncNow(const std::string& integration_id, const std::string& trigger);
  // Blocks until the sync of `run_id` (and its extraction) has finished or
  // `timeout` passed; the run's record then.
  ingest::ExtractionRun Wait(std::int64_t run_id, std::chrono::seconds timeout);
  // Looks at the integrations again now (one was created or changed).
  void Wake();

  const cloud::HttpClient& http() const { return http_; }
  const DbtCloudCredentialsLookup& dbt_cloud_credentials() const {
    return options_.dbt_cloud_credentials;
  }

 private:
  struct Job {
    ingest::ExtractionRun run;
    SyncSettings settings;
  };

  // `scheduled`: begun by the schedule, so refused once no longer due.
  ingest::ExtractionRun Begin(const std::string& integration_id, const std::string& trigger,
                              bool scheduled, std::unique_lock<std::mutex>& lock);
  // When the integration's next sync is due, by the shared state.
  std::chrono::system_clock::time_point DueAt(const std::string& integration_id,
                                              const SyncSettings& settings,
                                              std::chrono::system_clock::time_point now);
  void Schedule();
  std::chrono::system_clock::time_point SyncDueSyncs();
  void Work();
  void RunJob(const Job& job);
  bool Sync(const Job& job, const std::function<void()>& keep_alive);
  void WaitForExtraction(const Job& job);
  bool RenewLease(const std::string& integration_id);

  ingest::ExtractionService& extraction_;
  SyncStateStore& state_;
  SyncSchedulerOptions options_;
  cloud::HttpClient http_;
  std::string holder_;  // this process in the leases

  std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  bool woken_ = false;
  std::deque<Job> jobs_;
  std::map<std::string, std::int64_t> active_;  // integration -> run of its sync
  std::thread scheduler_;
  std::vector<std::thread> workers_;
};

// When an integration syncing every `interval` is next due, given when its
// last sync began (nullopt: never, so now) and how many syncs have failed
// since one last succeeded: after a failure the next try comes after
// kSyncRetryBase, doubling with each further failure, never later than the
// interval — a bucket that was briefly unreachable need not wait a day.
inline constexpr std::chrono::seconds kSyncRetryBase{60};
std::chrono::system_clock::time_point NextSyncDue(std::optional<std::int64_t> last_started,
                                                  std::chrono::seconds interval, int failures,
                                                  std::chrono::system_clock::time_point now);

}  // namespace cairn::server
