#include <mutex>

#include "catalog/sqlite/connection.h"
#include "core/process.h"
#include "ingest/runs/run_store.h"

namespace cairn::ingest {
namespace {

using catalog::sqlite::Connection;
using catalog::sqlite::Statement;
using catalog::sqlite::StatementScope;

constexpr const char* kInsertIntegration =
    "INSERT INTO integrations(id, name, type, settings, created_seq) VALUES (?1, ?2, ?3, ?4, "
    "(SELECT coalesce(max(created_seq), 0) + 1 FROM integrations))";
constexpr const char* kSelectIntegrations =
    "SELECT id, name, type, settings, created_at, updated_at FROM integrations ORDER BY "
    "created_seq, created_at, id";
constexpr const char* kSelectIntegration =
    "SELECT id, name, type, settings, created_at, updated_at FROM integrations WHERE id = ?1";
constexpr const char* kDeleteIntegration = "DELETE FROM integrations WHERE id = ?1";
constexpr const char* kUpdateIntegration =
    "UPDATE integrations SET name = ?2, settings = ?3, "
    "updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?1";

constexpr const char* kInsertRun =
    "INSERT INTO extraction_runs(integration_id, trigger, status, owner) "
    "VALUES (?1, ?2, 'queued', ?3)";
constexpr const char* kMarkRunning =
    "UPDATE extraction_runs SET status = 'running', "
    "started_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?1";
constexpr const char* kFinishRun =
    "UPDATE extraction_runs SET status = ?2, counts = ?3, error = nullif(?4, ''), "
    "finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?1";
constexpr const char* kAppendLog =
    "INSERT INTO extraction_run_log(run_id, level, message) VALUES (?1, ?2, ?3)";
#define CAIRN_RUN_COLUMNS                                                              \
  "SELECT id, integration_id, trigger, status, created_at, coalesce(started_at, ''), " \
  "coalesce(finished_at, ''), counts, coalesce(error, '') FROM extraction_runs "
constexpr const char* kListRuns =
    CAIRN_RUN_COLUMNS "WHERE integration_id = ?1 ORDER BY id DESC LIMIT ?2 OFFSET ?3";
constexpr const char* kSelectRun = CAIRN_RUN_COLUMNS "WHERE id = ?1";
#undef CAIRN_RUN_COLUMNS
constexpr const char* kCountRuns = "SELECT count(*) FROM extraction_runs WHERE integration_id = ?1";
constexpr const char* kSelectLog =
    "SELECT time, level, message FROM extraction_run_log WHERE run_id = ?1 ORDER BY id";
constexpr const char* kUnfinishedRuns =
    "SELECT id, owner FROM extraction_runs WHERE status IN ('queued', 'running')";
constexpr const char* kFailRun =
    "UPDATE extraction_runs SET status = 'failed', error = ?2, "
    "finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
    "WHERE id = ?1 AND status IN ('queued', 'running')";
constexpr const char* kCountByStatus =
    "SELECT status, count(*) FROM extraction_runs GROUP BY status";

Integration IntegrationFromRow(const Statement& row) {
  return Integration{.id = row.String(0),
                     .name = row.String(1),
                     .type = row.String(2),
                     .settings_json = row.String(3),
                     .created_at = row.String(4),
                     .updated_at = row.String(5)};
}

ExtractionRun RunFromRow(const Statement& row) {
  return ExtractionRun{.id = row.Int64(0),
                       .integration_id = row.String(1),
                       .trigger = row.String(2),
                       .status = row.String(3),
                       .created_at = row.String(4),
                       .started_at = row.String(5),
                       .finished_at = row.String(6),
                       .counts_json = row.String(7),
                       .error = row.String(8)};
}

class SqliteRunStore final : public RunStore {
 public:
  SqliteRunStore(const std::string& path, const SecretCipher* cipher) : seal_(cipher), db_(path) {
    db_.Exec("PRAGMA busy_timeout = 300000");  // may wait for an extraction's Apply
  }

  Integration CreateIntegration(const Integration& integration) override {
    std::lock_guard lock(mutex_);
    std::string settings = seal_.Sealed(integration.settings_json);
    db_.Prepare(kInsertIntegration)
        .Bind(1, std::string_view(integration.id))
        .Bind(2, std::string_view(integration.name))
        .Bind(3, std::string_view(integration.type))
        .Bind(4, std::string_view(settings))
        .Exec();
    return *Find(integration.id);
  }

  std::optional<Integration> UpdateIntegration(const Integration& integration) override {
    std::lock_guard lock(mutex_);
    std::string settings = seal_.Sealed(integration.settings_json);
    db_.Prepare(kUpdateIntegration)
        .Bind(1, std::string_view(integration.id))
        .Bind(2, std::string_view(integration.name))
        .Bind(3, std::string_view(settings))
        .Exec();
    if (db_.Changes() == 0) return std::nullopt;
    return Find(integration.id);
  }

  std::vector<Integration> ListIntegrations() override {
    std::lock_guard lock(mutex_);
    std::vector<Integration> integrations;
    StatementScope rows(db_.Prepare(kSelectIntegrations));
    while (rows->Next()) integrations.push_back(seal_.Opened(IntegrationFromRow(*rows)));
    return integrations;
  }

  std::optional<Integration> GetIntegration(std::string_view id) override {
    std::lock_guard lock(mutex_);
    return Find(id);
  }

  bool DeleteIntegration(std::string_view id) override {
    std::lock_guard lock(mutex_);
    db_.Prepare(kDeleteIntegration).Bind(1, id).Exec();
    return db_.Changes() > 0;
  }

  ExtractionRun CreateRun(std::string_view integration_id, std::string_view trigger) override {
    std::lock_guard lock(mutex_);
    db_.Prepare(kInsertRun).Bind(1, integration_id).Bind(2, trigger).Bind(3, owner_).Exec();
    return *ReadRun(db_.LastInsertRowid());
  }

  void MarkRunning(std::int64_t run_id) override {
    std::lock_guard lock(mutex_);
    db_.Prepare(kMarkRunning).Bind(1, run_id).Exec();
  }

  void FinishRun(std::int64_t run_id, std::string_view status, std::string_view counts_json,
                 std::string_view error) override {
    std::lock_guard lock(mutex_);
    db_.Prepare(kFinishRun)
        .Bind(1, run_id)
        .Bind(2, status)
        .Bind(3, counts_json)
        .Bind(4, error)
        .Exec();
  }

  void AppendLog(std::int64_t run_id, std::string_view level, std::string_view message) override {
    std::lock_guard lock(mutex_);
    db_.Prepare(kAppendLog).Bind(1, run_id).Bind(2, level).Bind(3, message).Exec();
  }

  std::vector<ExtractionRun> ListRuns(std::string_view integration_id, int limit, int offset,
                                      std::int64_t& total) override {
    std::lock_guard lock(mutex_);
    {
      StatementScope count(db_.Prepare(kCountRuns));
      count->Bind(1, integration_id);
      total = count->Next() ? count->Int64(0) : 0;
    }
    std::vector<ExtractionRun> runs;
    StatementScope rows(db_.Prepare(kListRuns));
    rows->Bind(1, integration_id).Bind(2, limit).Bind(3, offset);
    while (rows->Next()) runs.push_back(RunFromRow(*rows));
    return runs;
  }

  std::optional<ExtractionRun> GetRun(std::int64_t run_id) override {
    std::lock_guard lock(mutex_);
    std::optional<ExtractionRun> run = ReadRun(run_id);
    if (!run) return run;
    StatementScope rows(db_.Prepare(kSelectLog));
    rows->Bind(1, run_id);
    while (rows->Next()) {
      run->log.push_back(RunLogLine{
          .time = rows->String(0), .level = rows->String(1), .message = rows->String(2)});
    }
    return run;
  }

  int FailUnfinishedRuns(std::string_view error) override {
    std::lock_guard lock(mutex_);
    std::vector<std::int64_t> abandoned;
    {
      StatementScope rows(db_.Prepare(kUnfinishedRuns));
      while (rows->Next()) {
        // Rows from before owners were recorded had one process at a time.
        if (rows->Text(1).empty() || StateOf(rows->Text(1)) == ProcessState::kGone) {
          abandoned.push_back(rows->Int64(0));
        }
      }
    }
    int failed = 0;
    for (std::int64_t id : abandoned) {
      db_.Prepare(kFailRun).Bind(1, id).Bind(2, error).Exec();
      failed += static_cast<int>(db_.Changes());
    }
    return failed;
  }

  std::map<std::string, std::int64_t> CountRunsByStatus() override {
    std::lock_guard lock(mutex_);
    std::map<std::string, std::int64_t> counts;
    StatementScope rows(db_.Prepare(kCountByStatus));
    while (rows->Next()) counts[rows->String(0)] = rows->Int64(1);
    return counts;
  }

 private:
  std::optional<Integration> Find(std::string_view id) {
    StatementScope row(db_.Prepare(kSelectIntegration));
    row->Bind(1, id);
    if (!row->Next()) return std::nullopt;
    return seal_.Opened(IntegrationFromRow(*row));
  }

  std::optional<ExtractionRun> ReadRun(std::int64_t run_id) {
    StatementScope row(db_.Prepare(kSelectRun));
    row->Bind(1, run_id);
    if (!row->Next()) return std::nullopt;
    return RunFromRow(*row);
  }

  const SettingsSeal seal_;
  const std::string owner_ = ThisProcess();  // of the runs this store creates
  std::mutex mutex_;
  Connection db_;
};

}  // namespace

std::unique_ptr<RunStore> OpenSqliteRunStore(const std::string& path, const SecretCipher* cipher) {
  return std::make_unique<SqliteRunStore>(path, cipher);
}

}  // namespace cairn::ingest
