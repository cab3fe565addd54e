#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

// What bucket syncs remember between runs and between processes that share
// the catalog: each sync's listing (artifact keys and ETags, as JSON) keyed
// by its extraction run, and a lease per integration so that one process at
// a time syncs it. Times are Unix seconds. Thread-safe; errors throw
// cairn::Error(kStorage).
namespace cairn::server {

class SyncStateStore {
 public:
  virtual ~SyncStateStore() = default;

  // A sync of `integration_id` began as extraction run `run_id`.
  virtual void RecordSync(std::int64_t run_id, std::string_view integration_id,
                          std::int64_t started_at) = 0;
  virtual void RecordListing(std::int64_t run_id, std::string_view listing_json) = 0;
  // The listing of the newest sync whose run succeeded; nullopt when none did.
  virtual std::optional<std::string> LastSuccessfulListing(std::string_view integration_id) = 0;
  // When the newest sync began, whatever its outcome; nullopt when never.
  virtual std::optional<std::int64_t> LastSyncStarted(std::string_view integration_id) = 0;
  // How many syncs have failed since the newest one that succeeded (all of
  // them when none did): the scheduler retries those sooner.
  virtual int FailuresSinceLastSuccess(std::string_view integration_id) = 0;

  // Takes or renews the lease of `integration_id` for `holder` until
  // `expires_at`: true when no one else holds an unexpired one. A renewal
  // is false when the lease was lost meanwhile (the sync must stop).
  virtual bool TryLease(std::string_view integration_id, std::string_view holder, std::int64_t now,
                        std::int64_t expires_at) = 0;
  virtual void ReleaseLease(std::string_view integration_id, std::string_view holder) = 0;
};

// The state in the catalog's SQLite file (migrated by opening the catalog first).
// Leases there are rows that expire.
std::unique_ptr<SyncStateStore> OpenSqliteSyncStateStore(const std::string& path);

// The state in a PostgreSQL database (a postgresql:// URL, migrated first).
// Leases there are advisory locks on a session of the store's own: they
// last until released or until the holding process (or its session) ends,
// whatever `expires_at` says.
std::unique_ptr<SyncStateStore> OpenPostgresSyncStateStore(const std::string& url);

// The state of the server's database `db_url`: PostgreSQL for a
// postgresql:// URL, else the SQLite catalog file (catalog/database_url.h).
std::unique_ptr<SyncStateStore> OpenSyncStateStore(const std::string& db_url);

}  // namespace cairn::server
