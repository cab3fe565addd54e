#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

// Credentials kept by Cairn (a bucket integration's secret access key, a dbt
// Cloud API key, a secret file) are sealed: AES-256-GCM under a key held
// apart from the rows or file that hold them, so that a copy of the catalog
// alone (a backup, a support bundle) does not give the keys away.
// Thread-safe.
namespace cairn {

class SecretCipher {
 public:
  static constexpr std::size_t kKeyBytes = 32;

  // `key`: kKeyBytes raw bytes; kInvalidArgument otherwise.
  explicit SecretCipher(std::string key);

  // "sealed:v1:" and the hex of a fresh 12-byte nonce, the ciphertext and
  // the 16-byte tag.
  std::string Seal(std::string_view plaintext) const;
  // The plaintext of a sealed value; text that is not sealed (rows written
  // before sealing) as it is. kStorage when it does not open with this key.
  std::string Open(std::string_view stored) const;

  static bool IsSealed(std::string_view stored);

 private:
  std::string key_;
};

// The key settings are sealed with: CAIRN_SECRET_KEY (64 hex digits) when
// set, else the file `key_file`, created with random bytes (mode 0600) when
// it does not exist. Throws kInvalidArgument for a malformed key, kIo when
// the file cannot be read or written.
std::string LoadOrCreateSecretKey(const std::filesystem::path& key_file,
                                  const std::optional<std::string>& env_key);

}  // namespace cairn
