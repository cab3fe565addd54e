#include "secrets/file_secret_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "core/error.h"
#include "core/file.h"
#include "secrets/secret_store.h"

namespace cairn::secrets {
namespace {

namespace fs = std::filesystem;

class FileSecretStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cairn_secret_store_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static unsigned ModeOf(const fs::path& path) {
    struct stat info {};
    EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
    return info.st_mode & 0777;
  }

  fs::path dir_;
};

constexpr const char* kValue = R"({"service_token":"dbtc_very_secret_value_1234"})";

TEST_F(FileSecretStoreTest, IsEmptyUntilWrittenThenSealedAtRestAndPrivate) {
  const fs::path path = dir_ / "token.secret";
  FileSecretStore store(path, std::nullopt);
  EXPECT_FALSE(store.Read().has_value());
  store.Write(kValue);
  EXPECT_EQ(store.Read(), kValue);
  const std::string on_disk = ReadFile(path.string());
  EXPECT_EQ(on_disk.find("dbtc_very_secret"), std::string::npos) << "sealed at rest";
  EXPECT_TRUE(SecretCipher::IsSealed(on_disk));
  EXPECT_EQ(ModeOf(path), 0600u);
  EXPECT_EQ(ModeOf(FileSecretStore::KeyFileFor(path)), 0600u);
  store.Write("second");
  EXPECT_EQ(FileSecretStore(path, std::nullopt).Read(), "second") << "the key file is reused";
  EXPECT_EQ(ModeOf(path), 0600u);
  for (const auto& entry : fs::directory_iterator(dir_)) {
    EXPECT_EQ(entry.path().extension(), entry.path() == path ? ".secret" : ".key")
        << "no temporary left: " << entry.path();
  }
}

TEST_F(FileSecretStoreTest, TheWrongKeyFailsClearly) {
  const fs::path path = dir_ / "token.secret";
  const std::string key_a(64, 'a');
  const std::string key_b(64, 'b');
  FileSecretStore(path, key_a).Write(kValue);
  EXPECT_FALSE(fs::exists(FileSecretStore::KeyFileFor(path))) << "CAIRN_SECRET_KEY: no key file";
  try {
    FileSecretStore(path, key_b).Read();
    FAIL() << "opened with the wrong key";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(error.message().find("does not decrypt with CAIRN_SECRET_KEY"), std::string::npos)
        << error.message();
    EXPECT_EQ(error.message().find("dbtc_"), std::string::npos);
  }
  EXPECT_EQ(FileSecretStore(path, key_a).Read(), kValue);
}

TEST_F(FileSecretStoreTest, APlainFileIsRefused) {
  const fs::path path = dir_ / "plain.secret";
  WriteFileAtomically(path.string(), kValue);
  try {
    FileSecretStore(path, std::nullopt).Read();
    FAIL() << "read a plain file";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kParse);
    EXPECT_NE(error.message().find("not a sealed secret file"), std::string::npos);
  }
}

TEST(OpenSecretStore, KnowsItsForms) {
  SecretStoreOptions options{.env = [](const std::string&) { return std::nullopt; }};
  try {
    OpenSecretStore("vault:x", options);
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(error.message().find("aws-secretsmanager:NAME or file:PATH"), std::string::npos);
  }
  cloud::HttpClient http;
  options.http = &http;
  options.env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "AWS_ACCESS_KEY_ID") return "AKID";
    if (name == "AWS_SECRET_ACCESS_KEY") return "SECRET";
    if (name == "HOME") return "/nonexistent";
    return std::nullopt;
  };
  try {
    OpenSecretStore("aws-secretsmanager:dbt/token", options);
    FAIL() << "opened without a region";
  } catch (const Error& error) {
    EXPECT_NE(error.message().find("no AWS region"), std::string::npos) << error.message();
  }
  options.aws_region = "eu-west-1";
  EXPECT_EQ(OpenSecretStore("aws-secretsmanager:dbt/token", options)->Describe(),
            "aws-secretsmanager:dbt/token");
}

}  // namespace
}  // namespace cairn::secrets
