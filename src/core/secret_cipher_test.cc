#include "core/secret_cipher.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "core/error.h"
#include "core/file.h"

namespace cairn {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSettings = R"({"bucket": {"secret_access_key": "wJalrXUtnFEMI/K7MDENG"}})";

TEST(SecretCipherTest, SealedSettingsOpenOnlyWithTheirKey) {
  SecretCipher cipher(std::string(32, 'k'));
  std::string sealed = cipher.Seal(kSettings);
  EXPECT_TRUE(SecretCipher::IsSealed(sealed));
  EXPECT_EQ(sealed.find("wJalrXUtnFEMI"), std::string::npos);
  EXPECT_NE(cipher.Seal(kSettings), sealed) << "a fresh nonce each time";
  EXPECT_EQ(cipher.Open(sealed), kSettings);
  EXPECT_EQ(cipher.Open(R"({"service": "shop"})"), R"({"service": "shop"})") << "unsealed rows";

  EXPECT_THROW(SecretCipher(std::string(32, 'x')).Open(sealed), Error);
  std::string tampered = sealed;
  tampered[tampered.size() - 40] = tampered[tampered.size() - 40] == 'a' ? 'b' : 'a';
  EXPECT_THROW(cipher.Open(tampered), Error);
  EXPECT_THROW(cipher.Open("sealed:v1:zz"), Error);
  EXPECT_THROW(SecretCipher("short"), Error);
}

TEST(SecretCipherTest, TheKeyComesFromTheEnvironmentElseAFileMadeOnce) {
  fs::path dir = fs::temp_directory_path() / ("cairn_key_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::path file = dir / "cairn.db.secret-key";
  std::string made = LoadOrCreateSecretKey(file, std::nullopt);
  EXPECT_EQ(made.size(), SecretCipher::kKeyBytes);
  EXPECT_EQ(LoadOrCreateSecretKey(file, std::nullopt), made);
  struct stat info {};
  ASSERT_EQ(::stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  std::string env(64, 'a');
  EXPECT_EQ(LoadOrCreateSecretKey(file, env), std::string(32, '\xaa'));
  EXPECT_THROW(LoadOrCreateSecretKey(file, std::string("0123")), Error);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cairn
