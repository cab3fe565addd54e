#include "secrets/token_rotation.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>

#include "core/error.h"

namespace cairn::secrets {
namespace {

using cloud::ServiceTokenGrant;
using cloud::ServiceTokenInfo;

// An account's tokens in memory, with the v3 semantics the rotation relies on.
class AccountTokens : public cloud::ServiceTokenApi {
 public:
  cloud::CreatedServiceToken Create(const std::string& name,
                                    const std::vector<ServiceTokenGrant>& grants) override {
    ServiceTokenInfo token{.id = next_id_++, .name = name, .grants = grants};
    tokens_[token.id] = token;
    return {.token = token, .token_string = "secret-" + std::to_string(token.id)};
  }
  std::vector<ServiceTokenInfo> ListActive() override {
    std::vector<ServiceTokenInfo> active;
    for (const auto& [id, token] : tokens_) {
      if (token.state == cloud::kServiceTokenActive) active.push_back(token);
    }
    return active;
  }
  std::optional<ServiceTokenInfo> Get(std::int64_t id) override {
    auto it = tokens_.find(id);
    return it == tokens_.end() ? std::nullopt : std::optional(it->second);
  }
  void Delete(std::int64_t id) override {
    if (auto it = tokens_.find(id); it != tokens_.end()) it->second.state = 2;
  }
  std::string Describe() const override { return "memory"; }

  // Whether `token_string` would be accepted.
  bool Works(const std::string& token_string) const {
    for (const auto& [id, token] : tokens_) {
      if (token_string == "secret-" + std::to_string(id)) return token.state == 1;
    }
    return false;
  }
  int ActiveNamed(const std::string& name) const {
    return static_cast<int>(std::count_if(tokens_.begin(), tokens_.end(), [&](const auto& entry) {
      return entry.second.name == name && entry.second.state == 1;
    }));
  }

 private:
  std::map<std::int64_t, ServiceTokenInfo> tokens_;
  std::int64_t next_id_ = 100;
};

class MemorySecret : public SecretStore {
 public:
  std::optional<std::string> Read() override { return value; }
  void Write(const std::string& new_value) override {
    if (fail_writes) throw Error(ErrorCode::kIo, "the store is down");
    value = new_value;
  }
  std::string Describe() const override { return "memory:secret"; }

  std::optional<std::string> value;
  bool fail_writes = false;
};

struct Interrupted {};

std::vector<ServiceTokenGrant> Grants() {
  return {{.permission_set = "metadata_only"}, {.permission_set = "job_admin", .project_id = 42}};
}

class TokenRotationTest : public ::testing::Test {
 protected:
  RotationSecret Secret() const { return ParseRotationSecret(*store_.value, "memory"); }

  // The secret always names a token that works.
  void ExpectSecretWorks() const {
    ASSERT_TRUE(store_.value.has_value());
    EXPECT_TRUE(api_.Works(Secret().service_token)) << *store_.value;
  }

  void Bootstrap() {
    RotateServiceToken(api_, store_, {.name = "catalog-reader", .grants = Grants()});
  }

  AccountTokens api_;
  MemorySecret store_;
};

TEST_F(TokenRotationTest, TheFirstRunCreatesTheTokenAndTheSecret) {
  RotationReport report =
      RotateServiceToken(api_, store_, {.name = "catalog-reader", .grants = Grants()});
  EXPECT_FALSE(report.previous_id.has_value());
  ExpectSecretWorks();
  RotationSecret secret = Secret();
  EXPECT_EQ(secret.service_token_id, report.current_id);
  EXPECT_EQ(secret.token_name, "catalog-reader");
  EXPECT_EQ(secret.permission_grants, Grants());
  EXPECT_TRUE(secret.pending_revocation_ids.empty());
  EXPECT_FALSE(secret.last_rotated_datetime_utc.empty());
}

TEST_F(TokenRotationTest, ARotationReplacesTheTokenWithTheSameNameAndGrants) {
  Bootstrap();
  const RotationSecret before = Secret();
  RotationReport report = RotateServiceToken(api_, store_, {});
  EXPECT_EQ(report.previous_id, before.service_token_id);
  EXPECT_EQ(report.revoked_ids, std::vector<std::int64_t>{before.service_token_id});
  ExpectSecretWorks();
  EXPECT_FALSE(api_.Works(before.service_token));
  EXPECT_EQ(api_.ActiveNamed("catalog-reader"), 1);
  EXPECT_EQ(api_.Get(report.current_id)->grants, Grants());
}

TEST_F(TokenRotationTest, ASeedNotebookSecretIsRotatedWithTheGrantsOfItsToken) {
  cloud::CreatedServiceToken old = api_.Create("ci", {{.permission_set = "job_runner"}});
  store_.value = R"({"service_token_id": )" + std::to_string(old.token.id) +
                 R"(, "service_token": ")" + old.token_string +
                 R"(", "last_rotated_datetime_utc": "2026-01-01 00:00:00"})";
  RotateServiceToken(api_, store_, {});
  ExpectSecretWorks();
  EXPECT_EQ(Secret().token_name, "ci");
  EXPECT_EQ(api_.Get(Secret().service_token_id)->grants[0].permission_set, "job_runner");
  EXPECT_FALSE(api_.Works(old.token_string));
}

TEST_F(TokenRotationTest, DuplicatesOfTheNameAreRevokedOthersKept) {
  Bootstrap();
  api_.Create("catalog-reader", Grants());
  api_.Create("catalog-reader", Grants());
  cloud::CreatedServiceToken other = api_.Create("other", Grants());
  RotationReport report = RotateServiceToken(api_, store_, {});
  EXPECT_EQ(report.duplicate_ids.size(), 2u);
  EXPECT_EQ(api_.ActiveNamed("catalog-reader"), 1);
  EXPECT_TRUE(api_.Works(other.token_string));
}

// Stopped after any step, the secret still works, and the next run
// finishes: one active token of the name, the old one revoked.
TEST_F(TokenRotationTest, InterruptedAfterAnyStepTheNextRunCompletesIt) {
  for (const char* stop_at : {"rotate.after_create", "rotate.after_write", "rotate.after_revoke",
                              "rotate.after_duplicates"}) {
    SCOPED_TRACE(stop_at);
    Bootstrap();
    const RotationSecret before = Secret();
    EXPECT_THROW(RotateServiceToken(api_, store_, {},
                                    [&](std::string_view step) {
                                      ExpectSecretWorks();
                                      if (step == stop_at) throw Interrupted{};
                                    }),
                 Interrupted);
    ExpectSecretWorks();
    RotationReport resumed =
        RotateServiceToken(api_, store_, {}, [&](std::string_view) { ExpectSecretWorks(); });
    EXPECT_EQ(resumed.resumed, std::string_view(stop_at) != "rotate.after_create");
    ExpectSecretWorks();
    EXPECT_FALSE(api_.Works(before.service_token));
    EXPECT_NE(Secret().service_token_id, before.service_token_id);
    EXPECT_EQ(api_.ActiveNamed("catalog-reader"), 1);
    EXPECT_TRUE(Secret().pending_revocation_ids.empty());
  }
}

TEST_F(TokenRotationTest, AFailedWriteRevokesNothing) {
  Bootstrap();
  const RotationSecret before = Secret();
  store_.fail_writes = true;
  EXPECT_THROW(RotateServiceToken(api_, store_, {}), Error);
  EXPECT_TRUE(api_.Works(before.service_token));
  store_.fail_writes = false;
  RotateServiceToken(api_, store_, {});
  ExpectSecretWorks();
  EXPECT_EQ(api_.ActiveNamed("catalog-reader"), 1);
}

TEST_F(TokenRotationTest, TheFirstRunNeedsANameAndGrants) {
  try {
    RotateServiceToken(api_, store_, {.grants = Grants()});
    FAIL();
  } catch (const Error& error) {
    EXPECT_NE(error.message().find("--name"), std::string::npos);
  }
  try {
    RotateServiceToken(api_, store_, {.name = "x"});
    FAIL();
  } catch (const Error& error) {
    EXPECT_NE(error.message().find("--permission-set"), std::string::npos);
  }
  EXPECT_FALSE(store_.value.has_value());
  EXPECT_EQ(api_.ListActive().size(), 0u);
}

TEST(RotationSecret, RoundTripsAndRejectsWhatIsNotOne) {
  RotationSecret secret{.service_token_id = 7,
                        .service_token = "s",
                        .last_rotated_datetime_utc = "t",
                        .token_name = "n",
                        .permission_grants = Grants(),
                        .pending_revocation_ids = {3, 4}};
  RotationSecret back = ParseRotationSecret(RotationSecretJson(secret), "x");
  EXPECT_EQ(back.service_token_id, 7);
  EXPECT_EQ(back.permission_grants, Grants());
  EXPECT_EQ(back.pending_revocation_ids, (std::vector<std::int64_t>{3, 4}));
  EXPECT_EQ(ParseRotationSecret(R"({"service_token_id": "12"})", "x").service_token_id, 12);
  EXPECT_THROW(ParseRotationSecret("dbtc_not_json", "x"), Error);
  try {
    ParseRotationSecret(R"({"service_token_id": "dbtc_leak"})", "where");
  } catch (const Error& error) {
    EXPECT_EQ(error.message().find("dbtc_leak"), std::string::npos);
  }
}

}  // namespace
}  // namespace cairn::secrets
