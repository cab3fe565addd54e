#include "auth/token_service.h"

#include <fmt/format.h>

#include <algorithm>

#include "auth/permission_sets.h"
#include "auth/token_secret.h"
#include "core/error.h"
#include "core/timestamp.h"

namespace cairn::auth {
namespace {

constexpr std::size_t kMaxNameLength = 255;
constexpr std::size_t kMinOperatorTokenLength = 32;
constexpr auto kLastUsedFlushInterval = std::chrono::minutes(1);
constexpr std::string_view kEnvironmentCategories[] = {"all", "development", "staging",
                                                       "production", "other"};

void Validate(const NewServiceToken& request) {
  if (request.name.empty() || request.name.size() > kMaxNameLength) {
    throw Error(ErrorCode::kInvalidArgument,
                fmt::format("'name' must be 1 to {} characters", kMaxNameLength));
  }
  for (const PermissionGrant& grant : request.grants) {
    if (!AccessOfPermissionSet(grant.permission_set)) {
      throw Error(ErrorCode::kInvalidArgument,
                  fmt::format("unknown permission_set '{}' (one of: {})", grant.permission_set,
                              fmt::join(PermissionSets(), ", ")));
    }
    for (const std::string& category : grant.writable_environment_categories) {
      if (std::find(std::begin(kEnvironmentCategories), std::end(kEnvironmentCategories),
                    category) == std::end(kEnvironmentCategories)) {
        throw Error(ErrorCode::kInvalidArgument,
                    fmt::format("unknown writable_environment_categories value '{}' (one of: "
                                "all, development, staging, production, other)",
                                category));
      }
    }
  }
  if (!request.expires_at.empty()) {
    auto expires = ParseUtcTimestamp(request.expires_at);
    if (!expires) {
      throw Error(ErrorCode::kInvalidArgument,
                  "'expires_at' must be an ISO-8601 UTC time such as 2027-01-31T00:00:00Z");
    }
    if (*expires <= std::chrono::system_clock::now()) {
      throw Error(ErrorCode::kInvalidArgument, "'expires_at' is in the past");
    }
  }
}

// The token of an Authorization header value, or "" when it has none.
std::string_view TokenOf(std::string_view authorization) {
  std::size_t space = authorization.find(' ');
  if (space == std::string_view::npos) return {};
  std::string scheme(authorization.substr(0, space));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (scheme != "bearer" && scheme != "token") return {};
  std::string_view token = authorization.substr(space + 1);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return token;
}

}  // namespace

Access ServiceToken::access() const {
  Access most = Access::kNone;
  for (const PermissionGrant& grant : grants) {
    most = std::max(most, AccessOfPermissionSet(grant.permission_set).value_or(Access::kNone));
  }
  return most;
}

TokenService::TokenService(TokenStore& store) : store_(store) {
  Reload();
}

void TokenService::Reload() {
  std::unordered_map<std::string, std::vector<Credential>> index;
  for (Credential& credential : store_.ActiveCredentials()) {
    index[credential.lookup_key].push_back(std::move(credential));
  }
  std::unique_lock lock(index_mutex_);
  index_ = std::move(index);
}

CreatedToken TokenService::Create(NewServiceToken request) {
  Validate(request);
  CreatedToken created;
  created.token_string = GenerateTokenString();
  created.token = store_.Create(request, created.token_string);
  Reload();
  return created;
}

std::vector<ServiceToken> TokenService::List(std::int64_t account_id, std::optional<int> state,
                                             int limit, int offset, std::int64_t& total) {
  return store_.List(account_id, state, limit, offset, total);
}

std::optional<ServiceToken> TokenService::Get(std::int64_t account_id, std::int64_t id) {
  return store_.Get(account_id, id);
}

std::optional<ServiceToken> TokenService::Update(std::int64_t account_id, std::int64_t id,
                                                 const std::optional<std::string>& name,
                                                 std::optional<int> state) {
  if (name && (name->empty() || name->size() > kMaxNameLength)) {
    throw Error(ErrorCode::kInvalidArgument,
                fmt::format("'name' must be 1 to {} characters", kMaxNameLength));
  }
  if (state && *state != kTokenActive && *state != kTokenInactive) {
    throw Error(ErrorCode::kInvalidArgument, "'state' must be 1 (active) or 2 (inactive)");
  }
  if (!store_.Update(account_id, id, name, state)) return std::nullopt;
  if (state) Reload();
  return store_.Get(account_id, id);
}

std::optional<Principal> TokenService::Authenticate(std::string_view authorization) {
  std::string_view token = TokenOf(authorization);
  if (token.empty()) return std::nullopt;
  std::string key = LookupKey(token);
  std::optional<Principal> principal;
  {
    std::shared_lock lock(index_mutex_);
    auto it = index_.find(key);
    if (it == index_.end()) return std::nullopt;
    for (const Credential& credential : it->second) {
      if (!VerifyToken(token, credential.salt, credential.verifier)) continue;
      if (credential.expires_at && *credential.expires_at <= std::chrono::system_clock::now()) {
        return std::nullopt;
      }
      principal = Principal{credential.token_id, credential.name, credential.access};
      break;
    }
  }
  if (principal) NoteUse(principal->token_id);
  return principal;
}

void TokenService::NoteUse(std::int64_t token_id) {
  auto now = std::chrono::steady_clock::now();
  std::optional<std::string> flush;
  {
    std::lock_guard lock(usage_mutex_);
    Usage& usage = usage_[token_id];
    usage.unflushed = std::chrono::system_clock::now();
    if (now - usage.last_flushed < kLastUsedFlushInterval) return;
    usage.last_flushed = now;
    flush = FormatUtcTimestamp(*usage.unflushed);
    usage.unflushed.reset();
  }
  store_.RecordLastUsed(token_id, *flush);
}

void TokenService::FlushLastUsed() {
  std::vector<std::pair<std::int64_t, std::string>> pending;
  {
    std::lock_guard lock(usage_mutex_);
    for (auto& [id, usage] : usage_) {
      if (!usage.unflushed) continue;
      pending.emplace_back(id, FormatUtcTimestamp(*usage.unflushed));
      usage.unflushed.reset();
      usage.last_flushed = std::chrono::steady_clock::now();
    }
  }
  for (const auto& [id, when] : pending) store_.RecordLastUsed(id, when);
}

std::optional<std::string> TokenService::EnsureBootstrapToken(std::int64_t account_id,
                                                              std::string_view operator_token) {
  for (const Credential& credential : store_.ActiveCredentials()) {
    if (credential.access == Access::kAdmin) return std::nullopt;
  }
  NewServiceToken request{.account_id = account_id,
                          .name = "bootstrap",
                          .grants = {PermissionGrant{.permission_set = "account_admin"}}};
  if (operator_token.empty()) return Create(std::move(request)).token_string;
  if (operator_token.size() < kMinOperatorTokenLength) {
    throw Error(
        ErrorCode::kInvalidArgument,
        fmt::format("CAIRN_ADMIN_TOKEN must be at least {} characters", kMinOperatorTokenLength));
  }
  store_.Create(request, operator_token);
  Reload();
  return std::nullopt;
}

}  // namespace cairn::auth
