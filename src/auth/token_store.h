#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/service_token.h"

namespace cairn::auth {

// Where service tokens are kept: records, grants, and the salted hash of
// each secret (token_secret.h), never the secret. Backend-neutral like
// catalog::Store; thread-safe. Errors throw cairn::Error(kStorage).
class TokenStore {
 public:
  virtual ~TokenStore() = default;

  // Stores a new active token whose secret is `token_string`.
  virtual ServiceToken Create(const NewServiceToken& token, std::string_view token_string) = 0;

  // Tokens of an account by id, optionally only those in `state`; `total`
  // receives how many match without paging.
  virtual std::vector<ServiceToken> List(std::int64_t account_id, std::optional<int> state,
                                         int limit, int offset, std::int64_t& total) = 0;

  virtual std::optional<ServiceToken> Get(std::int64_t account_id, std::int64_t id) = 0;

  // Renames and/or changes the state; false when there is no such token.
  virtual bool Update(std::int64_t account_id, std::int64_t id,
                      const std::optional<std::string>& name, std::optional<int> state) = 0;

  // Every active token's credential, for the authenticator's index.
  virtual std::vector<Credential> ActiveCredentials() = 0;

  virtual void RecordLastUsed(std::int64_t id, std::string_view when) = 0;
};

// The token store in the catalog's SQLite file (tables from the catalog's
// migrations; the catalog must have been opened, and so migrated, first).
std::unique_ptr<TokenStore> OpenSqliteTokenStore(const std::string& path);

// The token store in a PostgreSQL database (a postgresql:// URL), migrating
// it first (catalog/postgres/migrations.h).
std::unique_ptr<TokenStore> OpenPostgresTokenStore(const std::string& url);

// The token store of the server's database `db_url`: PostgreSQL for a
// postgresql:// URL, else the SQLite catalog file (catalog/database_url.h).
std::unique_ptr<TokenStore> OpenTokenStore(const std::string& db_url);

}  // namespace cairn::auth
