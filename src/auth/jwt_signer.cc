#include "auth/jwt_signer.h"

#include <fmt/format.h>

#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>

#include "auth/jwt_verifier.h"
#include "auth/libjwt_handles.h"
#include "auth/permission_sets.h"
#include "core/error.h"

namespace cairn::auth {
namespace {}  // namespace

std::string SignJwt(const std::string& claims_json, JwtAlgorithm algorithm, std::string_view key,
                    std::string_view kid) {
  jwt_t* created = nullptr;
  if (jwt_new(&created) != 0) throw Error(ErrorCode::kInternal, "libjwt could not start a JWT");
  JwtHandle token(created);
  const std::string kid_text(kid);
  if (!kid.empty() && jwt_add_header(token.get(), "kid", kid_text.c_str()) != 0) {
    throw Error(ErrorCode::kInternal, "libjwt could not set the JWT's kid");
  }
  if (jwt_add_grants_json(token.get(), claims_json.c_str()) != 0) {
    throw Error(ErrorCode::kInternal, "libjwt refused the JWT's claims");
  }
  const jwt_alg_t alg = algorithm == JwtAlgorithm::kHs256 ? JWT_ALG_HS256 : JWT_ALG_RS256;
  if (jwt_set_alg(token.get(), alg, reinterpret_cast<const unsigned char*>(key.data()),
                  static_cast<int>(key.size())) != 0) {
    throw Error(ErrorCode::kInvalidArgument, "the signing key is not usable");
  }
  JwtString encoded(jwt_encode_str(token.get()));
  if (!encoded) {
    throw Error(ErrorCode::kInvalidArgument,
                algorithm == JwtAlgorithm::kRs256
                    ? "the private key could not sign (is it an RSA private key in PEM?)"
                    : "the JWT could not be signed");
  }
  return encoded.get();
}

std::string MintCairnJwt(std::string_view secret, std::string_view subject,
                         std::string_view permission_set, std::chrono::seconds ttl,
                         std::string_view permission_claim) {
  if (subject.empty()) throw Error(ErrorCode::kInvalidArgument, "the JWT needs a subject");
  if (!AccessOfPermissionSet(permission_set)) {
    throw Error(ErrorCode::kInvalidArgument,
                fmt::format("unknown permission set '{}' (one of: {})", permission_set,
                            fmt::join(PermissionSets(), ", ")));
  }
  if (ttl.count() <= 0) throw Error(ErrorCode::kInvalidArgument, "the JWT's ttl must be positive");
  if (secret.size() < kMinJwtSecretBytes) {
    throw Error(ErrorCode::kInvalidArgument,
                fmt::format("the JWT secret must be at least {} bytes", kMinJwtSecretBytes));
  }
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  const nlohmann::json claims = {{"iss", kCairnJwtIssuer},
                                 {"sub", subject},
                                 {"iat", now},
                                 {"exp", now + ttl.count()},
                                 {std::string(permission_claim), permission_set}};
  return SignJwt(claims.dump(), JwtAlgorithm::kHs256, secret);
}

}  // namespace cairn::auth
