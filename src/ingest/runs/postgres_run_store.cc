#include <mutex>

#include "catalog/postgres/connection.h"
#include "catalog/postgres/migrations.h"
#include "core/process.h"
#include "ingest/runs/run_store.h"

namespace cairn::ingest {
namespace {

using catalog::postgres::Connection;
using catalog::postgres::Params;
using catalog::postgres::Rows;

#define CAIRN_INTEGRATION_COLUMNS                                 \
  "SELECT id, name, type, settings, cairn_utc_text(created_at), " \
  "cairn_utc_text(updated_at) FROM integrations "
constexpr const char* kSelectIntegrations = CAIRN_INTEGRATION_COLUMNS "ORDER BY created_at, id";
constexpr const char* kSelectIntegration = CAIRN_INTEGRATION_COLUMNS "WHERE id = $1";
#undef CAIRN_INTEGRATION_COLUMNS
constexpr const char* kInsertIntegration =
    "INSERT INTO integrations(id, name, type, settings) VALUES ($1, $2, $3, $4)";
constexpr const char* kDeleteIntegration = "DELETE FROM integrations WHERE id = $1";
constexpr const char* kUpdateIntegration =
    "UPDATE integrations SET name = $2, settings = $3, updated_at = now() WHERE id = $1";

constexpr const char* kInsertRun =
    "INSERT INTO extraction_runs(integration_id, trigger, status, owner) "
    "VALUES ($1, $2, 'queued', $3) RETURNING id";
constexpr const char* kMarkRunning =
    "UPDATE extraction_runs SET status = 'running', started_at = now() WHERE id = $1";
constexpr const char* kFinishRun =
    "UPDATE extraction_runs SET status = $2, counts = $3, error = nullif($4, ''), "
    "finished_at = now() WHERE id = $1";
constexpr const char* kAppendLog =
    "INSERT INTO extraction_run_log(run_id, level, message) VALUES ($1, $2, $3)";
#define CAIRN_RUN_COLUMNS                                                                 \
  "SELECT id, integration_id, trigger, status, cairn_utc_text(created_at), "              \
  "coalesce(cairn_utc_text(started_at), ''), coalesce(cairn_utc_text(finished_at), ''), " \
  "counts, coalesce(error, '') FROM extraction_runs "
constexpr const char* kListRuns =
    CAIRN_RUN_COLUMNS "WHERE integration_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3";
constexpr const char* kSelectRun = CAIRN_RUN_COLUMNS "WHERE id = $1";
#undef CAIRN_RUN_COLUMNS
constexpr const char* kCountRuns = "SELECT count(*) FROM extraction_runs WHERE integration_id = $1";
constexpr const char* kSelectLog =
    "SELECT cairn_utc_text(time), level, message FROM extraction_run_log WHERE run_id = $1 "
    "ORDER BY id";
constexpr const char* kUnfinishedRuns =
    "SELECT id, owner FROM extraction_runs WHERE status IN ('queued', 'running')";
constexpr const char* kFailRun =
    "UPDATE extraction_runs SET status = 'failed', error = $2, finished_at = now() "
    "WHERE id = $1 AND status IN ('queued', 'running')";
constexpr const char* kCountByStatus =
    "SELECT status, count(*) FROM extraction_runs GROUP BY status";

Integration IntegrationFromRow(const Rows& rows, int row) {
  return Integration{.id = rows.String(row, 0),
                     .name = rows.String(row, 1),
                     .type = rows.String(row, 2),
                     .settings_json = rows.String(row, 3),
                     .created_at = rows.String(row, 4),
                     .updated_at = rows.String(row, 5)};
}

ExtractionRun RunFromRow(const Rows& rows, int row) {
  return ExtractionRun{.id = rows.Int64(row, 0),
                       .integration_id = rows.String(row, 1),
                       .trigger = rows.String(row, 2),
                       .status = rows.String(row, 3),
                       .created_at = rows.String(row, 4),
                       .started_at = rows.String(row, 5),
                       .finished_at = rows.String(row, 6),
                       .counts_json = rows.String(row, 7),
                       .error = rows.String(row, 8)};
}

// Integrations and runs in a PostgreSQL database that several `cairn serve`
// share: each run records the process that owns it, as in SQLite.
class PostgresRunStore final : public RunStore {
 public:
  PostgresRunStore(const std::string& url, const SecretCipher* cipher) : seal_(cipher), db_(url) {
    catalog::postgres::Migrate(db_);
  }

  Integration CreateIntegration(const Integration& integration) override {
    std::lock_guard lock(mutex_);
    db_.Query(kInsertIntegration, Params()
                                      .Add(integration.id)
                                      .Add(integration.name)
                                      .Add(integration.type)
                                      .Add(seal_.Sealed(integration.settings_json)));
    return *Find(integration.id);
  }

  std::optional<Integration> UpdateIntegration(const Integration& integration) override {
    std::lock_guard lock(mutex_);
    Rows updated = db_.Query(kUpdateIntegration, Params()
                                                     .Add(integration.id)
                                                     .Add(integration.name)
                                                     .Add(seal_.Sealed(integration.settings_json)));
    if (updated.Affected() == 0) return std::nullopt;
    return Find(integration.id);
  }

  std::vector<Integration> ListIntegrations() override {
    std::lock_guard lock(mutex_);
    Rows rows = db_.Query(kSelectIntegrations);
    std::vector<Integration> integrations;
    integrations.reserve(static_cast<std::size_t>(rows.size()));
    for (int row = 0; row < rows.size(); ++row) {
      integrations.push_back(seal_.Opened(IntegrationFromRow(rows, row)));
    }
    return integrations;
  }

  std::optional<Integration> GetIntegration(std::string_view id) override {
    std::lock_guard lock(mutex_);
    return Find(id);
  }

  bool DeleteIntegration(std::string_view id) override {
    std::lock_guard lock(mutex_);
    return db_.Query(kDeleteIntegration, Params().Add(id)).Affected() > 0;
  }

  ExtractionRun CreateRun(std::string_view integration_id, std::string_view trigger) override {
    std::lock_guard lock(mutex_);
    std::int64_t id =
        db_.Query(kInsertRun, Params().Add(integration_id).Add(trigger).Add(owner_)).Int64(0, 0);
    return *ReadRun(id);
  }

  void MarkRunning(std::int64_t run_id) override {
    std::lock_guard lock(mutex_);
    db_.Query(kMarkRunning, Params().Add(run_id));
  }

  void FinishRun(std::int64_t run_id, std::string_view status, std::string_view counts_json,
                 std::string_view error) override {
    std::lock_guard lock(mutex_);
    db_.Query(kFinishRun, Params().Add(run_id).Add(status).Add(counts_json).Add(error));
  }

  void AppendLog(std::int64_t run_id, std::string_view level, std::string_view message) override {
    std::lock_guard lock(mutex_);
    db_.Query(kAppendLog, Params().Add(run_id).Add(level).Add(message));
  }

  std::vector<ExtractionRun> ListRuns(std::string_view integration_id, int limit, int offset,
                                      std::int64_t& total) override {
    std::lock_guard lock(mutex_);
    total = db_.Query(kCountRuns, Params().Add(integration_id)).Int64(0, 0);
    Rows rows = db_.Query(kListRuns, Params().Add(integration_id).Add(limit).Add(offset));
    std::vector<ExtractionRun> runs;
    runs.reserve(static_cast<std::size_t>(rows.size()));
    for (int row = 0; row < rows.size(); ++row) runs.push_back(RunFromRow(rows, row));
    return runs;
  }

  std::optional<ExtractionRun> GetRun(std::int64_t run_id) override {
    std::lock_guard lock(mutex_);
    std::optional<ExtractionRun> run = ReadRun(run_id);
    if (!run) return run;
    Rows rows = db_.Query(kSelectLog, Params().Add(run_id));
    run->log.reserve(static_cast<std::size_t>(rows.size()));
    for (int row = 0; row < rows.size(); ++row) {
      run->log.push_back(RunLogLine{.time = rows.String(row, 0),
                                    .level = rows.String(row, 1),
                                    .message = rows.String(row, 2)});
    }
    return run;
  }

  int FailUnfinishedRuns(std::string_view error) override {
    std::lock_guard lock(mutex_);
    Rows rows = db_.Query(kUnfinishedRuns);
    int failed = 0;
    for (int row = 0; row < rows.size(); ++row) {
      // Another host's owner is kUnknown: left to that host's next start.
      if (StateOf(rows.Text(row, 1)) != ProcessState::kGone) continue;
      failed += static_cast<int>(
          db_.Query(kFailRun, Params().Add(rows.Int64(row, 0)).Add(error)).Affected());
    }
    return failed;
  }

  std::map<std::string, std::int64_t> CountRunsByStatus() override {
    std::lock_guard lock(mutex_);
    Rows rows = db_.Query(kCountByStatus);
    std::map<std::string, std::int64_t> counts;
    for (int row = 0; row < rows.size(); ++row) counts[rows.String(row, 0)] = rows.Int64(row, 1);
    return counts;
  }

 private:
  std::optional<Integration> Find(std::string_view id) {
    Rows rows = db_.Query(kSelectIntegration, Params().Add(id));
    if (rows.empty()) return std::nullopt;
    return seal_.Opened(IntegrationFromRow(rows, 0));
  }

  std::optional<ExtractionRun> ReadRun(std::int64_t run_id) {
    Rows rows = db_.Query(kSelectRun, Params().Add(run_id));
    if (rows.empty()) return std::nullopt;
    return RunFromRow(rows, 0);
  }

  const SettingsSeal seal_;
  const std::string owner_ = ThisProcess();  // of the runs this store creates
  std::mutex mutex_;
  Connection db_;
};

}  // namespace

std::unique_ptr<RunStore> OpenPostgresRunStore(const std::string& url, const SecretCipher* cipher) {
  return std::make_unique<PostgresRunStore>(url, cipher);
}

}  // namespace cairn::ingest
