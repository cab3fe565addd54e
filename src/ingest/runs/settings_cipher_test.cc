#include "ingest/runs/settings_cipher.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "catalog/store.h"
#include "core/error.h"
#include "core/file.h"
#include "ingest/runs/run_store.h"

namespace cairn::ingest {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSettings = R"({"bucket": {"secret_access_key": "wJalrXUtnFEMI/K7MDENG"}})";

TEST(SettingsCipherTest, SealedSettingsOpenOnlyWithTheirKey) {
  SettingsCipher cipher(std::string(32, 'k'));
  std::string sealed = cipher.Seal(kSettings);
  EXPECT_TRUE(SettingsCipher::IsSealed(sealed));
  EXPECT_EQ(sealed.find("wJalrXUtnFEMI"), std::string::npos);
  EXPECT_NE(cipher.Seal(kSettings), sealed) << "a fresh nonce each time";
  EXPECT_EQ(cipher.Open(sealed), kSettings);
  EXPECT_EQ(cipher.Open(R"({"service": "shop"})"), R"({"service": "shop"})") << "unsealed rows";

  EXPECT_THROW(SettingsCipher(std::string(32, 'x')).Open(sealed), Error);
  std::string tampered = sealed;
  tampered[tampered.size() - 40] = tampered[tampered.size() - 40] == 'a' ? 'b' : 'a';
  EXPECT_THROW(cipher.Open(tampered), Error);
  EXPECT_THROW(cipher.Open("sealed:v1:zz"), Error);
  EXPECT_THROW(SettingsCipher("short"), Error);
}

TEST(SettingsCipherTest, TheKeyComesFromTheEnvironmentElseAFileMadeOnce) {
  fs::path dir = fs::temp_directory_path() / ("cairn_key_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::path file = dir / "cairn.db.secret-key";
  std::string made = LoadOrCreateSettingsKey(file, std::nullopt);
  EXPECT_EQ(made.size(), SettingsCipher::kKeyBytes);
  EXPECT_EQ(LoadOrCreateSettingsKey(file, std::nullopt), made);
  struct stat info {};
  ASSERT_EQ(::stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  std::string env(64, 'a');
  EXPECT_EQ(LoadOrCreateSettingsKey(file, env), std::string(32, '\xaa'));
  EXPECT_THROW(LoadOrCreateSettingsKey(file, std::string("0123")), Error);
  fs::remove_all(dir);
}

TEST(SettingsCipherTest, TheRunStoreKeepsSettingsSealedInTheFile) {
  fs::path dir = fs::temp_directory_path() / ("cairn_sealed_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string path = (dir / "cairn.db").string();
  catalog::OpenStore("sqlite:" + path);
  SettingsCipher cipher(std::string(32, 'k'));
  {
    auto runs = OpenSqliteRunStore(path, &cipher);
    Integration created = runs->CreateIntegration(
        Integration{.id = "i1", .name = "shop", .type = "dbt_core", .settings_json = kSettings});
    EXPECT_EQ(created.settings_json, kSettings);
    EXPECT_EQ(runs->ListIntegrations().at(0).settings_json, kSettings);
  }
  auto plain = OpenSqliteRunStore(path);
  EXPECT_TRUE(SettingsCipher::IsSealed(plain->GetIntegration("i1")->settings_json));
  for (const auto& entry : fs::directory_iterator(dir)) {
    EXPECT_EQ(ReadFile(entry.path().string()).find("wJalrXUtnFEMI"), std::string::npos)
        << entry.path();
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cairn::ingest
