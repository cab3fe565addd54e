#include "server/sync/sync_scheduler.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <random>

#include "core/error.h"
#include "server/sync/bucket_sync.h"

namespace cairn::server {
namespace {

using Clock = std::chrono::system_clock;
using ingest::ExtractionRun;

const char* ScheduledTrigger(const SyncSettings& settings) {
  return std::holds_alternative<ingest::BucketSettings>(settings) ? "bucket_sync:scheduled"
                                                                  : "dbt_cloud_sync:scheduled";
}

std::chrono::seconds IntervalOf(const SyncSettings& settings) {
  return std::visit([](const auto& source) { return source.sync_interval; }, settings);
}
// How often a sync waiting for its extraction looks up, to notice Stop().
constexpr std::chrono::seconds kWaitSlice{1};

std::int64_t UnixSeconds(Clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

// Names this process in the leases: readable for whoever inspects the table,
// unique even across restarts of the same PID.
std::string LeaseHolder() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  std::uint32_t nonce = std::random_device{}();
  return fmt::format("{}:{}:{:08x}", host, ::getpid(), nonce);
}

bool Finished(const ExtractionRun& run) {
  return run.status == ingest::kRunSucceeded || run.status == ingest::kRunFailed;
}

}  // namespace

std::optional<SyncSettings> SyncSettingsOf(const ingest::Integration& integration) {
  if (integration.type == ingest::kDbtCloudIntegration) {
    if (auto cloud = ingest::DbtCloudSettingsOf(integration.settings_json)) return *cloud;
    return std::nullopt;
  }
  if (auto bucket = ingest::BucketSettingsOf(integration.settings_json)) return *bucket;
  return std::nullopt;
}

Clock::time_point NextSyncDue(std::optional<std::int64_t> last_started,
                              std::chrono::seconds interval, int failures, Clock::time_point now) {
  if (!last_started) return now;
  std::chrono::seconds wait = interval;
  if (failures > 0) {
    // 2^20 minutes is two years, past the longest interval allowed.
    wait = std::min(interval, kSyncRetryBase * (std::int64_t{1} << std::min(failures - 1, 20)));
  }
  return Clock::time_point(std::chrono::seconds(*last_started) + wait);
}

SyncScheduler::SyncScheduler(ingest::ExtractionService& extraction, SyncStateStore& state,
                             SyncSchedulerOptions options)
    : extraction_(extraction),
      state_(state),
      options_(std::move(options)),
      http_(options_.http),
      holder_(LeaseHolder()) {
  options_.workers = std::max(options_.workers, 1);
}

SyncScheduler::~SyncScheduler() {
  Stop();
}

void SyncScheduler::Start() {
  scheduler_ = std::thread([this] { Schedule(); });
  for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { Work(); });
}

void SyncScheduler::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (scheduler_.joinable()) scheduler_.join();
  for (std::thread& worker : workers_) worker.join();
  workers_.clear();
  std::lock_guard lock(mutex_);
  for (const Job& job : jobs_) {
    constexpr const char* kInterrupted = "interrupted: Cairn stopped before this sync began";
    extraction_.runs().AppendLog(job.run.id, "error", kInterrupted);
    extraction_.runs().FinishRun(job.run.id, ingest::kRunFailed, "{}", kInterrupted);
    state_.ReleaseLease(job.run.integration_id, holder_);
    active_.erase(job.run.integration_id);
  }
  jobs_.clear();
}

void SyncScheduler::Wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  changed_.notify_all();
}

ExtractionRun SyncScheduler::SyncNow(const std::string& integration_id,
                                     const std::string& trigger) {
  std::unique_lock lock(mutex_);
  return Begin(integration_id, trigger, /*scheduled=*/false, lock);
}

ExtractionRun SyncScheduler::Begin(const std::string& integration_id, const std::string& trigger,
                                   bool scheduled, std::unique_lock<std::mutex>& lock) {
  if (stopping_) throw Error(ErrorCode::kInternal, "Cairn is shutting down; try again shortly");
  if (auto it = active_.find(integration_id); it != active_.end()) {
    std::optional<ExtractionRun> run = extraction_.runs().GetRun(it->second);
    if (run && !Finished(*run)) return *run;
    // Its run has finished and its worker is releasing the lease: this sync
    // is a new one, after that.
    changed_.wait(lock, [&] { return stopping_ || !active_.contains(integration_id); });
    if (stopping_) throw Error(ErrorCode::kInternal, "Cairn is shutting down; try again shortly");
  }
  ingest::Integration integration = extraction_.GetIntegration(integration_id);
  std::optional<SyncSettings> settings = SyncSettingsOf(integration);
  if (!settings) {
    throw Error(ErrorCode::kInvalidArgument,
                fmt::format("integration '{}' has nothing to sync from (settings.bucket, or a "
                            "dbt_cloud integration's jobs)",
                            integration.name));
  }
  std::int64_t now = UnixSeconds(Clock::now());
  if (!state_.TryLease(integration_id, holder_, now, now + options_.lease_ttl.count())) {
    throw Error(ErrorCode::kInconsistent,
                fmt::format("another Cairn process is syncing integration '{}'; try again when "
                            "its run has finished",
                            integration.name));
  }
  // Another process may have run the due sync between this one's look at
  // the state and the lease: a scheduled sync is begun only while still due,
  // so that each falls to one process.
  if (Clock::time_point leased = Clock::now();
      scheduled && DueAt(integration_id, *settings, leased) > leased) {
    state_.ReleaseLease(integration_id, holder_);
    throw Error(
        ErrorCode::kInconsistent,
        fmt::format("another Cairn process has just synced integration '{}'", integration.name));
  }
  ExtractionRun run;
  try {
    run = extraction_.OpenRun(integration_id, trigger);
    state_.RecordSync(run.id, integration_id, now);
  } catch (...) {
    state_.ReleaseLease(integration_id, holder_);
    throw;
  }
  active_[integration_id] = run.id;
  jobs_.push_back(Job{.run = run, .settings = std::move(*settings)});
  lock.unlock();
  changed_.notify_all();
  lock.lock();
  return run;
}

ExtractionRun SyncScheduler::Wait(std::int64_t run_id, std::chrono::seconds timeout) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] {
    return std::none_of(active_.begin(), active_.end(),
                        [&](const auto& entry) { return entry.second == run_id; });
  });
  lock.unlock();
  std::optional<ExtractionRun> run = extraction_.runs().GetRun(run_id);
  if (!run) throw Error(ErrorCode::kNotFound, fmt::format("no extraction run {}", run_id));
  // A queued extraction finishes on the extraction service's workers.
  return Finished(*run) ? *run : extraction_.Wait(run_id, timeout);
}

void SyncScheduler::Schedule() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    Clock::time_point next = Clock::now() + options_.idle_wake;
    try {
      next = SyncDueSyncs();
    } catch (const std::exception& e) {
      spdlog::error("sync scheduler: {}", e.what());
    }
    lock.lock();
    changed_.wait_until(lock, next, [&] { return stopping_ || woken_; });
    woken_ = false;
  }
}

Clock::time_point SyncScheduler::DueAt(const std::string& integration_id,
                                       const SyncSettings& settings, Clock::time_point now) {
  return NextSyncDue(state_.LastSyncStarted(integration_id), IntervalOf(settings),
                     state_.FailuresSinceLastSuccess(integration_id), now);
}

// Begins the syncs that are due; returns when the next one will be.
Clock::time_point SyncScheduler::SyncDueSyncs() {
  Clock::time_point now = Clock::now();
  Clock::time_point next = now + options_.idle_wake;
  for (const ingest::Integration& integration : extraction_.runs().ListIntegrations()) {
    std::optional<SyncSettings> settings;
    try {
      settings = SyncSettingsOf(integration);
    } catch (const Error&) {
      continue;  // validated when saved; a hand-edited row is not the scheduler's to fix
    }
    if (!settings) continue;
    if (Clock::time_point due = DueAt(integration.id, *settings, now); due > now) {
      next = std::min(next, due);
      continue;
    }
    std::unique_lock lock(mutex_);
    if (stopping_ || active_.contains(integration.id)) continue;
    try {
      Begin(integration.id, ScheduledTrigger(*settings), /*scheduled=*/true, lock);
    } catch (const Error& e) {
      spdlog::info("scheduled sync of integration '{}' not begun: {}", integration.name, e.what());
    }
  }
  return next;
}

void SyncScheduler::Work() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    RunJob(job);
    {
      std::lock_guard lock(mutex_);
      active_.erase(job.run.integration_id);
    }
    changed_.notify_all();
  }
}

void SyncScheduler::RunJob(const Job& job) {
  const std::string& integration_id = job.run.integration_id;
  try {
    std::function<void()> keep_alive = [&] {
      if (!RenewLease(integration_id)) {
        throw Error(ErrorCode::kInconsistent,
                    "this sync's lease expired and another Cairn process took it over");
      }
    };
    if (Sync(job, keep_alive)) WaitForExtraction(job);
  } catch (const std::exception& e) {
    // Only bookkeeping can get here (SyncBucket records the bucket's failures).
    spdlog::error("bucket sync run {}: {}", job.run.id, e.what());
  }
  try {
    state_.ReleaseLease(integration_id, holder_);
  } catch (const std::exception& e) {
    spdlog::warn("bucket sync run {}: the lease is left to expire: {}", job.run.id, e.what());
  }
}

bool SyncScheduler::Sync(const Job& job, const std::function<void()>& keep_alive) {
  if (const auto* bucket = std::get_if<ingest::BucketSettings>(&job.settings)) {
    return SyncBucket(extraction_, state_, http_, job.run, *bucket, keep_alive);
  }
  return SyncDbtCloud(extraction_, state_, options_.dbt_cloud_credentials, job.run,
                      std::get<ingest::DbtCloudSyncSettings>(job.settings), keep_alive);
}

// Holds the lease until the extraction has finished, so that no other
// process syncs the integration meanwhile (it would compare with a listing
// that has not succeeded yet, and download everything again).
void SyncScheduler::WaitForExtraction(const Job& job) {
  auto renewed = std::chrono::steady_clock::now();
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;  // the extraction service drains it
    }
    if (Finished(extraction_.Wait(job.run.id, kWaitSlice))) return;
    if (std::chrono::steady_clock::now() - renewed > options_.lease_ttl / 3) {
      RenewLease(job.run.integration_id);
      renewed = std::chrono::steady_clock::now();
    }
  }
}

bool SyncScheduler::RenewLease(const std::string& integration_id) {
  std::int64_t now = UnixSeconds(Clock::now());
  return state_.TryLease(integration_id, holder_, now, now + options_.lease_ttl.count());
}

}  // namespace cairn::server
