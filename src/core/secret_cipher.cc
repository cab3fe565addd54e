#include "core/secret_cipher.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <memory>
#include <vector>

#include "core/error.h"
#include "core/file.h"
#include "core/hex.h"

namespace cairn {
namespace {

constexpr std::string_view kPrefix = "sealed:v1:";
constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

std::optional<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string bytes(hex.size() / 2, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    int high = digit(hex[2 * i]);
    int low = digit(hex[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    bytes[i] = static_cast<char>((high << 4) | low);
  }
  return bytes;
}

const unsigned char* Bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

unsigned char* Bytes(std::string& text) {
  return reinterpret_cast<unsigned char*>(text.data());
}

int Length(std::size_t size) {
  return static_cast<int>(size);
}

[[noreturn]] void CannotOpen() {
  throw Error(ErrorCode::kStorage,
              "integration settings do not decrypt with this server's key (CAIRN_SECRET_KEY or "
              "the key file beside the catalog): start it with the key they were sealed with");
}

}  // namespace

SecretCipher::SecretCipher(std::string key) : key_(std::move(key)) {
  if (key_.size() != kKeyBytes) {
    throw Error(ErrorCode::kInvalidArgument,
                fmt::format("the settings key must be {} bytes", kKeyBytes));
  }
}

bool SecretCipher::IsSealed(std::string_view stored) {
  return stored.starts_with(kPrefix);
}

std::string SecretCipher::Seal(std::string_view plaintext) const {
  std::array<unsigned char, kNonceBytes> nonce{};
  if (RAND_bytes(nonce.data(), static_cast<int>(nonce.size())) != 1) {
    throw Error(ErrorCode::kInternal, "no random bytes for a nonce");
  }
  CipherContext context(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  std::string sealed(plaintext.size() + kTagBytes, '\0');
  int written = 0;
  int final_bytes = 0;
  if (!context ||
      EVP_EncryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, Bytes(key_), nonce.data()) !=
          1 ||
      EVP_EncryptUpdate(context.get(), Bytes(sealed), &written, Bytes(plaintext),
                        Length(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(context.get(), Bytes(sealed) + written, &final_bytes) != 1 ||
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, Length(kTagBytes),
                          Bytes(sealed) + plaintext.size()) != 1) {
    throw Error(ErrorCode::kInternal, "AES-256-GCM sealing failed");
  }
  return std::string(kPrefix) + HexLower(nonce.data(), nonce.size()) +
         HexLower(Bytes(sealed), sealed.size());
}

std::string SecretCipher::Open(std::string_view stored) const {
  if (!IsSealed(stored)) return std::string(stored);
  std::optional<std::string> bytes = FromHex(stored.substr(kPrefix.size()));
  if (!bytes || bytes->size() < kNonceBytes + kTagBytes) CannotOpen();
  std::string_view all(*bytes);
  std::string_view nonce = all.substr(0, kNonceBytes);
  std::string_view ciphertext = all.substr(kNonceBytes, all.size() - kNonceBytes - kTagBytes);
  std::string tag(all.substr(all.size() - kTagBytes));
  CipherContext context(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  std::string plaintext(ciphertext.size(), '\0');
  int written = 0;
  int final_bytes = 0;
  if (!context ||
      EVP_DecryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, Bytes(key_), Bytes(nonce)) !=
          1 ||
      EVP_DecryptUpdate(context.get(), Bytes(plaintext), &written, Bytes(ciphertext),
                        Length(ciphertext.size())) != 1 ||
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, Length(kTagBytes), Bytes(tag)) !=
          1 ||
      EVP_DecryptFinal_ex(context.get(), Bytes(plaintext) + written, &final_bytes) != 1) {
    CannotOpen();
  }
  return plaintext;
}

std::string LoadOrCreateSecretKey(const std::filesystem::path& key_file,
                                  const std::optional<std::string>& env_key) {
  if (env_key && !env_key->empty()) {
    std::optional<std::string> key = FromHex(*env_key);
    if (!key || key->size() != SecretCipher::kKeyBytes) {
      throw Error(ErrorCode::kInvalidArgument,
                  "CAIRN_SECRET_KEY must be 64 hex digits (32 bytes; openssl rand -hex 32)");
    }
    return *key;
  }
  if (std::filesystem::exists(key_file)) {
    std::optional<std::string> key = FromHex(ReadFile(key_file.string()));
    if (!key || key->size() != SecretCipher::kKeyBytes) {
      throw Error(ErrorCode::kInvalidArgument, "not a settings key (64 hex digits)",
                  {.file = key_file.string()});
    }
    return *key;
  }
  std::array<unsigned char, SecretCipher::kKeyBytes> key{};
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
    throw Error(ErrorCode::kInternal, "no random bytes for the settings key");
  }
  // Written beside it, then linked into place: of two servers starting on
  // one catalog, one key wins whole and the other server reads it.
  std::string temporary = fmt::format("{}.{}.tmp", key_file.string(), ::getpid());
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC, S_IRUSR | S_IWUSR);
  std::string hex = HexLower(key.data(), key.size());
  bool written = fd >= 0 && ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size());
  if (fd >= 0) ::close(fd);
  int linked = written ? ::link(temporary.c_str(), key_file.c_str()) : -1;
  int link_error = errno;
  ::unlink(temporary.c_str());
  if (linked != 0 && written && link_error == EEXIST) {
    return LoadOrCreateSecretKey(key_file, std::nullopt);
  }
  if (linked != 0) {
    throw Error(ErrorCode::kIo, "cannot create the settings key", {.file = key_file.string()});
  }
  return std::string(reinterpret_cast<const char*>(key.data()), key.size());
}

}  // namespace cairn
