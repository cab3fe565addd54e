#include <mutex>

#include "auth/credential_store.h"
#include "catalog/sqlite/connection.h"

namespace cairn::auth {
namespace {

using catalog::sqlite::Connection;
using catalog::sqlite::Statement;
using catalog::sqlite::StatementScope;

// A taken name is no error here: CredentialBlocks reports it in words.
constexpr const char* kInsertBlock = R"sql(
INSERT INTO credential_blocks(name, type, account_id, domain, access_url, discovery_url,
                              sealed_api_key)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
ON CONFLICT(name) DO NOTHING
)sql";
#define CAIRN_BLOCK_COLUMNS                                                            \
  "SELECT name, type, account_id, domain, access_url, discovery_url, sealed_api_key, " \
  "created_at, updated_at FROM credential_blocks "
constexpr const char* kSelectBlock = CAIRN_BLOCK_COLUMNS "WHERE name = ?1";
constexpr const char* kListBlocks = CAIRN_BLOCK_COLUMNS "ORDER BY name";
#undef CAIRN_BLOCK_COLUMNS
constexpr const char* kDeleteBlock = "DELETE FROM credential_blocks WHERE name = ?1";

class SqliteCredentialStore final : public CredentialStore {
 public:
  explicit SqliteCredentialStore(const std::string& path) : db_(path) {
    db_.Exec("PRAGMA busy_timeout = 300000");  // may wait for an extraction's Apply
  }

  bool Insert(const CredentialRecord& record) override {
    std::lock_guard lock(mutex_);
    const cloud::DbtCloudCredentials& fields = record.fields;
    db_.Prepare(kInsertBlock)
        .Bind(1, std::string_view(record.name))
        .Bind(2, std::string_view(record.type))
        .Bind(3, std::string_view(fields.account_id))
        .Bind(4, std::string_view(fields.domain))
        .Bind(5, std::string_view(fields.access_url))
        .Bind(6, std::string_view(fields.discovery_url))
        .Bind(7, std::string_view(fields.api_key))
        .Exec();
    return db_.Changes() > 0;
  }

  std::vector<CredentialRecord> List() override {
    std::lock_guard lock(mutex_);
    std::vector<CredentialRecord> records;
    StatementScope rows(db_.Prepare(kListBlocks));
    while (rows->Next()) records.push_back(RecordFromRow(*rows));
    return records;
  }

  std::optional<CredentialRecord> Get(std::string_view name) override {
    std::lock_guard lock(mutex_);
    StatementScope row(db_.Prepare(kSelectBlock));
    row->Bind(1, name);
    if (!row->Next()) return std::nullopt;
    return RecordFromRow(*row);
  }

  bool Delete(std::string_view name) override {
    std::lock_guard lock(mutex_);
    db_.Prepare(kDeleteBlock).Bind(1, name).Exec();
    return db_.Changes() > 0;
  }

 private:
  static CredentialRecord RecordFromRow(const Statement& row) {
    return CredentialRecord{.name = row.String(0),
                            .type = row.String(1),
                            .fields = {.account_id = row.String(2),
                                       .api_key = row.String(6),
                                       .domain = row.String(3),
                                       .access_url = row.String(4),
                                       .discovery_url = row.String(5)},
                            .created_at = row.String(7),
                            .updated_at = row.String(8)};
  }

  std::mutex mutex_;
  Connection db_;
};

}  // namespace

std::unique_ptr<CredentialStore> OpenSqliteCredentialStore(const std::string& path) {
  return std::make_unique<SqliteCredentialStore>(path);
}

}  // namespace cairn::auth
