#pragma once

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cloud/dbt_cloud_credentials.h"
#include "core/secret_cipher.h"

namespace cairn::auth {

// The one block type there is so far; CheckCredentialType names it.
inline constexpr std::string_view kDbtCloudBlock = "dbt-cloud";

// One credential block as kept: the API key sealed (SecretCipher), never
// in the clear. What backends store and return.
struct CredentialRecord {
  std::string name;
  std::string type;
  cloud::DbtCloudCredentials fields;  // api_key holds the sealed key
  std::string created_at;
  std::string updated_at;
};

// Where credential blocks are kept, by unique name. Backend-neutral like
// TokenStore; knows nothing of sealing or validation (CredentialBlocks
// does both, once for every backend). Thread-safe. Errors throw
// cairn::Error(kStorage).
class CredentialStore {
 public:
  virtual ~CredentialStore() = default;

  // False when a block of that name exists (it is left as it was).
  virtual bool Insert(const CredentialRecord& record) = 0;
  // Every block, by name.
  virtual std::vector<CredentialRecord> List() = 0;
  virtual std::optional<CredentialRecord> Get(std::string_view name) = 0;
  // False when there is no such block.
  virtual bool Delete(std::string_view name) = 0;
};

// The credential store in the catalog's SQLite file (migration 11; the
// catalog must have been opened, and so migrated, first).
std::unique_ptr<CredentialStore> OpenSqliteCredentialStore(const std::string& path);

// The credential store in a PostgreSQL database (a postgresql:// URL),
// migrating it first (catalog/postgres/migrations.h).
std::unique_ptr<CredentialStore> OpenPostgresCredentialStore(const std::string& url);

// The credential store of the server's database `db_url`: PostgreSQL for a
// postgresql:// URL, else the SQLite catalog file (catalog/database_url.h).
std::unique_ptr<CredentialStore> OpenCredentialStore(const std::string& db_url);

// The key that seals credential blocks and integrations' settings in the
// server's database `db_url`: CAIRN_SECRET_KEY (64 hex digits) when set;
// else, for an SQLite catalog, the key file beside it (PATH.secret-key,
// created on first use). A PostgreSQL database has no file beside it and
// every instance sharing it must seal with the same key, so there it is
// kInvalidArgument naming CAIRN_SECRET_KEY when the variable is not set.
std::string ServerSecretKey(const std::string& db_url);

// A block as shown: everything but the key, which is only masked.
struct CredentialBlock {
  std::string name;
  std::string type;
  std::string account_id;
  std::string domain;
  std::string access_url;
  std::string discovery_url;
  std::string masked_api_key;
  std::string created_at;
  std::string updated_at;
};

// {"name", "type", "account_id", "domain", "access_url", "discovery_url",
// "api_key" (masked), "created_at", "updated_at"}: the CLI's --json and the
// API's shape.
nlohmann::json CredentialBlockJson(const CredentialBlock& block);

// Named credential blocks over a store: validates what is created, seals
// the key with `cipher` and opens it only to hand it to a client. Keys
// leave here only masked, except from DbtCloud(). `store` and `cipher`
// must outlive this object.
class CredentialBlocks {
 public:
  CredentialBlocks(CredentialStore& store, const SecretCipher& cipher)
      : store_(store), cipher_(cipher) {}

  // kInvalidArgument for an unknown type, a bad name, account id, domain or
  // URL, an empty key, or a name already taken.
  CredentialBlock Create(std::string_view type, const std::string& name,
                         const cloud::DbtCloudCredentials& fields);
  std::vector<CredentialBlock> List();
  // kNotFound naming the block and the blocks there are.
  CredentialBlock Get(const std::string& name);
  void Delete(const std::string& name);

  // The block's fields with its key opened, for a dbt Cloud client.
  // kNotFound as Get; kStorage naming the block when the key does not open
  // with this secret key.
  cloud::DbtCloudCredentials DbtCloud(const std::string& name);

 private:
  CredentialRecord Find(const std::string& name);
  std::string OpenKey(const CredentialRecord& record) const;
  CredentialBlock Shown(const CredentialRecord& record) const;

  CredentialStore& store_;
  const SecretCipher& cipher_;
};

// kInvalidArgument naming the allowed types unless `type` is one of them.
void CheckCredentialType(std::string_view type);

// Letters, digits, '.', '_' and '-', starting with a letter or digit, at
// most 64 characters; kInvalidArgument otherwise.
void CheckCredentialName(std::string_view name);

// "****" and the key's last 4 characters; only stars for a key too short
// to show any of it.
std::string MaskedKey(std::string_view api_key);

}  // namespace cairn::auth
