#include <map>
#include <mutex>

#include "catalog/postgres/connection.h"
#include "catalog/postgres/migrations.h"
#include "core/error.h"
#include "server/sync/sync_state_store.h"

namespace cairn::server {
namespace {

using catalog::postgres::Connection;
using catalog::postgres::Params;
using catalog::postgres::Rows;

constexpr const char* kInsertSync =
    "INSERT INTO bucket_syncs(run_id, integration_id, started_at) VALUES ($1, $2, $3)";
constexpr const char* kUpdateListing = "UPDATE bucket_syncs SET listing = $2 WHERE run_id = $1";
constexpr const char* kLastSuccessfulListing =
    "SELECT s.listing FROM bucket_syncs s JOIN extraction_runs r ON r.id = s.run_id "
    "WHERE s.integration_id = $1 AND r.status = 'succeeded' ORDER BY s.run_id DESC LIMIT 1";
constexpr const char* kLastSyncStarted =
    "SELECT max(started_at) FROM bucket_syncs WHERE integration_id = $1";
constexpr const char* kFailuresSinceLastSuccess = R"sql(
SELECT count(*) FROM bucket_syncs s JOIN extraction_runs r ON r.id = s.run_id
WHERE s.integration_id = $1 AND r.status = 'failed'
  AND s.run_id > coalesce((SELECT max(ok.run_id) FROM bucket_syncs ok
                           JOIN extraction_runs okr ON okr.id = ok.run_id
                           WHERE ok.integration_id = $1 AND okr.status = 'succeeded'), 0)
)sql";

// Leases are session-level advisory locks in two-key form: the first key
// sets Cairn's sync leases apart from other users of advisory locks (the
// migrations' lock is a one-key one), the second is the integration id
// hashed by the server itself, so that every instance computes the same key
// whatever it was built with. Two integrations whose ids collide only sync
// one at a time.
constexpr const char* kTryLock =
    "SELECT pg_try_advisory_lock(1667330670, hashtext($1)), pg_backend_pid()";
constexpr const char* kUnlock = "SELECT pg_advisory_unlock(1667330670, hashtext($1))";
constexpr const char* kBackend = "SELECT pg_backend_pid()";

// Sync state in a PostgreSQL database that several `cairn serve` share. A
// lease is held by this store's own session: it ends when ReleaseLease
// unlocks it or when the session does (the process died, or the server lost
// it), never by expiry, so `expires_at` is not needed. Holders within this
// process are told apart here; the lock is taken once per integration.
class PostgresSyncStateStore final : public SyncStateStore {
 public:
  explicit PostgresSyncStateStore(const std::string& url) : db_(url), lease_db_(url) {
    catalog::postgres::Migrate(db_);
  }

  void RecordSync(std::int64_t run_id, std::string_view integration_id,
                  std::int64_t started_at) override {
    std::lock_guard lock(mutex_);
    db_.Query(kInsertSync, Params().Add(run_id).Add(integration_id).Add(started_at));
  }

  void RecordListing(std::int64_t run_id, std::string_view listing_json) override {
    std::lock_guard lock(mutex_);
    db_.Query(kUpdateListing, Params().Add(run_id).Add(listing_json));
  }

  std::optional<std::string> LastSuccessfulListing(std::string_view integration_id) override {
    std::lock_guard lock(mutex_);
    Rows rows = db_.Query(kLastSuccessfulListing, Params().Add(integration_id));
    if (rows.empty()) return std::nullopt;
    return rows.String(0, 0);
  }

  std::optional<std::int64_t> LastSyncStarted(std::string_view integration_id) override {
    std::lock_guard lock(mutex_);
    return db_.Query(kLastSyncStarted, Params().Add(integration_id)).OptionalInt64(0, 0);
  }

  int FailuresSinceLastSuccess(std::string_view integration_id) override {
    std::lock_guard lock(mutex_);
    return static_cast<int>(
        db_.Query(kFailuresSinceLastSuccess, Params().Add(integration_id)).Int64(0, 0));
  }

  bool TryLease(std::string_view integration_id, std::string_view holder, std::int64_t /*now*/,
                std::int64_t /*expires_at*/) override {
    std::lock_guard lock(lease_mutex_);
    auto held = leases_.find(integration_id);
    if (held != leases_.end()) {
      if (held->second.holder != holder) return false;
      if (SessionIs(held->second.backend)) return true;  // a renewal
      // The session that held the lock has gone, and the lock with it:
      // another instance may be syncing now, so this one must stop.
      leases_.erase(held);
      return false;
    }
    Rows taken = lease_db_.Query(kTryLock, Params().Add(integration_id));
    if (!taken.Bool(0, 0)) return false;
    leases_.emplace(std::string(integration_id),
                    Lease{.holder = std::string(holder), .backend = taken.Int64(0, 1)});
    return true;
  }

  void ReleaseLease(std::string_view integration_id, std::string_view holder) override {
    std::lock_guard lock(lease_mutex_);
    auto held = leases_.find(integration_id);
    if (held == leases_.end() || held->second.holder != holder) return;
    bool same_session = SessionIs(held->second.backend);
    leases_.erase(held);
    if (same_session) lease_db_.Query(kUnlock, Params().Add(integration_id));
  }

 private:
  struct Lease {
    std::string holder;
    std::int64_t backend;  // the server process of the session holding the lock
  };

  // Whether the lease connection is still the session with server process
  // `backend`: libpq re-opens a dropped connection as a new session, which
  // holds none of the old one's locks.
  bool SessionIs(std::int64_t backend) {
    try {
      return lease_db_.Query(kBackend).Int64(0, 0) == backend;
    } catch (const Error&) {
      return false;  // unreachable: the server ends the session, and its locks, too
    }
  }

  std::mutex mutex_;
  Connection db_;
  std::mutex lease_mutex_;
  Connection lease_db_;  // a session of its own, which holds the advisory locks
  std::map<std::string, Lease, std::less<>> leases_;
};

}  // namespace

std::unique_ptr<SyncStateStore> OpenPostgresSyncStateStore(const std::string& url) {
  return std::make_unique<PostgresSyncStateStore>(url);
}

}  // namespace cairn::server
