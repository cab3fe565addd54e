#include "auth/token_service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "auth/permission_sets.h"
#include "auth/token_secret.h"
#include "core/error.h"
#include "core/timestamp.h"

namespace cairn::auth {
namespace {

constexpr std::size_t kMaxNameLength = 255;
constexpr std::size_t kMinOperatorTokenLength = 32;
constexpr auto kLastUsedFlushInterval = std::chrono::minutes(1);  // how stale last_used may be
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

TokenService::TokenService(TokenStore& store, std::chrono::steady_clock::duration index_max_age)
    : store_(store), index_max_age_(index_max_age) {
  Reload();
  flusher_ = std::jthread([this](const std::stop_token& stop) {
    std::mutex mutex;
    std::unique_lock lock(mutex);
    // wait_for returns false both on timeout and on stop, so ask which one it was.
    while (true) {
      stop_flushing_.wait_for(lock, stop, kLastUsedFlushInterval, [] { return false; });
      if (stop.stop_requested()) return;
      try {
        FlushLastUsed();
      } catch (const std::exception& e) {  // the store is busy or gone: try next time
        spdlog::warn("could not record when tokens were last used: {}", e.what());
      }
    }
  });
}

TokenService::~TokenService() {
  flusher_.request_stop();
  flusher_.join();
  try {
    FlushLastUsed();
  } catch (const std::exception& e) {
    spdlog::warn("could not record when tokens were last used: {}", e.what());
  }
}

void TokenService::Reload() {
  std::lock_guard reload(reload_mutex_);
  ReadIndex();
}

void TokenService::ReadIndex() {
  Clock::time_point began = Clock::now();
  std::unordered_map<std::string, std::vector<Credential>> index;
  for (Credential& credential : store_.ActiveCredentials()) {
    index[credential.lookup_key].push_back(std::move(credential));
  }
  std::unique_lock lock(index_mutex_);
  index_ = std::move(index);
  index_read_at_.store(began.time_since_epoch().count(), std::memory_order_release);
}

void TokenService::ReloadUnlessReadSince(Clock::time_point since) noexcept {
  try {
    std::lock_guard reload(reload_mutex_);
    if (index_read_at_.load(std::memory_order_acquire) >= since.time_since_epoch().count()) return;
    ReadIndex();
  } catch (const std::exception& e) {
    spdlog::warn("could not read the service tokens again, keeping the ones known: {}", e.what());
  }
}

CreatedToken TokenService::Create(const NewServiceToken& request) {
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
  std::optional<ServiceToken> token = store_.Get(account_id, id);
  if (!token) return std::nullopt;
  if (state == kTokenActive && token->state == kTokenInactive) {
    throw Error(ErrorCode::kInvalidArgument,
                "a deactivated token cannot be activated again; create a new one");
  }
  if (!store_.Update(account_id, id, name, state)) return std::nullopt;
  if (state) Reload();
  return store_.Get(account_id, id);
}

std::optional<Principal> TokenService::Find(std::string_view token, const std::string& key,
                                            bool& known) {
  std::shared_lock lock(index_mutex_);
  auto it = index_.find(key);
  known = it != index_.end();
  if (!known) return std::nullopt;
  for (const Credential& credential : it->second) {
    if (!VerifyToken(token, credential.salt, credential.verifier)) continue;
    if (credential.expires_at && *credential.expires_at <= std::chrono::system_clock::now()) {
      return std::nullopt;
    }
    return Principal{credential.token_id, credential.name, credential.access};
  }
  return std::nullopt;
}

std::optional<Principal> TokenService::Authenticate(std::string_view authorization) {
  std::string_view token = TokenOf(authorization);
  if (token.empty()) return std::nullopt;
  std::string key = LookupKey(token);
  Clock::time_point asked = Clock::now();
  if (asked.time_since_epoch().count() - index_read_at_.load(std::memory_order_acquire) >
      index_max_age_.count()) {
    ReloadUnlessReadSince(asked - index_max_age_);
  }
  bool known = false;
  std::optional<Principal> principal = Find(token, key, known);
  if (!known) {  // perhaps made by another instance since the index was read
    ReloadUnlessReadSince(asked);
    principal = Find(token, key, known);
  }
  if (principal) {
    std::lock_guard lock(usage_mutex_);
    unflushed_uses_[principal->token_id] = std::chrono::system_clock::now();
  }
  return principal;
}

void TokenService::FlushLastUsed() {
  std::unordered_map<std::int64_t, std::chrono::system_clock::time_point> pending;
  {
    std::lock_guard lock(usage_mutex_);
    pending.swap(unflushed_uses_);
  }
  for (const auto& [id, when] : pending) store_.RecordLastUsed(id, FormatUtcTimestamp(when));
}

std::optional<std::string> TokenService::EnsureBootstrapToken(std::int64_t account_id,
                                                              std::string_view operator_token) {
  for (const Credential& credential : store_.ActiveCredentials()) {
    if (credential.access == Access::kAdmin) return std::nullopt;
  }
  NewServiceToken request{.account_id = account_id,
                          .name = "bootstrap",
                          .grants = {PermissionGrant{.permission_set = "account_admin"}}};
  if (operator_token.empty()) return Create(request).token_string;
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
