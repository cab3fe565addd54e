#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace cairn::auth {

// The algorithms Cairn signs with: HS256 for its own tokens, RS256 for the
// client assertions and JWT-bearer grants of the OIDC providers.
enum class JwtAlgorithm { kHs256, kRs256 };

// A compact JWS of `claims_json` (a JSON object) signed with `key`: the
// HMAC secret for HS256, a PEM private key for RS256. `kid`, when not
// empty, goes into the header. Throws Error kInvalidArgument when the key
// cannot sign (an unreadable PEM); the message never holds the key.
std::string SignJwt(const std::string& claims_json, JwtAlgorithm algorithm, std::string_view key,
                    std::string_view kid = {});

// Mints an HS256 JWT of Cairn's own (iss "cairn", sub, iat, exp = now +
// ttl, the permission set in `permission_claim`), for an ingestion bot's
// securityConfig.jwtToken. Throws Error kInvalidArgument for an empty
// subject, an unknown permission set, a non-positive ttl or a secret
// shorter than 32 bytes.
std::string MintCairnJwt(std::string_view secret, std::string_view subject,
                         std::string_view permission_set, std::chrono::seconds ttl,
                         std::string_view permission_claim);

}  // namespace cairn::auth
