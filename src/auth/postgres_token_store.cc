#include <mutex>
#include <nlohmann/json.hpp>

#include "auth/token_secret.h"
#include "auth/token_store.h"
#include "catalog/postgres/connection.h"
#include "catalog/postgres/migrations.h"
#include "core/timestamp.h"

namespace cairn::auth {
namespace {

using catalog::postgres::Connection;
using catalog::postgres::Params;
using catalog::postgres::Rows;
using catalog::postgres::Transaction;

constexpr const char* kInsertToken = R"sql(
INSERT INTO service_tokens(uid, account_id, name, lookup_key, salt, verifier, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, nullif($7, '')::timestamptz)
RETURNING id
)sql";
constexpr const char* kInsertGrant = R"sql(
INSERT INTO service_token_grants(token_id, permission_set, project_id,
                                 writable_environment_categories)
VALUES ($1, $2, $3, $4::jsonb)
)sql";
#define CAIRN_TOKEN_COLUMNS                                               \
  "SELECT id, uid, account_id, name, state, cairn_utc_text(created_at), " \
  "cairn_utc_text(updated_at), coalesce(cairn_utc_text(last_used), ''), " \
  "coalesce(cairn_utc_text(expires_at), ''), lookup_key, salt, verifier FROM service_tokens "
constexpr const char* kSelectToken = CAIRN_TOKEN_COLUMNS "WHERE account_id = $1 AND id = $2";
constexpr const char* kListTokens = CAIRN_TOKEN_COLUMNS
    "WHERE account_id = $1 AND ($2::integer IS NULL OR state = $2) ORDER BY id LIMIT $3 OFFSET $4";
constexpr const char* kActiveTokens = CAIRN_TOKEN_COLUMNS "WHERE state = 1 ORDER BY id";
#undef CAIRN_TOKEN_COLUMNS
constexpr const char* kCountTokens =
    "SELECT count(*) FROM service_tokens WHERE account_id = $1 AND ($2::integer IS NULL OR state "
    "= $2)";
constexpr const char* kSelectGrants = R"sql(
SELECT id, permission_set, project_id, writable_environment_categories::text,
       cairn_utc_text(created_at), cairn_utc_text(updated_at)
FROM service_token_grants WHERE token_id = $1 ORDER BY id
)sql";
constexpr const char* kUpdateToken = R"sql(
UPDATE service_tokens SET name = coalesce($3, name), state = coalesce($4::integer, state),
  updated_at = now()
WHERE account_id = $1 AND id = $2
)sql";
constexpr const char* kUpdateLastUsed =
    "UPDATE service_tokens SET last_used = $2::timestamptz WHERE id = $1";

std::optional<std::int64_t> OptionalState(std::optional<int> state) {
  if (!state) return std::nullopt;
  return *state;
}

ServiceToken TokenFromRow(const Rows& rows, int row) {
  return ServiceToken{.id = rows.Int64(row, 0),
                      .uid = rows.String(row, 1),
                      .account_id = rows.Int64(row, 2),
                      .name = rows.String(row, 3),
                      .state = static_cast<int>(rows.Int64(row, 4)),
                      .created_at = rows.String(row, 5),
                      .updated_at = rows.String(row, 6),
                      .last_used = rows.String(row, 7),
                      .expires_at = rows.String(row, 8)};
}

// Tokens in a PostgreSQL database: the same rows as the SQLite store's, so
// that every `cairn serve` on the database accepts every token.
class PostgresTokenStore final : public TokenStore {
 public:
  explicit PostgresTokenStore(const std::string& url) : db_(url) {
    catalog::postgres::Migrate(db_);
  }

  ServiceToken Create(const NewServiceToken& token, std::string_view token_string) override {
    std::lock_guard lock(mutex_);
    Transaction transaction(db_);
    std::string salt = GenerateSalt();
    std::int64_t id = db_.Query(kInsertToken, Params()
                                                  .Add(GenerateUid())
                                                  .Add(token.account_id)
                                                  .Add(token.name)
                                                  .Add(LookupKey(token_string))
                                                  .Add(salt)
                                                  .Add(Verifier(salt, token_string))
                                                  .Add(token.expires_at))
                          .Int64(0, 0);
    for (const PermissionGrant& grant : token.grants) {
      db_.Query(kInsertGrant,
                Params()
                    .Add(id)
                    .Add(grant.permission_set)
                    .Add(grant.project_id)
                    .Add(nlohmann::json(grant.writable_environment_categories).dump()));
    }
    transaction.Commit();
    return *Read(token.account_id, id);
  }

  std::vector<ServiceToken> List(std::int64_t account_id, std::optional<int> state, int limit,
                                 int offset, std::int64_t& total) override {
    std::lock_guard lock(mutex_);
    total = db_.Query(kCountTokens, Params().Add(account_id).Add(OptionalState(state))).Int64(0, 0);
    Rows rows = db_.Query(
        kListTokens, Params().Add(account_id).Add(OptionalState(state)).Add(limit).Add(offset));
    std::vector<ServiceToken> tokens;
    tokens.reserve(static_cast<std::size_t>(rows.size()));
    for (int row = 0; row < rows.size(); ++row) {
      tokens.push_back(TokenFromRow(rows, row));
      tokens.back().grants = Grants(tokens.back().id);
    }
    return tokens;
  }

  std::optional<ServiceToken> Get(std::int64_t account_id, std::int64_t id) override {
    std::lock_guard lock(mutex_);
    return Read(account_id, id);
  }

  bool Update(std::int64_t account_id, std::int64_t id, const std::optional<std::string>& name,
              std::optional<int> state) override {
    std::lock_guard lock(mutex_);
    return db_.Query(kUpdateToken,
                     Params().Add(account_id).Add(id).Add(name).Add(OptionalState(state)))
               .Affected() > 0;
  }

  std::vector<Credential> ActiveCredentials() override {
    std::lock_guard lock(mutex_);
    Rows rows = db_.Query(kActiveTokens);
    std::vector<Credential> credentials;
    credentials.reserve(static_cast<std::size_t>(rows.size()));
    for (int row = 0; row < rows.size(); ++row) {
      ServiceToken token = TokenFromRow(rows, row);
      token.grants = Grants(token.id);
      credentials.push_back(Credential{.token_id = token.id,
                                       .name = token.name,
                                       .access = token.access(),
                                       .lookup_key = rows.String(row, 9),
                                       .salt = rows.String(row, 10),
                                       .verifier = rows.String(row, 11),
                                       .expires_at = ParseUtcTimestamp(token.expires_at)});
    }
    return credentials;
  }

  void RecordLastUsed(std::int64_t id, std::string_view when) override {
    std::lock_guard lock(mutex_);
    db_.Query(kUpdateLastUsed, Params().Add(id).Add(when));
  }

 private:
  std::optional<ServiceToken> Read(std::int64_t account_id, std::int64_t id) {
    Rows rows = db_.Query(kSelectToken, Params().Add(account_id).Add(id));
    if (rows.empty()) return std::nullopt;
    ServiceToken token = TokenFromRow(rows, 0);
    token.grants = Grants(token.id);
    return token;
  }

  std::vector<PermissionGrant> Grants(std::int64_t token_id) {
    Rows rows = db_.Query(kSelectGrants, Params().Add(token_id));
    std::vector<PermissionGrant> grants;
    grants.reserve(static_cast<std::size_t>(rows.size()));
    for (int row = 0; row < rows.size(); ++row) {
      grants.push_back(PermissionGrant{
          .id = rows.Int64(row, 0),
          .permission_set = rows.String(row, 1),
          .project_id = rows.OptionalInt64(row, 2),
          .writable_environment_categories =
              nlohmann::json::parse(rows.Text(row, 3)).get<std::vector<std::string>>(),
          .created_at = rows.String(row, 4),
          .updated_at = rows.String(row, 5)});
    }
    return grants;
  }

  std::mutex mutex_;
  Connection db_;
};

}  // namespace

std::unique_ptr<TokenStore> OpenPostgresTokenStore(const std::string& url) {
  return std::make_unique<PostgresTokenStore>(url);
}

}  // namespace cairn::auth
