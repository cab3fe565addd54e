#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "catalog/store.h"
#include "core/file.h"
#include "core/secret_cipher.h"
#include "ingest/runs/run_store.h"

namespace cairn::ingest {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSettings = R"({"bucket": {"secret_access_key": "wJalrXUtnFEMI/K7MDENG"}})";

TEST(SqliteRunStoreTest, TheRunStoreKeepsSettingsSealedInTheFile) {
  fs::path dir = fs::temp_directory_path() / ("cairn_sealed_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string path = (dir / "cairn.db").string();
  catalog::OpenStore("sqlite:" + path);
  SecretCipher cipher(std::string(32, 'k'));
  {
    auto runs = OpenSqliteRunStore(path, &cipher);
    Integration created = runs->CreateIntegration(
        Integration{.id = "i1", .name = "shop", .type = "dbt_core", .settings_json = kSettings});
    EXPECT_EQ(created.settings_json, kSettings);
    EXPECT_EQ(runs->ListIntegrations().at(0).settings_json, kSettings);
  }
  auto plain = OpenSqliteRunStore(path);
  EXPECT_TRUE(SecretCipher::IsSealed(plain->GetIntegration("i1")->settings_json));
  for (const auto& entry : fs::directory_iterator(dir)) {
    EXPECT_EQ(ReadFile(entry.path().string()).find("wJalrXUtnFEMI"), std::string::npos)
        << entry.path();
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cairn::ingest
