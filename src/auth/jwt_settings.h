#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace cairn::auth {

// The issuer Cairn writes into the HS256 JWTs it mints (`cairn auth jwt`) and
// requires of every HS256 JWT it accepts.
inline constexpr std::string_view kCairnJwtIssuer = "cairn";

// The shortest HS256 secret accepted (RFC 7518 §3.2: at least the hash size).
inline constexpr std::size_t kMinJwtSecretBytes = 32;

// The claim that names a JWT principal's dbt Cloud permission set(s) unless
// `cairn serve --jwt-permission-claim` names another.
inline constexpr std::string_view kDefaultPermissionClaim = "cairn_permission_set";

// What `cairn serve` is told about the JWTs it accepts. Two kinds of key,
// each with the one algorithm it may sign with:
//   HS256  Cairn's own tokens, signed with the secret in `secret_file`
//          (`iss` must be "cairn"); no secret file: HS256 JWTs are refused.
//   RS256  an OIDC issuer's tokens, checked against the keys its JWKS
//          (`jwks_url`) publishes; `iss` must be `issuer` and `aud` must
//          contain `audience`. No JWKS URL: RS256 JWTs are refused.
// A principal's access comes from `permission_claim` (a permission set name
// or a list of them; the highest grant counts, unknown names grant nothing);
// without that claim, from `default_permission_set`.
struct JwtSettings {
  std::filesystem::path secret_file;
  std::string issuer;
  std::string jwks_url;
  std::string audience;
  std::string permission_claim = std::string(kDefaultPermissionClaim);
  std::string default_permission_set = "metadata_only";
  // Clock skew forgiven on `exp` and `nbf`.
  std::chrono::seconds leeway{30};
  // A token signed by a key the cached JWKS lacks makes the JWKS be fetched
  // again, but not more often than this (a stream of forged kids cannot
  // turn the server into a load generator against the issuer).
  std::chrono::seconds jwks_refetch_interval{60};

  // Any JWT flag given (a partial OIDC set is then refused by JwtVerifier).
  bool enabled() const {
    return !secret_file.empty() || !jwks_url.empty() || !issuer.empty() || !audience.empty();
  }
};

}  // namespace cairn::auth
