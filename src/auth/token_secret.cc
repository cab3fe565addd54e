#include "auth/token_secret.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>
#include <memory>
#include <stdexcept>
#include <vector>

#include "core/error.h"
#include "core/hex.h"

namespace cairn::auth {
namespace {

constexpr std::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr std::size_t kSecretChars = 40;
constexpr std::size_t kSaltBytes = 16;

std::vector<unsigned char> RandomBytes(std::size_t count) {
  std::vector<unsigned char> bytes(count);
  if (RAND_bytes(bytes.data(), static_cast<int>(count)) != 1) {
    throw Error(ErrorCode::kInternal, "the system's random number generator failed");
  }
  return bytes;
}

std::vector<unsigned char> Unhex(std::string_view hex) {
  auto value = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::vector<unsigned char> bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    int high = value(hex[i]);
    int low = value(hex[i + 1]);
    if (high < 0 || low < 0) return {};
    bytes.push_back(static_cast<unsigned char>(high * 16 + low));
  }
  return bytes;
}

// OpenSSL 3 looks an algorithm up in its provider registry (locks, string
// compares) on every EVP_sha256() digest; every request's token check hashes
// twice, so the implementation is fetched once and each thread keeps a context.
const EVP_MD* Sha256Implementation() {
  static const EVP_MD* const implementation = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (fetched == nullptr) throw Error(ErrorCode::kInternal, "SHA-256 is not available");
    return fetched;  // kept for the life of the process
  }();
  return implementation;
}

EVP_MD_CTX* ThreadDigestContext() {
  thread_local std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                               &EVP_MD_CTX_free);
  if (!context) throw Error(ErrorCode::kInternal, "SHA-256 failed");
  return context.get();
}

std::array<unsigned char, SHA256_DIGEST_LENGTH> Sha256(std::string_view prefix,
                                                       std::string_view text) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  EVP_MD_CTX* context = ThreadDigestContext();
  bool ok = EVP_DigestInit_ex(context, Sha256Implementation(), nullptr) == 1 &&
            EVP_DigestUpdate(context, prefix.data(), prefix.size()) == 1 &&
            EVP_DigestUpdate(context, text.data(), text.size()) == 1 &&
            EVP_DigestFinal_ex(context, digest.data(), nullptr) == 1;
  if (!ok) throw Error(ErrorCode::kInternal, "SHA-256 failed");
  return digest;
}

}  // namespace

std::string GenerateTokenString() {
  std::string token(kTokenPrefix);
  // Rejection sampling keeps every character uniformly likely.
  while (token.size() < kTokenPrefix.size() + kSecretChars) {
    for (unsigned char byte : RandomBytes(kSecretChars)) {
      if (byte >= 248) continue;  // 248 = 4 * 62
      token += kBase62[byte % 62];
      if (token.size() == kTokenPrefix.size() + kSecretChars) break;
    }
  }
  return token;
}

std::string GenerateUid() {
  std::vector<unsigned char> bytes = RandomBytes(6);
  return HexLower(bytes.data(), bytes.size());
}

std::string LookupKey(std::string_view token) {
  auto digest = Sha256("", token);
  return HexLower(digest.data(), 8);
}

std::string GenerateSalt() {
  std::vector<unsigned char> bytes = RandomBytes(kSaltBytes);
  return HexLower(bytes.data(), bytes.size());
}

std::string Verifier(std::string_view salt_hex, std::string_view token) {
  std::vector<unsigned char> salt = Unhex(salt_hex);
  std::string_view salt_bytes(reinterpret_cast<const char*>(salt.data()), salt.size());
  auto digest = Sha256(salt_bytes, token);
  return HexLower(digest.data(), digest.size());
}

bool VerifyToken(std::string_view token, std::string_view salt_hex, std::string_view verifier_hex) {
  std::string computed = Verifier(salt_hex, token);
  if (computed.size() != verifier_hex.size()) return false;
  return CRYPTO_memcmp(computed.data(), verifier_hex.data(), computed.size()) == 0;
}

}  // namespace cairn::auth
