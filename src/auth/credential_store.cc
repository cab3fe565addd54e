#include "auth/credential_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "catalog/database_url.h"
#include "catalog/postgres/connection.h"
#include "core/error.h"

namespace cairn::auth {
namespace {

constexpr std::size_t kMaxNameLength = 64;
// Shorter keys show no characters at all: four of eleven would be too many.
constexpr std::size_t kShortestShownKey = 12;
constexpr std::size_t kShownKeyChars = 4;

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

void CheckAccountId(const std::string& account_id) {
  if (account_id.empty() || !std::all_of(account_id.begin(), account_id.end(),
                                         [](char c) { return c >= '0' && c <= '9'; })) {
    throw Error(
        ErrorCode::kInvalidArgument,
        fmt::format("account id '{}' is not a dbt Cloud account id (digits only)", account_id));
  }
}

// A host name, optionally with a port: what https:// is put in front of.
void CheckDomain(const std::string& domain) {
  bool host_chars = std::all_of(domain.begin(), domain.end(), [](char c) {
    return IsAsciiAlnum(c) || c == '.' || c == '-' || c == ':';
  });
  if (domain.empty() || !host_chars) {
    throw Error(ErrorCode::kInvalidArgument,
                fmt::format("domain '{}' is not a host name (e.g. cloud.getdbt.com, no https:// "
                            "and no path; use the access URL for a full URL)",
                            domain));
  }
}

void CheckUrl(const char* what, const std::string& url) {
  if (url.empty()) return;
  bool has_host = url.find("://") != std::string::npos && url.size() > url.find("://") + 3;
  if (!(url.starts_with("https://") || url.starts_with("http://")) || !has_host ||
      url.find_first_of(" \t\r\n") != std::string::npos) {
    throw Error(ErrorCode::kInvalidArgument,
                fmt::format("{} '{}' is not an http(s):// URL", what, url));
  }
}

void CheckApiKey(const std::string& api_key) {
  if (api_key.empty()) throw Error(ErrorCode::kInvalidArgument, "the API key is empty");
  // The key itself is never put in the message.
  if (std::any_of(api_key.begin(), api_key.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    throw Error(ErrorCode::kInvalidArgument,
                "the API key holds control characters (a line break?); give it on one line");
  }
}

}  // namespace

void CheckCredentialType(std::string_view type) {
  if (type != kDbtCloudBlock) {
    throw Error(ErrorCode::kInvalidArgument,
                fmt::format("unknown credential block type '{}'; the allowed types are: {}", type,
                            kDbtCloudBlock));
  }
}

void CheckCredentialName(std::string_view name) {
  bool well_formed = !name.empty() && name.size() <= kMaxNameLength && IsAsciiAlnum(name.front()) &&
                     std::all_of(name.begin(), name.end(), [](char c) {
                       return IsAsciiAlnum(c) || c == '.' || c == '_' || c == '-';
                     });
  if (!well_formed) {
    throw Error(ErrorCode::kInvalidArgument,
                fmt::format("'{}' is not a credential block name: use letters, digits, '.', '_' "
                            "and '-', starting with a letter or digit, at most {} characters",
                            name, kMaxNameLength));
  }
}

std::unique_ptr<CredentialStore> OpenCredentialStore(const std::string& db_url) {
  if (catalog::postgres::IsPostgresUrl(db_url)) return OpenPostgresCredentialStore(db_url);
  return OpenSqliteCredentialStore(catalog::SqlitePathOf(db_url));
}

std::string ServerSecretKey(const std::string& db_url) {
  const char* variable = std::getenv("CAIRN_SECRET_KEY");
  std::optional<std::string> key = variable != nullptr && *variable != '\0'
                                       ? std::optional<std::string>(variable)
                                       : std::nullopt;
  if (!catalog::postgres::IsPostgresUrl(db_url)) {
    return LoadOrCreateSecretKey(catalog::SqlitePathOf(db_url) + ".secret-key", key);
  }
  if (!key) {
    throw Error(ErrorCode::kInvalidArgument,
                fmt::format("{} keeps credentials and integration settings sealed: set "
                            "CAIRN_SECRET_KEY to a key of 64 hex digits (`openssl rand -hex 32`), "
                            "the same for every cairn serve that shares the database",
                            catalog::postgres::RedactedUrl(db_url)));
  }
  return LoadOrCreateSecretKey({}, key);
}

std::string MaskedKey(std::string_view api_key) {
  if (api_key.size() < kShortestShownKey) return "****";
  return "****" + std::string(api_key.substr(api_key.size() - kShownKeyChars));
}

nlohmann::json CredentialBlockJson(const CredentialBlock& block) {
  return {{"name", block.name},
          {"type", block.type},
          {"account_id", block.account_id},
          {"domain", block.domain},
          {"access_url", block.access_url},
          {"discovery_url", block.discovery_url},
          {"api_key", block.masked_api_key},
          {"created_at", block.created_at},
          {"updated_at", block.updated_at}};
}

CredentialBlock CredentialBlocks::Create(std::string_view type, const std::string& name,
                                         const cloud::DbtCloudCredentials& fields) {
  CheckCredentialType(type);
  CheckCredentialName(name);
  CheckAccountId(fields.account_id);
  CheckDomain(fields.domain);
  CheckUrl("access URL", fields.access_url);
  CheckUrl("discovery URL", fields.discovery_url);
  CheckApiKey(fields.api_key);
  CredentialRecord record{.name = name, .type = std::string(type), .fields = fields};
  record.fields.api_key = cipher_.Seal(fields.api_key);
  if (!store_.Insert(record)) {
    throw Error(
        ErrorCode::kInvalidArgument,
        fmt::format("a credential block named '{}' exists; delete it first to replace it", name));
  }
  return Shown(Find(name));
}

std::vector<CredentialBlock> CredentialBlocks::List() {
  std::vector<CredentialBlock> blocks;
  for (const CredentialRecord& record : store_.List()) blocks.push_back(Shown(record));
  return blocks;
}

CredentialBlock CredentialBlocks::Get(const std::string& name) {
  return Shown(Find(name));
}

void CredentialBlocks::Delete(const std::string& name) {
  if (!store_.Delete(name)) Find(name);  // throws the not-found error
}

cloud::DbtCloudCredentials CredentialBlocks::DbtCloud(const std::string& name) {
  CredentialRecord record = Find(name);
  if (record.type != kDbtCloudBlock) {
    throw Error(ErrorCode::kInvalidArgument,
                fmt::format("credential block '{}' is of type {}, not {}", name, record.type,
                            kDbtCloudBlock));
  }
  cloud::DbtCloudCredentials credentials = record.fields;
  credentials.api_key = OpenKey(record);
  return credentials;
}

CredentialRecord CredentialBlocks::Find(const std::string& name) {
  if (std::optional<CredentialRecord> record = store_.Get(name)) return *std::move(record);
  std::vector<std::string> names;
  for (const CredentialRecord& record : store_.List()) names.push_back(record.name);
  std::string there = names.empty()
                          ? "there are none yet (cairn credentials create dbt-cloud NAME ...)"
                          : fmt::format("there are: {}", fmt::join(names, ", "));
  throw Error(ErrorCode::kNotFound, fmt::format("no credential block '{}'; {}", name, there));
}

std::string CredentialBlocks::OpenKey(const CredentialRecord& record) const {
  try {
    return cipher_.Open(record.fields.api_key);
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kStorage) throw;
    throw Error(ErrorCode::kStorage,
                fmt::format("the API key of credential block '{}' does not open with this secret "
                            "key (CAIRN_SECRET_KEY or the .secret-key file beside the catalog): "
                            "use the key it was created with",
                            record.name));
  }
}

CredentialBlock CredentialBlocks::Shown(const CredentialRecord& record) const {
  return CredentialBlock{.name = record.name,
                         .type = record.type,
                         .account_id = record.fields.account_id,
                         .domain = record.fields.domain,
                         .access_url = record.fields.access_url,
                         .discovery_url = record.fields.discovery_url,
                         .masked_api_key = MaskedKey(OpenKey(record)),
                         .created_at = record.created_at,
                         .updated_at = record.updated_at};
}

}  // namespace cairn::auth
