#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "core/secret_cipher.h"
#include "secrets/secret_store.h"

// A secret in a local file, sealed (AES-256-GCM, core/secret_cipher.h) so
// that a copy of the file alone does not give the value away. The key is
// CAIRN_SECRET_KEY, else the key file `<PATH>.key`, created (0600) on first
// use. The file is written 0600 to a temporary beside it, synced, then
// renamed over the old one: a crash leaves the old value or the new, whole.
namespace cairn::secrets {

class FileSecretStore final : public SecretStore {
 public:
  FileSecretStore(std::filesystem::path path, const std::optional<std::string>& env_key);

  std::optional<std::string> Read() override;
  void Write(const std::string& value) override;
  std::string Describe() const override { return "file:" + path_.string(); }

  static std::filesystem::path KeyFileFor(const std::filesystem::path& path);

 private:
  std::filesystem::path path_;
  SecretCipher cipher_;
  bool key_from_env_;
};

}  // namespace cairn::secrets
