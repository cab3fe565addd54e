#include "auth/bearer_authenticator.h"

#include <spdlog/spdlog.h>

#include "core/ascii.h"
#include "core/error.h"

namespace cairn::auth {
namespace {

// The credential of "Bearer X" (scheme case-insensitive), or "" for any
// other scheme: a JWT is only ever a bearer token.
std::string_view BearerValue(std::string_view authorization) {
  const std::size_t space = authorization.find(' ');
  if (space == std::string_view::npos || AsciiLower(authorization.substr(0, space)) != "bearer") {
    return {};
  }
  std::string_view value = authorization.substr(space + 1);
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  return value;
}

}  // namespace

std::optional<Principal> BearerAuthenticator::Authenticate(std::string_view authorization) {
  const std::string_view value = BearerValue(authorization);
  if (!LooksLikeJwt(value)) return service_tokens_.Authenticate(authorization);
  if (jwts_ == nullptr) {
    spdlog::debug("JWT refused: the server takes no JWTs (no --jwt-secret-file or --oidc-*)");
    return std::nullopt;
  }
  try {
    return jwts_->Verify(value);
  } catch (const Error& e) {
    spdlog::debug("JWT refused: {}", e.message());
    return std::nullopt;
  }
}

}  // namespace cairn::auth
