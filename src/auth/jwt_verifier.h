#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "auth/jwt_settings.h"
#include "auth/principal.h"

namespace cairn::auth {

// Whether `value` has the shape of a JWS compact serialization (three
// base64url parts separated by dots), as opposed to a Cairn service token.
bool LooksLikeJwt(std::string_view value);

// Verifies JWTs by the rules of JwtSettings and turns the good ones into
// Principals (token_id 0, name from `sub`, else `email`). The JWKS is
// fetched on first use, cached, and fetched again when a token names an
// unknown `kid` (at most once per refetch interval). Thread-safe: any
// number of threads may verify at once.
class JwtVerifier {
 public:
  // Answers the JWKS document; by default a GET of settings.jwks_url.
  using JwksFetcher = std::function<std::string()>;

  // Reads the secret file (at least 32 bytes after trimming trailing
  // whitespace) and checks the settings; throws Error kInvalidArgument
  // naming the bad one, kNotFound / kIo when the secret cannot be read.
  explicit JwtVerifier(JwtSettings settings, JwksFetcher fetch_jwks = nullptr);

  // The principal of a valid token; throws Error kInvalidArgument saying
  // why it is refused (the message never contains the token).
  Principal Verify(std::string_view token) const;

  // How many times the JWKS has been fetched (for tests and logs).
  int jwks_fetches() const;

 private:
  std::string KeyFor(const std::string& alg, const std::string& kid) const;
  std::string RsaKeyFor(const std::string& kid) const;
  // `cairn_signed`: verified with Cairn's secret, so Cairn's issuer rules.
  Principal PrincipalOf(const std::string& claims_json, bool cairn_signed) const;

  JwtSettings settings_;
  std::string secret_;
  JwksFetcher fetch_jwks_;
  mutable std::shared_mutex keys_mutex_;
  mutable std::map<std::string, std::string> rsa_keys_;  // kid -> PEM
  mutable std::mutex fetch_mutex_;
  mutable std::optional<std::chrono::steady_clock::time_point> last_fetch_;
  mutable int fetches_ = 0;
};

// The HS256 secret of a secret file: its content without trailing
// whitespace, at least 32 bytes. Throws Error naming the file (never the
// secret) when it is missing, unreadable or too short.
std::string ReadJwtSecretFile(const std::filesystem::path& path);

}  // namespace cairn::auth
