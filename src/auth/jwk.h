#pragma once

#include <optional>
#include <string>
#include <string_view>

// JSON Web Keys (RFC 7517) of RSA, turned into the PEM that OpenSSL and
// libjwt take, and the base64url (RFC 4648 §5, unpadded) they are written in.
namespace cairn::auth {

bool IsBase64UrlChar(char c);

// nullopt when `text` is not unpadded base64url.
std::optional<std::string> Base64UrlDecode(std::string_view text);

// The PEM (SubjectPublicKeyInfo) of the RSA public key of a JWK {kty: RSA,
// n, e}. Throws Error kInvalidArgument when it is not a usable RSA
// signature key (other kty, `use` other than sig, `alg` other than RS256,
// bad base64url, a modulus under 2048 bits).
std::string RsaPublicKeyPemFromJwk(std::string_view jwk_json);

// The PEM (PKCS #8) of the RSA private key of a JWK {kty: RSA, n, e, d, p,
// q, dp, dq, qi}, as okta's privateKey may be written. Throws Error
// kInvalidArgument as above, or when a private field is missing; the
// message never holds key material.
std::string RsaPrivateKeyPemFromJwk(std::string_view jwk_json);

}  // namespace cairn::auth
