#pragma once

#include <string>
#include <string_view>

// Service-token secrets and how they are kept: never the token itself, only
//   lookup key = the first 16 hex digits of SHA-256(token), an index to find
//                the record (64 bits of a hash of a 238-bit secret: useless
//                for recovering it), and
//   verifier   = SHA-256(salt || token) with 16 random bytes of salt,
// compared in constant time. Any token string works this way, so an
// operator-chosen bootstrap token (CAIRN_ADMIN_TOKEN) is stored alike.
namespace cairn::auth {

inline constexpr std::string_view kTokenPrefix = "cairn_";

// "cairn_" + 40 random base62 characters from OpenSSL's CSPRNG.
std::string GenerateTokenString();

// 12 random hex digits: the public id of a token (dbt Cloud's "uid").
std::string GenerateUid();

std::string LookupKey(std::string_view token);

// 16 random bytes, hex.
std::string GenerateSalt();

// hex(SHA-256(salt bytes || token)).
std::string Verifier(std::string_view salt_hex, std::string_view token);

// Whether `token` matches `verifier_hex` under `salt_hex`; constant time in
// the verifier's bytes.
bool VerifyToken(std::string_view token, std::string_view salt_hex, std::string_view verifier_hex);

}  // namespace cairn::auth
