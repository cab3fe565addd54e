#include <fmt/format.h>

#include <mutex>
#include <nlohmann/json.hpp>

#include "auth/token_secret.h"
#include "auth/token_store.h"
#include "catalog/sqlite/connection.h"
#include "core/error.h"
#include "core/timestamp.h"

namespace cairn::auth {
namespace {

using catalog::sqlite::Connection;
using catalog::sqlite::Statement;
using catalog::sqlite::StatementScope;

constexpr const char* kInsertToken = R"sql(
INSERT INTO service_tokens(uid, account_id, name, lookup_key, salt, verifier, expires_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, nullif(?7, ''))
)sql";
constexpr const char* kInsertGrant = R"sql(
INSERT INTO service_token_grants(token_id, permission_set, project_id,
                                 writable_environment_categories)
VALUES (?1, ?2, ?3, ?4)
)sql";
#define CAIRN_TOKEN_COLUMNS                                                                    \
  "SELECT id, uid, account_id, name, state, created_at, updated_at, coalesce(last_used, ''), " \
  "coalesce(expires_at, '') FROM service_tokens "
constexpr const char* kSelectToken = CAIRN_TOKEN_COLUMNS "WHERE account_id = ?1 AND id = ?2";
constexpr const char* kListTokens = CAIRN_TOKEN_COLUMNS
    "WHERE account_id = ?1 AND (?2 IS NULL OR state = ?2) ORDER BY id LIMIT ?3 OFFSET ?4";
constexpr const char* kActiveTokens = CAIRN_TOKEN_COLUMNS "WHERE state = 1 ORDER BY id";
#undef CAIRN_TOKEN_COLUMNS
constexpr const char* kCountTokens =
    "SELECT count(*) FROM service_tokens WHERE account_id = ?1 AND (?2 IS NULL OR state = ?2)";
constexpr const char* kSelectSecrets =
    "SELECT lookup_key, salt, verifier FROM service_tokens WHERE id = ?1";
constexpr const char* kSelectGrants = R"sql(
SELECT id, permission_set, project_id, writable_environment_categories, created_at, updated_at
FROM service_token_grants WHERE token_id = ?1 ORDER BY id
)sql";
constexpr const char* kUpdateToken = R"sql(
UPDATE service_tokens SET name = coalesce(?3, name), state = coalesce(?4, state),
  updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
WHERE account_id = ?1 AND id = ?2
)sql";
constexpr const char* kUpdateLastUsed = "UPDATE service_tokens SET last_used = ?2 WHERE id = ?1";

// Runs `body` in one transaction (the caller holds the store's mutex).
template <typename Body>
auto InTransaction(Connection& db, Body body) {
  db.Exec("BEGIN IMMEDIATE");
  try {
    auto result = body();
    db.Exec("COMMIT");
    return result;
  } catch (...) {
    db.RollbackQuietly();
    throw;
  }
}

class SqliteTokenStore final : public TokenStore {
 public:
  explicit SqliteTokenStore(const std::string& path) : db_(path) {
    db_.Exec("PRAGMA busy_timeout = 300000");  // may wait for an extraction's Apply
    db_.Exec("PRAGMA foreign_keys = ON");
  }

  ServiceToken Create(const NewServiceToken& token, std::string_view token_string) override {
    std::lock_guard lock(mutex_);
    std::int64_t id = InTransaction(db_, [&] {
      std::string uid = GenerateUid();
      std::string salt = GenerateSalt();
      db_.Prepare(kInsertToken)
          .BindCopy(1, uid)
          .Bind(2, token.account_id)
          .Bind(3, std::string_view(token.name))
          .BindCopy(4, LookupKey(token_string))
          .BindCopy(5, salt)
          .BindCopy(6, Verifier(salt, token_string))
          .Bind(7, std::string_view(token.expires_at))
          .Exec();
      std::int64_t token_id = db_.LastInsertRowid();
      for (const PermissionGrant& grant : token.grants) {
        db_.Prepare(kInsertGrant)
            .Bind(1, token_id)
            .Bind(2, std::string_view(grant.permission_set))
            .Bind(3, grant.project_id)
            .BindCopy(4, nlohmann::json(grant.writable_environment_categories).dump())
            .Exec();
      }
      return token_id;
    });
    return *Read(kSelectToken, token.account_id, id);
  }

  std::vector<ServiceToken> List(std::int64_t account_id, std::optional<int> state, int limit,
                                 int offset, std::int64_t& total) override {
    std::lock_guard lock(mutex_);
    {
      StatementScope count(db_.Prepare(kCountTokens));
      count->Bind(1, account_id);
      BindState(*count, 2, state);
      total = count->Next() ? count->Int64(0) : 0;
    }
    std::vector<ServiceToken> tokens;
    {
      StatementScope rows(db_.Prepare(kListTokens));
      rows->Bind(1, account_id).Bind(3, limit).Bind(4, offset);
      BindState(*rows, 2, state);
      while (rows->Next()) tokens.push_back(TokenFromRow(*rows));
    }
    for (ServiceToken& token : tokens) token.grants = Grants(token.id);
    return tokens;
  }

  std::optional<ServiceToken> Get(std::int64_t account_id, std::int64_t id) override {
    std::lock_guard lock(mutex_);
    return Read(kSelectToken, account_id, id);
  }

  bool Update(std::int64_t account_id, std::int64_t id, const std::optional<std::string>& name,
              std::optional<int> state) override {
    std::lock_guard lock(mutex_);
    Statement& update = db_.Prepare(kUpdateToken);
    update.Bind(1, account_id).Bind(2, id);
    if (name) {
      update.Bind(3, std::string_view(*name));
    } else {
      update.BindNull(3);
    }
    BindState(update, 4, state);
    update.Exec();
    return db_.Changes() > 0;
  }

  std::vector<Credential> ActiveCredentials() override {
    std::lock_guard lock(mutex_);
    std::vector<ServiceToken> tokens;
    {
      StatementScope rows(db_.Prepare(kActiveTokens));
      while (rows->Next()) tokens.push_back(TokenFromRow(*rows));
    }
    std::vector<Credential> credentials;
    for (ServiceToken& token : tokens) {
      token.grants = Grants(token.id);
      Credential& credential = credentials.emplace_back();
      credential.token_id = token.id;
      credential.name = token.name;
      credential.access = token.access();
      StatementScope secrets(db_.Prepare(kSelectSecrets));
      secrets->Bind(1, token.id);
      if (secrets->Next()) {
        credential.lookup_key = secrets->String(0);
        credential.salt = secrets->String(1);
        credential.verifier = secrets->String(2);
      }
      credential.expires_at = ParseUtcTimestamp(token.expires_at);
    }
    return credentials;
  }

  void RecordLastUsed(std::int64_t id, std::string_view when) override {
    std::lock_guard lock(mutex_);
    db_.Prepare(kUpdateLastUsed).Bind(1, id).Bind(2, when).Exec();
  }

 private:
  static void BindState(Statement& statement, int index, std::optional<int> state) {
    if (state) {
      statement.Bind(index, *state);
    } else {
      statement.BindNull(index);
    }
  }

  static ServiceToken TokenFromRow(const Statement& row) {
    return ServiceToken{.id = row.Int64(0),
                        .uid = row.String(1),
                        .account_id = row.Int64(2),
                        .name = row.String(3),
                        .state = static_cast<int>(row.Int64(4)),
                        .created_at = row.String(5),
                        .updated_at = row.String(6),
                        .last_used = row.String(7),
                        .expires_at = row.String(8)};
  }

  std::optional<ServiceToken> Read(const char* sql, std::int64_t account_id, std::int64_t id) {
    std::optional<ServiceToken> token;
    {
      StatementScope row(db_.Prepare(sql));
      row->Bind(1, account_id).Bind(2, id);
      if (row->Next()) token = TokenFromRow(*row);
    }
    if (token) token->grants = Grants(token->id);
    return token;
  }

  std::vector<PermissionGrant> Grants(std::int64_t token_id) {
    std::vector<PermissionGrant> grants;
    StatementScope rows(db_.Prepare(kSelectGrants));
    rows->Bind(1, token_id);
    while (rows->Next()) {
      grants.push_back(
          PermissionGrant{.id = rows->Int64(0),
                          .permission_set = rows->String(1),
                          .project_id = rows->OptionalInt64(2),
                          .writable_environment_categories =
                              nlohmann::json::parse(rows->Text(3)).get<std::vector<std::string>>(),
                          .created_at = rows->String(4),
                          .updated_at = rows->String(5)});
    }
    return grants;
  }

  std::mutex mutex_;
  Connection db_;
};

}  // namespace

std::unique_ptr<TokenStore> OpenSqliteTokenStore(const std::string& path) {
  return std::make_unique<SqliteTokenStore>(path);
}

}  // namespace cairn::auth
