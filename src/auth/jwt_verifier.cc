#include "auth/jwt_verifier.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "auth/jwk.h"
#include "auth/libjwt_handles.h"
#include "auth/permission_sets.h"
#include "cloud/http_client.h"
#include "core/error.h"
#include "core/file.h"

namespace cairn::auth {
namespace {

using nlohmann::json;

Error Refused(std::string reason) {
  return Error(ErrorCode::kInvalidArgument, std::move(reason));
}

std::string GetJwks(const std::string& url) {
  cloud::HttpClientOptions options;
  options.connect_timeout = std::chrono::seconds(5);
  options.stall_timeout = std::chrono::seconds(10);
  options.max_attempts = 2;
  const cloud::HttpClient client(options);
  cloud::HttpRequest request;
  request.url = url;
  request.headers = {{"Accept", "application/json"}};
  const cloud::HttpResponse response = client.Send(request);
  if (response.status != 200) {
    throw Error(ErrorCode::kIo,
                fmt::format("GET {}: HTTP {}", cloud::UrlForMessages(url), response.status));
  }
  return response.body;
}

// kid -> PEM of every RSA signature key in a JWKS; keys of other kinds are
// skipped (an issuer may publish EC or encryption keys beside them).
std::map<std::string, std::string> RsaKeysOfJwks(const std::string& jwks_json) {
  const json jwks = json::parse(jwks_json, nullptr, /*allow_exceptions=*/false);
  if (!jwks.is_object() || !jwks.contains("keys") || !jwks["keys"].is_array()) {
    throw Error(ErrorCode::kParse, "the JWKS is not a JSON object with a 'keys' array");
  }
  std::map<std::string, std::string> keys;
  for (const json& jwk : jwks["keys"]) {
    const std::string kid = jwk.is_object() ? jwk.value("kid", "") : "";
    try {
      keys[kid] = RsaPublicKeyPemFromJwk(jwk.dump());
    } catch (const Error& e) {
      spdlog::debug("JWKS key '{}' skipped: {}", kid, e.message());
    }
  }
  return keys;
}

// The claim `aud`, a string or a list of strings, names `audience`.
bool AudienceMatches(const json& claims, const std::string& audience) {
  if (!claims.contains("aud")) return false;
  const json& aud = claims["aud"];
  if (aud.is_string()) return aud.get<std::string>() == audience;
  if (!aud.is_array()) return false;
  return std::any_of(aud.begin(), aud.end(), [&](const json& one) {
    return one.is_string() && one.get<std::string>() == audience;
  });
}

void CheckTimes(const json& claims, std::chrono::seconds leeway) {
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  if (!claims.contains("exp") || !claims["exp"].is_number()) throw Refused("the JWT has no exp");
  if (claims["exp"].get<double>() + static_cast<double>(leeway.count()) <=
      static_cast<double>(now)) {
    throw Refused("the JWT has expired");
  }
  if (claims.contains("nbf")) {
    if (!claims["nbf"].is_number()) throw Refused("the JWT's nbf is not a number");
    if (claims["nbf"].get<double>() - static_cast<double>(leeway.count()) >
        static_cast<double>(now)) {
      throw Refused("the JWT is not valid yet (nbf)");
    }
  }
}

// The highest access of the permission sets a claim names (a string or a
// list); unknown names grant nothing.
Access AccessOfClaim(const json& claim) {
  Access most = Access::kNone;
  auto add = [&most](const json& name) {
    if (name.is_string()) {
      most = std::max(most, AccessOfPermissionSet(name.get<std::string>()).value_or(Access::kNone));
    }
  };
  if (claim.is_array()) {
    for (const json& name : claim) add(name);
  } else {
    add(claim);
  }
  return most;
}

// The header of a compact JWS, as JSON.
json HeaderOf(std::string_view token) {
  std::optional<std::string> header = Base64UrlDecode(token.substr(0, token.find('.')));
  json parsed = header ? json::parse(*header, nullptr, /*allow_exceptions=*/false) : json();
  if (!parsed.is_object()) throw Refused("the JWT's header is not base64url JSON");
  return parsed;
}

}  // namespace

bool LooksLikeJwt(std::string_view value) {
  if (std::count(value.begin(), value.end(), '.') != 2) return false;
  const std::size_t first = value.find('.');
  const std::size_t second = value.find('.', first + 1);
  // An empty signature (alg "none") still counts as a JWT, to be refused
  // as one rather than looked up as a service token.
  return first > 0 && second > first + 1 && std::all_of(value.begin(), value.end(), [](char c) {
           return c == '.' || IsBase64UrlChar(c);
         });
}

std::string ReadJwtSecretFile(const std::filesystem::path& path) {
  std::string secret = ReadFile(path.string());
  while (!secret.empty() && std::isspace(static_cast<unsigned char>(secret.back()))) {
    secret.pop_back();
  }
  if (secret.size() < kMinJwtSecretBytes) {
    throw Error(ErrorCode::kInvalidArgument,
                fmt::format("the JWT secret file '{}' holds fewer than {} bytes", path.string(),
                            kMinJwtSecretBytes));
  }
  return secret;
}

JwtVerifier::JwtVerifier(JwtSettings settings, JwksFetcher fetch_jwks)
    : settings_(std::move(settings)), fetch_jwks_(std::move(fetch_jwks)) {
  if (!settings_.secret_file.empty()) secret_ = ReadJwtSecretFile(settings_.secret_file);
  const bool oidc = !settings_.jwks_url.empty();
  if (oidc != !settings_.issuer.empty() || oidc != !settings_.audience.empty()) {
    throw Error(ErrorCode::kInvalidArgument,
                "OIDC JWTs need all three of --oidc-issuer, --oidc-jwks-url and --oidc-audience");
  }
  if (!AccessOfPermissionSet(settings_.default_permission_set)) {
    throw Error(ErrorCode::kInvalidArgument,
                fmt::format("unknown default permission set '{}' (one of: {})",
                            settings_.default_permission_set, fmt::join(PermissionSets(), ", ")));
  }
  if (!fetch_jwks_ && oidc) {
    fetch_jwks_ = [url = settings_.jwks_url] { return GetJwks(url); };
  }
}

int JwtVerifier::jwks_fetches() const {
  const std::lock_guard lock(fetch_mutex_);
  return fetches_;
}

std::string JwtVerifier::RsaKeyFor(const std::string& kid) const {
  auto cached = [this, &kid]() -> std::optional<std::string> {
    const std::shared_lock lock(keys_mutex_);
    if (auto it = rsa_keys_.find(kid); it != rsa_keys_.end()) return it->second;
    // A token without a kid is matched only when the issuer has one key.
    if (kid.empty() && rsa_keys_.size() == 1) return rsa_keys_.begin()->second;
    return std::nullopt;
  };
  if (auto key = cached()) return *key;
  const std::lock_guard fetching(fetch_mutex_);
  if (auto key = cached()) return *key;  // another thread fetched meanwhile
  const auto now = std::chrono::steady_clock::now();
  if (last_fetch_ && now - *last_fetch_ < settings_.jwks_refetch_interval) {
    throw Refused(fmt::format("no key '{}' in the issuer's JWKS", kid.substr(0, 64)));
  }
  last_fetch_ = now;  // also after a failure, so that failures are not retried per request
  ++fetches_;
  std::map<std::string, std::string> keys;
  try {
    keys = RsaKeysOfJwks(fetch_jwks_());
  } catch (const Error& e) {
    spdlog::warn("the OIDC issuer's JWKS could not be read: {}", e.message());
    throw Refused("the issuer's JWKS could not be read");
  }
  spdlog::debug("JWKS fetched: {} RSA key(s)", keys.size());
  {
    const std::unique_lock lock(keys_mutex_);
    rsa_keys_ = std::move(keys);
  }
  if (auto key = cached()) return *key;
  throw Refused(fmt::format("no key '{}' in the issuer's JWKS", kid.substr(0, 64)));
}

// The one key `alg` may be checked with: HS256 only with the server's
// secret, RS256 only with the issuer's key `kid`.
std::string JwtVerifier::KeyFor(const std::string& alg, const std::string& kid) const {
  if (alg == "HS256") {
    if (secret_.empty()) throw Refused("HS256 JWTs are refused: the server has no JWT secret");
    return secret_;
  }
  if (alg == "RS256") {
    if (settings_.jwks_url.empty()) throw Refused("RS256 JWTs are refused: no OIDC issuer is set");
    return RsaKeyFor(kid);
  }
  throw Refused(
      fmt::format("JWT alg '{}' is refused (HS256 and RS256 are accepted)", alg.substr(0, 16)));
}

Principal JwtVerifier::Verify(std::string_view token) const {
  if (!LooksLikeJwt(token)) throw Refused("not a JWT");
  const json header = HeaderOf(token);
  const std::string alg = header.value("alg", "");
  const std::string kid =
      header.contains("kid") && header["kid"].is_string() ? header["kid"].get<std::string>() : "";
  const std::string key = KeyFor(alg, kid);
  const jwt_alg_t expected_alg = alg == "HS256" ? JWT_ALG_HS256 : JWT_ALG_RS256;
  jwt_t* decoded = nullptr;
  const std::string text(token);
  const int failed =
      jwt_decode(&decoded, text.c_str(), reinterpret_cast<const unsigned char*>(key.data()),
                 static_cast<int>(key.size()));
  JwtHandle verified(decoded);
  if (failed != 0 || !verified || jwt_get_alg(verified.get()) != expected_alg) {
    throw Refused("the JWT's signature does not verify");
  }
  JwtString claims(jwt_get_grants_json(verified.get(), nullptr));
  return PrincipalOf(claims ? claims.get() : "", expected_alg == JWT_ALG_HS256);
}

Principal JwtVerifier::PrincipalOf(const std::string& claims_json, bool cairn_signed) const {
  const json claims = json::parse(claims_json, nullptr, /*allow_exceptions=*/false);
  if (!claims.is_object()) throw Refused("the JWT's claims are not a JSON object");
  CheckTimes(claims, settings_.leeway);
  // Cairn's own tokens carry no audience: the secret names this server.
  const std::string issuer = cairn_signed ? std::string(kCairnJwtIssuer) : settings_.issuer;
  if (!claims.contains("iss") || claims["iss"] != issuer) throw Refused("the JWT's iss is wrong");
  if (!cairn_signed && !AudienceMatches(claims, settings_.audience)) {
    throw Refused("the JWT's aud does not name this server");
  }
  Principal principal;
  if (claims.contains("sub") && claims["sub"].is_string()) {
    principal.name = claims["sub"].get<std::string>();
  } else if (claims.contains("email") && claims["email"].is_string()) {
    principal.name = claims["email"].get<std::string>();
  }
  if (principal.name.empty()) throw Refused("the JWT names no sub or email");
  principal.access = claims.contains(settings_.permission_claim)
                         ? AccessOfClaim(claims[settings_.permission_claim])
                         : *AccessOfPermissionSet(settings_.default_permission_set);
  return principal;
}

}  // namespace cairn::auth
