#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "auth/principal.h"
#include "auth/service_token.h"
#include "auth/token_store.h"

namespace cairn::auth {

// A token just created, with the only copy of its secret.
struct CreatedToken {
  ServiceToken token;
  std::string token_string;
};

// Service tokens for the server: creates, lists and deactivates them in the
// TokenStore, and authenticates requests against an in-memory index of the
// active ones (lookup key -> credential) so the per-request path reads no
// database. The index follows every change made through this object at
// once. Other processes sharing the database (several `cairn serve` on one
// PostgreSQL) change it too: a token unknown to the index is looked for in
// the store before it is refused, and the index is read again once it is
// older than `index_max_age`, so a token deactivated elsewhere is refused
// here within that time. Thread-safe.
class TokenService final : public Authenticator {
 public:
  static constexpr std::chrono::milliseconds kIndexMaxAge{1000};

  // Starts a thread that writes last-used times about once a minute.
  explicit TokenService(TokenStore& store,
                        std::chrono::steady_clock::duration index_max_age = kIndexMaxAge);
  // Writes the last-used times still in memory.
  ~TokenService() override;
  TokenService(const TokenService&) = delete;
  TokenService& operator=(const TokenService&) = delete;

  // Validates `request` (name, known permission sets, expiry in the future)
  // and creates the token; throws kInvalidArgument naming the bad field.
  CreatedToken Create(const NewServiceToken& request);

  std::vector<ServiceToken> List(std::int64_t account_id, std::optional<int> state, int limit,
                                 int offset, std::int64_t& total);
  std::optional<ServiceToken> Get(std::int64_t account_id, std::int64_t id);
  // Rename and/or deactivate (state 2); nullopt: no such token. A
  // deactivated token cannot be made active again (kInvalidArgument): its
  // secret may have leaked, so rotate instead.
  std::optional<ServiceToken> Update(std::int64_t account_id, std::int64_t id,
                                     const std::optional<std::string>& name,
                                     std::optional<int> state);

  // "Bearer X" or "Token X" (scheme case-insensitive).
  std::optional<Principal> Authenticate(std::string_view authorization) override;

  // Makes sure an active admin token exists. With none: stores `operator_token`
  // (CAIRN_ADMIN_TOKEN; at least 32 characters) as "bootstrap" and returns
  // nullopt, or, when it is empty, creates one and returns its secret for
  // the caller to show once. With one: nothing.
  std::optional<std::string> EnsureBootstrapToken(std::int64_t account_id,
                                                  std::string_view operator_token);

  // Writes the last-used times seen since the last flush. Authentication
  // only notes them in memory, so a request never waits for a write.
  void FlushLastUsed();

 private:
  using Clock = std::chrono::steady_clock;

  void Reload();
  void ReadIndex();  // with reload_mutex_ held
  // Reads the index again unless a read that began at or after `since`
  // already did: concurrent misses share one read. Keeps the old index when
  // the store fails (logged), so requests are judged on what is known.
  void ReloadUnlessReadSince(Clock::time_point since) noexcept;
  // The principal of `token` in the index; `known` tells whether its
  // lookup key was there at all.
  std::optional<Principal> Find(std::string_view token, const std::string& key, bool& known);

  TokenStore& store_;
  Clock::duration index_max_age_;
  std::mutex reload_mutex_;
  std::atomic<Clock::rep> index_read_at_{0};  // when the read that built index_ began
  std::shared_mutex index_mutex_;
  std::unordered_map<std::string, std::vector<Credential>> index_;  // by lookup key
  std::mutex usage_mutex_;
  std::unordered_map<std::int64_t, std::chrono::system_clock::time_point> unflushed_uses_;
  std::condition_variable_any stop_flushing_;
  std::jthread flusher_;  // last, so it stops before the members it uses go
};

}  // namespace cairn::auth
