#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/runs/extraction_run.h"

namespace cairn {
class SecretCipher;  // core/secret_cipher.h
}  // namespace cairn

namespace cairn::ingest {

// Where integrations and their extraction runs are recorded. Backend-neutral
// like catalog::Store; thread-safe. Errors throw cairn::Error(kStorage).
class RunStore {
 public:
  virtual ~RunStore() = default;

  virtual Integration CreateIntegration(const Integration& integration) = 0;
  virtual std::vector<Integration> ListIntegrations() = 0;
  virtual std::optional<Integration> GetIntegration(std::string_view id) = 0;
  virtual bool DeleteIntegration(std::string_view id) = 0;
  // Replaces the name and settings of integration.id (its type stays);
  // nullopt when there is none.
  virtual std::optional<Integration> UpdateIntegration(const Integration& integration) = 0;

  // A new run in state queued.
  virtual ExtractionRun CreateRun(std::string_view integration_id, std::string_view trigger) = 0;
  virtual void MarkRunning(std::int64_t run_id) = 0;
  virtual void FinishRun(std::int64_t run_id, std::string_view status, std::string_view counts_json,
                         std::string_view error) = 0;
  virtual void AppendLog(std::int64_t run_id, std::string_view level, std::string_view message) = 0;

  // Newest first; `total` receives the count without paging.
  virtual std::vector<ExtractionRun> ListRuns(std::string_view integration_id, int limit,
                                              int offset, std::int64_t& total) = 0;
  // With its log lines.
  virtual std::optional<ExtractionRun> GetRun(std::int64_t run_id) = 0;

  // Marks the queued and running runs whose process has ended failed with
  // `error`: at start-up, for runs a previous process left unfinished. Runs
  // of processes still running, here or on another host sharing the
  // catalog, are left alone. Returns how many it failed.
  virtual int FailUnfinishedRuns(std::string_view error) = 0;

  virtual std::map<std::string, std::int64_t> CountRunsByStatus() = 0;
};

// The run store in the catalog's SQLite file (migrated by opening the catalog
// first). With a cipher, integrations' settings are sealed in the file (and
// rows written unsealed before are still read); the cipher must outlive it.
// How both backends keep integrations' settings, which hold credentials: sealed
// with the cipher when there is one, as they are when there is none.
class SettingsSeal {
 public:
  explicit SettingsSeal(const SecretCipher* cipher) : cipher_(cipher) {}
  std::string Sealed(const std::string& settings_json) const;
  Integration Opened(Integration integration) const;

 private:
  const SecretCipher* cipher_;
};

std::unique_ptr<RunStore> OpenSqliteRunStore(const std::string& path,
                                             const SecretCipher* cipher = nullptr);

// The same in a PostgreSQL database (a postgresql:// URL), migrating it
// first (catalog/postgres/migrations.h).
std::unique_ptr<RunStore> OpenPostgresRunStore(const std::string& url,
                                               const SecretCipher* cipher = nullptr);

// The run store of the server's database `db_url`: PostgreSQL for a
// postgresql:// URL, else the SQLite catalog file (catalog/database_url.h).
std::unique_ptr<RunStore> OpenRunStore(const std::string& db_url,
                                       const SecretCipher* cipher = nullptr);

}  // namespace cairn::ingest
