#include "auth/credential_store.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "server/testing/store_database.h"

namespace cairn::auth {
namespace {

constexpr const char* kApiKey = "dbtc_TestKeyThatMustNeverShow_wxyz";

std::string KeyOf(char fill) {
  return std::string(SecretCipher::kKeyBytes, fill);
}

cloud::DbtCloudCredentials Fields(std::string api_key = kApiKey) {
  return {.account_id = "43", .api_key = std::move(api_key)};
}

class CredentialStoreTest : public ::testing::TestWithParam<testing::StoreBackend> {
 protected:
  void SetUp() override {
    database_ = GetParam().create();
    store_ = OpenCredentialStore(database_->url());
    blocks_ = std::make_unique<CredentialBlocks>(*store_, cipher_);
  }

  // The message of the cairn::Error that `body` throws, checking its code.
  template <typename Body>
  static std::string ErrorOf(ErrorCode code, Body body) {
    try {
      body();
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), code) << e.what();
      return e.message();
    }
    ADD_FAILURE() << "no error thrown";
    return "";
  }

  std::unique_ptr<testing::StoreDatabase> database_;
  std::unique_ptr<CredentialStore> store_;
  SecretCipher cipher_{KeyOf('k')};
  std::unique_ptr<CredentialBlocks> blocks_;
};

TEST_P(CredentialStoreTest, CreatesListsGetsAndDeletes) {
  CredentialBlock created = blocks_->Create("dbt-cloud", "prod",
                                            {.account_id = "43",
                                             .api_key = kApiKey,
                                             .domain = "emea.dbt.com",
                                             .access_url = "https://ab123.us1.dbt.com",
                                             .discovery_url = "http://127.0.0.1:9999/graphql"});
  EXPECT_EQ(created.name, "prod");
  EXPECT_EQ(created.type, "dbt-cloud");
  EXPECT_EQ(created.account_id, "43");
  EXPECT_EQ(created.domain, "emea.dbt.com");
  EXPECT_EQ(created.access_url, "https://ab123.us1.dbt.com");
  EXPECT_EQ(created.discovery_url, "http://127.0.0.1:9999/graphql");
  EXPECT_EQ(created.masked_api_key, "****wxyz");
  EXPECT_FALSE(created.created_at.empty());
  EXPECT_FALSE(created.updated_at.empty());
  blocks_->Create("dbt-cloud", "dev", Fields());

  std::vector<CredentialBlock> listed = blocks_->List();
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].name, "dev");
  EXPECT_EQ(listed[0].domain, "cloud.getdbt.com");  // the default
  EXPECT_EQ(listed[1].name, "prod");
  EXPECT_EQ(blocks_->Get("prod").masked_api_key, "****wxyz");

  blocks_->Delete("prod");
  ASSERT_EQ(blocks_->List().size(), 1u);
  EXPECT_EQ(blocks_->List()[0].name, "dev");
  EXPECT_NE(ErrorOf(ErrorCode::kNotFound, [&] { blocks_->Delete("prod"); }).find("'prod'"),
            std::string::npos);
}

TEST_P(CredentialStoreTest, ResolvesDbtCloudCredentialsWithTheKeyOpened) {
  blocks_->Create("dbt-cloud", "prod",
                  {.account_id = "43", .api_key = kApiKey, .access_url = "https://x.example"});
  cloud::DbtCloudCredentials credentials = blocks_->DbtCloud("prod");
  EXPECT_EQ(credentials.account_id, "43");
  EXPECT_EQ(credentials.api_key, kApiKey);
  EXPECT_EQ(credentials.domain, "cloud.getdbt.com");
  EXPECT_EQ(credentials.access_url, "https://x.example");
  EXPECT_EQ(credentials.discovery_url, "");
}

TEST_P(CredentialStoreTest, NotFoundNamesTheBlockAndThoseThatExist) {
  std::string none = ErrorOf(ErrorCode::kNotFound, [&] { blocks_->DbtCloud("prod"); });
  EXPECT_NE(none.find("no credential block 'prod'"), std::string::npos) << none;
  EXPECT_NE(none.find("none yet"), std::string::npos) << none;

  blocks_->Create("dbt-cloud", "staging", Fields());
  blocks_->Create("dbt-cloud", "dev", Fields());
  std::string some = ErrorOf(ErrorCode::kNotFound, [&] { blocks_->Get("prod"); });
  EXPECT_NE(some.find("'prod'"), std::string::npos) << some;
  EXPECT_NE(some.find("there are: dev, staging"), std::string::npos) << some;
}

TEST_P(CredentialStoreTest, KeyIsSealedAtRest) {
  blocks_->Create("dbt-cloud", "prod", Fields());
  std::string bytes = database_->ContentsAtRest();
  ASSERT_NE(bytes.find("prod"), std::string::npos);   // the database holds the block...
  EXPECT_EQ(bytes.find(kApiKey), std::string::npos);  // ...but not its key
  EXPECT_EQ(bytes.find("TestKeyThatMustNeverShow"), std::string::npos);
  std::optional<CredentialRecord> record = store_->Get("prod");
  ASSERT_TRUE(record.has_value());
  EXPECT_TRUE(SecretCipher::IsSealed(record->fields.api_key));
}

TEST_P(CredentialStoreTest, WrongSecretKeyFailsClearly) {
  blocks_->Create("dbt-cloud", "prod", Fields());
  SecretCipher other(KeyOf('o'));
  CredentialBlocks with_other_key(*store_, other);
  for (auto attempt :
       {+[](CredentialBlocks& b) { b.DbtCloud("prod"); },
        +[](CredentialBlocks& b) { b.Get("prod"); }, +[](CredentialBlocks& b) { b.List(); }}) {
    std::string message = ErrorOf(ErrorCode::kStorage, [&] { attempt(with_other_key); });
    EXPECT_NE(message.find("credential block 'prod'"), std::string::npos) << message;
    EXPECT_NE(message.find("CAIRN_SECRET_KEY"), std::string::npos) << message;
    EXPECT_EQ(message.find(kApiKey), std::string::npos);
  }
}

TEST_P(CredentialStoreTest, DuplicateNameIsRefusedAndTheFirstKept) {
  blocks_->Create("dbt-cloud", "prod", Fields());
  std::string message = ErrorOf(ErrorCode::kInvalidArgument, [&] {
    blocks_->Create("dbt-cloud", "prod", Fields("dbtc_another_key_of_sorts_1234"));
  });
  EXPECT_NE(message.find("'prod' exists"), std::string::npos) << message;
  EXPECT_EQ(blocks_->DbtCloud("prod").api_key, kApiKey);
}

TEST_P(CredentialStoreTest, RefusesBadNamesTypesAndFields) {
  for (const std::string& name :
       {std::string(), std::string("-prod"), std::string("pro d"), std::string("prod/x"),
        std::string("prod;drop"), std::string(65, 'a'), std::string("прод")}) {
    std::string message =
        ErrorOf(ErrorCode::kInvalidArgument, [&] { blocks_->Create("dbt-cloud", name, Fields()); });
    EXPECT_NE(message.find("not a credential block name"), std::string::npos) << name;
  }
  blocks_->Create("dbt-cloud", std::string(64, 'a'), Fields());  // the longest allowed
  blocks_->Create("dbt-cloud", "Prod_2.eu-west", Fields());

  std::string type =
      ErrorOf(ErrorCode::kInvalidArgument, [&] { blocks_->Create("snowflake", "x", Fields()); });
  EXPECT_NE(type.find("unknown credential block type 'snowflake'"), std::string::npos) << type;
  EXPECT_NE(type.find("allowed types are: dbt-cloud"), std::string::npos) << type;

  auto refused = [&](cloud::DbtCloudCredentials fields, const char* fragment) {
    std::string message =
        ErrorOf(ErrorCode::kInvalidArgument, [&] { blocks_->Create("dbt-cloud", "bad", fields); });
    EXPECT_NE(message.find(fragment), std::string::npos) << message;
  };
  refused({.account_id = "", .api_key = kApiKey}, "account id");
  refused({.account_id = "4x3", .api_key = kApiKey}, "account id '4x3'");
  refused({.account_id = "43", .api_key = ""}, "API key is empty");
  refused({.account_id = "43", .api_key = "dbtc_with\nnewline_xxxx"}, "control characters");
  refused({.account_id = "43", .api_key = kApiKey, .domain = "https://cloud.getdbt.com"},
          "not a host name");
  refused({.account_id = "43", .api_key = kApiKey, .domain = ""}, "not a host name");
  refused({.account_id = "43", .api_key = kApiKey, .access_url = "ftp://x"}, "access URL");
  refused({.account_id = "43", .api_key = kApiKey, .discovery_url = "https://"}, "discovery URL");
  EXPECT_EQ(blocks_->List().size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Backend, CredentialStoreTest, ::testing::Values(testing::TestedBackend()),
                         testing::BackendName);

TEST(MaskedKeyTest, ShowsTheLastFourCharactersOfLongKeysOnly) {
  EXPECT_EQ(MaskedKey("dbtc_0123456789wxyz"), "****wxyz");
  EXPECT_EQ(MaskedKey("abcdefghijkl"), "****ijkl");
  EXPECT_EQ(MaskedKey("abcdefghijk"), "****");
  EXPECT_EQ(MaskedKey(""), "****");
}

TEST(CredentialBlockJsonTest, HasTheMaskedKeyOnly) {
  nlohmann::json json = CredentialBlockJson({.name = "prod",
                                             .type = "dbt-cloud",
                                             .account_id = "43",
                                             .domain = "cloud.getdbt.com",
                                             .masked_api_key = "****wxyz"});
  EXPECT_EQ(json["api_key"], "****wxyz");
  EXPECT_EQ(json["name"], "prod");
  EXPECT_EQ(json["account_id"], "43");
  EXPECT_EQ(json["access_url"], "");
}

}  // namespace
}  // namespace cairn::auth
