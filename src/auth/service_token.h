#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "auth/principal.h"

namespace cairn::auth {

// A permission grant as dbt Cloud's v3 API shapes it.
struct PermissionGrant {
  std::int64_t id = 0;
  std::string permission_set;
  std::optional<std::int64_t> project_id;  // none: all projects
  std::vector<std::string> writable_environment_categories;
  std::string created_at;
  std::string updated_at;
};

// A service token's record: everything but the secret, which is never kept.
struct ServiceToken {
  std::int64_t id = 0;
  std::string uid;
  std::int64_t account_id = 0;
  std::string name;
  int state = 1;  // 1 active, 2 inactive (deleted: kept for audit)
  std::string created_at;
  std::string updated_at;
  std::string last_used;   // empty: never
  std::string expires_at;  // empty: never expires
  std::vector<PermissionGrant> grants;

  // The most its grants allow.
  Access access() const;
};

inline constexpr int kTokenActive = 1;
inline constexpr int kTokenInactive = 2;

struct NewServiceToken {
  std::int64_t account_id = 0;
  std::string name;
  std::vector<PermissionGrant> grants;
  std::string expires_at;  // ISO-8601 UTC, or empty
};

// What authentication needs of an active token.
struct Credential {
  std::int64_t token_id = 0;
  std::string name;
  Access access = Access::kNone;
  std::string lookup_key;
  std::string salt;
  std::string verifier;
  std::optional<std::chrono::system_clock::time_point> expires_at;
};

}  // namespace cairn::auth
