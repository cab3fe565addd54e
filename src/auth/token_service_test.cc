#include "auth/token_service.h"

#include <gtest/gtest.h>

#include <thread>

#include "auth/permission_sets.h"
#include "core/error.h"
#include "core/timestamp.h"
#include "server/testing/store_database.h"

namespace cairn::auth {
namespace {

class TokenServiceTest : public ::testing::TestWithParam<testing::StoreBackend> {
 protected:
  void SetUp() override {
    database_ = GetParam().create();
    store_ = OpenTokenStore(database_->url());
    service_ = std::make_unique<TokenService>(*store_);
  }

  CreatedToken Create(const std::string& name, const std::string& permission_set) {
    return service_->Create(
        {.account_id = 1, .name = name, .grants = {{.permission_set = permission_set}}});
  }

  std::unique_ptr<testing::StoreDatabase> database_;
  std::unique_ptr<TokenStore> store_;
  std::unique_ptr<TokenService> service_;
};

TEST_P(TokenServiceTest, AuthenticatesBearerAndTokenSchemes) {
  CreatedToken created = Create("ci", "job_admin");
  for (const std::string& header :
       {"Bearer " + created.token_string, "Token " + created.token_string,
        "bearer " + created.token_string}) {
    std::optional<Principal> principal = service_->Authenticate(header);
    ASSERT_TRUE(principal.has_value()) << header;
    EXPECT_EQ(principal->name, "ci");
    EXPECT_EQ(principal->access, Access::kIngest);
  }
  for (const std::string& header :
       {std::string(), created.token_string, "Basic " + created.token_string,
        "Bearer " + created.token_string + "x", std::string("Bearer ")}) {
    EXPECT_FALSE(service_->Authenticate(header).has_value()) << header;
  }
}

TEST_P(TokenServiceTest, PermissionSetsMapToAccessLevels) {
  EXPECT_EQ(AccessOfPermissionSet("account_admin"), Access::kAdmin);
  EXPECT_EQ(AccessOfPermissionSet("job_runner"), Access::kIngest);
  EXPECT_EQ(AccessOfPermissionSet("metadata_only"), Access::kRead);
  EXPECT_EQ(AccessOfPermissionSet("billing_admin"), Access::kNone);
  EXPECT_FALSE(AccessOfPermissionSet("superuser").has_value());
  EXPECT_EQ(PermissionSets().size(), 31u);
  // A token has the most of its grants.
  CreatedToken both = service_->Create(
      {.account_id = 1,
       .name = "both",
       .grants = {{.permission_set = "metadata_only"}, {.permission_set = "job_admin"}}});
  EXPECT_EQ(service_->Authenticate("Bearer " + both.token_string)->access, Access::kIngest);
  CreatedToken none = service_->Create({.account_id = 1, .name = "none"});
  EXPECT_EQ(service_->Authenticate("Bearer " + none.token_string)->access, Access::kNone);
}

TEST_P(TokenServiceTest, DeactivatedTokensAreRefusedAtOnceAndKept) {
  CreatedToken created = Create("old", "metadata_only");
  ASSERT_TRUE(service_->Authenticate("Bearer " + created.token_string).has_value());
  std::optional<ServiceToken> updated = service_->Update(1, created.token.id, std::nullopt, 2);
  ASSERT_TRUE(updated.has_value());
  EXPECT_EQ(updated->state, 2);
  EXPECT_FALSE(service_->Authenticate("Bearer " + created.token_string).has_value());
  // A new service over the same store (a restart) agrees.
  TokenService restarted(*store_);
  EXPECT_FALSE(restarted.Authenticate("Bearer " + created.token_string).has_value());
  std::int64_t total = 0;
  EXPECT_EQ(service_->List(1, 2, 10, 0, total).size(), 1u);
  EXPECT_EQ(total, 1);
  EXPECT_THROW(service_->Update(1, created.token.id, std::nullopt, 1), Error);
}

// Two services on one store stand for two `cairn serve` on one database.
TEST_P(TokenServiceTest, TokensMadeByAnotherServiceOnTheStoreAreKnownAtOnce) {
  TokenService other(*store_);
  CreatedToken created = Create("ci", "metadata_only");
  std::optional<Principal> principal = other.Authenticate("Bearer " + created.token_string);
  ASSERT_TRUE(principal.has_value());
  EXPECT_EQ(principal->name, "ci");
  EXPECT_FALSE(other.Authenticate("Bearer " + created.token_string + "x").has_value());
}

TEST_P(TokenServiceTest, TokensDeactivatedByAnotherServiceAreRefusedOnceTheIndexIsOld) {
  CreatedToken created = Create("ci", "metadata_only");
  TokenService fresh(*store_, std::chrono::milliseconds(0));
  TokenService lasting(*store_, std::chrono::hours(1));
  ASSERT_TRUE(fresh.Authenticate("Bearer " + created.token_string).has_value());
  ASSERT_TRUE(lasting.Authenticate("Bearer " + created.token_string).has_value());
  ASSERT_TRUE(service_->Update(1, created.token.id, std::nullopt, kTokenInactive).has_value());
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_FALSE(fresh.Authenticate("Bearer " + created.token_string).has_value());
  // Within its age the index is trusted: the refusal waits for the next read.
  EXPECT_TRUE(lasting.Authenticate("Bearer " + created.token_string).has_value());
}

TEST_P(TokenServiceTest, ExpiredTokensAreRefused) {
  auto soon = std::chrono::system_clock::now() + std::chrono::milliseconds(1500);
  CreatedToken created = service_->Create({.account_id = 1,
                                           .name = "short",
                                           .grants = {{.permission_set = "readonly"}},
                                           .expires_at = FormatUtcTimestamp(soon)});
  EXPECT_TRUE(service_->Authenticate("Bearer " + created.token_string).has_value());
  std::this_thread::sleep_until(soon + std::chrono::milliseconds(100));
  EXPECT_FALSE(service_->Authenticate("Bearer " + created.token_string).has_value());
}

TEST_P(TokenServiceTest, BadRequestsNameTheField) {
  try {
    Create("x", "superuser");
    FAIL() << "accepted an unknown permission set";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("unknown permission_set 'superuser'"), std::string::npos);
  }
  EXPECT_THROW(Create("", "readonly"), Error);
  EXPECT_THROW(service_->Create({.account_id = 1, .name = "x", .expires_at = "yesterday"}), Error);
  EXPECT_THROW(
      service_->Create({.account_id = 1, .name = "x", .expires_at = "2001-01-01T00:00:00Z"}),
      Error);
}

TEST_P(TokenServiceTest, TheSecretIsNeverStored) {
  CreatedToken created = Create("ci", "job_admin");
  service_.reset();
  store_.reset();
  std::string bytes = database_->ContentsAtRest();
  EXPECT_FALSE(bytes.empty());
  EXPECT_EQ(bytes.find(created.token_string), std::string::npos);
  EXPECT_EQ(bytes.find(created.token_string.substr(6)), std::string::npos);
}

TEST_P(TokenServiceTest, BootstrapCreatesOneAdminTokenOnce) {
  std::optional<std::string> printed = service_->EnsureBootstrapToken(1, "");
  ASSERT_TRUE(printed.has_value());
  EXPECT_EQ(service_->Authenticate("Bearer " + *printed)->access, Access::kAdmin);
  EXPECT_FALSE(service_->EnsureBootstrapToken(1, "").has_value());
  std::int64_t total = 0;
  service_->List(1, std::nullopt, 10, 0, total);
  EXPECT_EQ(total, 1);
}

TEST_P(TokenServiceTest, BootstrapTakesTheOperatorsToken) {
  EXPECT_THROW(service_->EnsureBootstrapToken(1, "short"), Error);
  std::string chosen = "an-operator-chosen-secret-of-enough-length";
  EXPECT_FALSE(service_->EnsureBootstrapToken(1, chosen).has_value());
  std::optional<Principal> principal = service_->Authenticate("Token " + chosen);
  ASSERT_TRUE(principal.has_value());
  EXPECT_EQ(principal->name, "bootstrap");
  EXPECT_EQ(principal->access, Access::kAdmin);
}

TEST_P(TokenServiceTest, LastUsedIsWrittenWithoutAWritePerRequest) {
  CreatedToken created = Create("ci", "readonly");
  for (int i = 0; i < 5; ++i) service_->Authenticate("Bearer " + created.token_string);
  EXPECT_TRUE(service_->Get(1, created.token.id)->last_used.empty());
  service_->FlushLastUsed();
  EXPECT_TRUE(ParseUtcTimestamp(service_->Get(1, created.token.id)->last_used).has_value());
}

INSTANTIATE_TEST_SUITE_P(Backend, TokenServiceTest, ::testing::Values(testing::TestedBackend()),
                         testing::BackendName);

}  // namespace
}  // namespace cairn::auth
