#pragma once

#include <optional>
#include <string_view>

#include "auth/jwt_verifier.h"
#include "auth/principal.h"

namespace cairn::auth {

// The server's Authenticator: a Bearer value shaped like a JWT (three
// base64url parts) is verified by `jwts` (refused when the server takes no
// JWTs), anything else is looked up by `service_tokens`. Why a JWT is
// refused is logged at debug level, never the token. Thread-safe when both
// parts are.
class BearerAuthenticator final : public Authenticator {
 public:
  // `jwts` may be null: the server accepts service tokens only.
  BearerAuthenticator(Authenticator& service_tokens, const JwtVerifier* jwts)
      : service_tokens_(service_tokens), jwts_(jwts) {}

  std::optional<Principal> Authenticate(std::string_view authorization) override;

 private:
  Authenticator& service_tokens_;
  const JwtVerifier* jwts_;
};

}  // namespace cairn::auth
