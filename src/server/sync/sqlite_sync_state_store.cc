#include <mutex>

#include "catalog/sqlite/connection.h"
#include "server/sync/sync_state_store.h"

namespace cairn::server {
namespace {

using catalog::sqlite::Connection;
using catalog::sqlite::StatementScope;

constexpr const char* kInsertSync =
    "INSERT INTO bucket_syncs(run_id, integration_id, started_at) VALUES (?1, ?2, ?3)";
constexpr const char* kUpdateListing = "UPDATE bucket_syncs SET listing = ?2 WHERE run_id = ?1";
constexpr const char* kLastSuccessfulListing =
    "SELECT s.listing FROM bucket_syncs s JOIN extraction_runs r ON r.id = s.run_id "
    "WHERE s.integration_id = ?1 AND r.status = 'succeeded' ORDER BY s.run_id DESC LIMIT 1";
constexpr const char* kLastSyncStarted =
    "SELECT max(started_at) FROM bucket_syncs WHERE integration_id = ?1";
constexpr const char* kFailuresSinceLastSuccess = R"sql(
SELECT count(*) FROM bucket_syncs s JOIN extraction_runs r ON r.id = s.run_id
WHERE s.integration_id = ?1 AND r.status = 'failed'
  AND s.run_id > coalesce((SELECT max(ok.run_id) FROM bucket_syncs ok
                           JOIN extraction_runs okr ON okr.id = ok.run_id
                           WHERE ok.integration_id = ?1 AND okr.status = 'succeeded'), 0)
)sql";
// The conditional upsert is the whole lock: of two processes racing, SQLite's
// write lock lets one update the row; the other then sees it unexpired and
// changes nothing.
constexpr const char* kTakeLease =
    "INSERT INTO bucket_sync_leases(integration_id, holder, expires_at) VALUES (?1, ?2, ?4) "
    "ON CONFLICT(integration_id) DO UPDATE SET holder = excluded.holder, "
    "expires_at = excluded.expires_at "
    "WHERE bucket_sync_leases.expires_at <= ?3 OR bucket_sync_leases.holder = excluded.holder";
constexpr const char* kReleaseLease =
    "DELETE FROM bucket_sync_leases WHERE integration_id = ?1 AND holder = ?2";

class SqliteSyncStateStore final : public SyncStateStore {
 public:
  explicit SqliteSyncStateStore(const std::string& path) : db_(path) {
    db_.Exec("PRAGMA busy_timeout = 300000");  // may wait for an extraction's Apply
  }

  void RecordSync(std::int64_t run_id, std::string_view integration_id,
                  std::int64_t started_at) override {
    std::lock_guard lock(mutex_);
    db_.Prepare(kInsertSync).Bind(1, run_id).Bind(2, integration_id).Bind(3, started_at).Exec();
  }

  void RecordListing(std::int64_t run_id, std::string_view listing_json) override {
    std::lock_guard lock(mutex_);
    db_.Prepare(kUpdateListing).Bind(1, run_id).Bind(2, listing_json).Exec();
  }

  std::optional<std::string> LastSuccessfulListing(std::string_view integration_id) override {
    std::lock_guard lock(mutex_);
    StatementScope row(db_.Prepare(kLastSuccessfulListing));
    row->Bind(1, integration_id);
    if (!row->Next()) return std::nullopt;
    return row->String(0);
  }

  std::optional<std::int64_t> LastSyncStarted(std::string_view integration_id) override {
    std::lock_guard lock(mutex_);
    StatementScope row(db_.Prepare(kLastSyncStarted));
    row->Bind(1, integration_id);
    if (!row->Next()) return std::nullopt;
    return row->OptionalInt64(0);
  }

  int FailuresSinceLastSuccess(std::string_view integration_id) override {
    std::lock_guard lock(mutex_);
    StatementScope row(db_.Prepare(kFailuresSinceLastSuccess));
    row->Bind(1, integration_id);
    return row->Next() ? static_cast<int>(row->Int64(0)) : 0;
  }

  bool TryLease(std::string_view integration_id, std::string_view holder, std::int64_t now,
                std::int64_t expires_at) override {
    std::lock_guard lock(mutex_);
    db_.Prepare(kTakeLease)
        .Bind(1, integration_id)
        .Bind(2, holder)
        .Bind(3, now)
        .Bind(4, expires_at)
        .Exec();
    return db_.Changes() > 0;
  }

  void ReleaseLease(std::string_view integration_id, std::string_view holder) override {
    std::lock_guard lock(mutex_);
    db_.Prepare(kReleaseLease).Bind(1, integration_id).Bind(2, holder).Exec();
  }

 private:
  std::mutex mutex_;
  Connection db_;
};

}  // namespace

std::unique_ptr<SyncStateStore> OpenSqliteSyncStateStore(const std::string& path) {
  return std::make_unique<SqliteSyncStateStore>(path);
}

}  // namespace cairn::server
