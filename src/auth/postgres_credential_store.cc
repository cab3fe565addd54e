#include <mutex>

#include "auth/credential_store.h"
#include "catalog/postgres/connection.h"
#include "catalog/postgres/migrations.h"

namespace cairn::auth {
namespace {

using catalog::postgres::Connection;
using catalog::postgres::Params;
using catalog::postgres::Rows;

// A taken name is no error here: CredentialBlocks reports it in words.
constexpr const char* kInsertBlock = R"sql(
INSERT INTO credential_blocks(name, type, account_id, domain, access_url, discovery_url,
                              sealed_api_key)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT(name) DO NOTHING
)sql";
#define CAIRN_BLOCK_COLUMNS                                                            \
  "SELECT name, type, account_id, domain, access_url, discovery_url, sealed_api_key, " \
  "cairn_utc_text(created_at), cairn_utc_text(updated_at) FROM credential_blocks "
constexpr const char* kSelectBlock = CAIRN_BLOCK_COLUMNS "WHERE name = $1";
constexpr const char* kListBlocks = CAIRN_BLOCK_COLUMNS "ORDER BY name";
#undef CAIRN_BLOCK_COLUMNS
constexpr const char* kDeleteBlock = "DELETE FROM credential_blocks WHERE name = $1";

CredentialRecord RecordFromRow(const Rows& rows, int row) {
  return CredentialRecord{.name = rows.String(row, 0),
                          .type = rows.String(row, 1),
                          .fields = {.account_id = rows.String(row, 2),
                                     .api_key = rows.String(row, 6),
                                     .domain = rows.String(row, 3),
                                     .access_url = rows.String(row, 4),
                                     .discovery_url = rows.String(row, 5)},
                          .created_at = rows.String(row, 7),
                          .updated_at = rows.String(row, 8)};
}

// Credential blocks in a PostgreSQL database, the key as sealed by
// CredentialBlocks: every instance sharing the database needs the same
// secret key to open them.
class PostgresCredentialStore final : public CredentialStore {
 public:
  explicit PostgresCredentialStore(const std::string& url) : db_(url) {
    catalog::postgres::Migrate(db_);
  }

  bool Insert(const CredentialRecord& record) override {
    std::lock_guard lock(mutex_);
    const cloud::DbtCloudCredentials& fields = record.fields;
    return db_.Query(kInsertBlock, Params()
                                       .Add(record.name)
                                       .Add(record.type)
                                       .Add(fields.account_id)
                                       .Add(fields.domain)
                                       .Add(fields.access_url)
                                       .Add(fields.discovery_url)
                                       .Add(fields.api_key))
               .Affected() > 0;
  }

  std::vector<CredentialRecord> List() override {
    std::lock_guard lock(mutex_);
    Rows rows = db_.Query(kListBlocks);
    std::vector<CredentialRecord> records;
    records.reserve(static_cast<std::size_t>(rows.size()));
    for (int row = 0; row < rows.size(); ++row) records.push_back(RecordFromRow(rows, row));
    return records;
  }

  std::optional<CredentialRecord> Get(std::string_view name) override {
    std::lock_guard lock(mutex_);
    Rows rows = db_.Query(kSelectBlock, Params().Add(name));
    if (rows.empty()) return std::nullopt;
    return RecordFromRow(rows, 0);
  }

  bool Delete(std::string_view name) override {
    std::lock_guard lock(mutex_);
    return db_.Query(kDeleteBlock, Params().Add(name)).Affected() > 0;
  }

 private:
  std::mutex mutex_;
  Connection db_;
};

}  // namespace

std::unique_ptr<CredentialStore> OpenPostgresCredentialStore(const std::string& url) {
  return std::make_unique<PostgresCredentialStore>(url);
}

}  // namespace cairn::auth
