#include "cloud/aws_credentials.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "cloud/moto_server_test_util.h"
#include "core/error.h"

namespace cairn::cloud {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

EnvLookup FakeEnv(std::map<std::string, std::string> values) {
  return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    return it == values.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

class CredentialChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = fs::temp_directory_path() / ("cairn_aws_" + std::to_string(::getpid()));
    fs::create_directories(home_ / ".aws");
    std::ofstream(home_ / ".aws" / "credentials")
        << "# keys\n[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s1\n\n"
           "[prod]\n  aws_access_key_id=AKIDPROD  \naws_secret_access_key=s2\n"
           "aws_session_token = t2\n";
    std::ofstream(home_ / ".aws" / "config")
        << "[default]\nregion = eu-west-1\n[profile ci]\naws_access_key_id = AKIDCI\n"
           "aws_secret_access_key = s3\n";
  }
  void TearDown() override { fs::remove_all(home_); }

  CredentialSources With(std::map<std::string, std::string> env, std::string profile = "") {
    env.emplace("HOME", home_.string());
    return {.profile = std::move(profile), .env = FakeEnv(std::move(env))};
  }

  fs::path home_;
};

TEST_F(CredentialChainTest, ExplicitKeysComeFirst) {
  CredentialSources sources =
      With({{"AWS_ACCESS_KEY_ID", "AKIDENV"}, {"AWS_SECRET_ACCESS_KEY", "e"}});
  sources.explicit_keys = {"AKIDCONFIG", "c", ""};
  ResolvedCredentials resolved = ResolveCredentials(sources);
  EXPECT_EQ(resolved.credentials.access_key_id, "AKIDCONFIG");
  EXPECT_EQ(resolved.source, "config");
  sources.explicit_keys = {"AKIDCONFIG", "", ""};
  EXPECT_THROW(ResolveCredentials(sources), Error) << "half a key pair is a mistake";
}

TEST_F(CredentialChainTest, ThenTheEnvironmentThenTheFilesByProfile) {
  ResolvedCredentials env = ResolveCredentials(With({{"AWS_ACCESS_KEY_ID", "AKIDENV"},
                                                     {"AWS_SECRET_ACCESS_KEY", "e"},
                                                     {"AWS_SECURITY_TOKEN", "old"}}));
  EXPECT_EQ(env.credentials.access_key_id, "AKIDENV");
  EXPECT_EQ(env.credentials.session_token, "old");
  EXPECT_EQ(env.source, "environment");

  EXPECT_EQ(ResolveCredentials(With({})).credentials.access_key_id, "AKIDDEFAULT");
  ResolvedCredentials prod = ResolveCredentials(With({{"AWS_PROFILE", "prod"}}));
  EXPECT_EQ(prod.credentials.access_key_id, "AKIDPROD");
  EXPECT_EQ(prod.credentials.session_token, "t2");
  EXPECT_NE(prod.source.find("credentials [prod]"), std::string::npos);
  // A named profile wins over the environment's keys; the config file's [profile ci] counts.
  ResolvedCredentials ci = ResolveCredentials(
      With({{"AWS_ACCESS_KEY_ID", "AKIDENV"}, {"AWS_SECRET_ACCESS_KEY", "e"}}, "ci"));
  EXPECT_EQ(ci.credentials.access_key_id, "AKIDCI");
}

TEST_F(CredentialChainTest, NoneFoundSaysWhereItLookedWithoutSecrets) {
  try {
    ResolveCredentials(With({{"AWS_PROFILE", "missing"}}));
    FAIL();
  } catch (const Error& error) {
    std::string message = error.what();
    EXPECT_NE(message.find("profile 'missing'"), std::string::npos) << message;
    EXPECT_NE(message.find(".aws/credentials"), std::string::npos) << message;
    EXPECT_EQ(message.find("s1"), std::string::npos);
  }
}

class StsTest : public testing::MotoServerTest {
 protected:
  AssumeRoleRequest Request() const {
    return {.role_arn = "arn:aws:iam::123456789012:role/cairn-reader",
            .session_name = "cairn-sync",
            .external_id = "cairn-ext-123",
            .duration = 900s,
            .sts_endpoint = Url("")};
  }
};

TEST_F(StsTest, AssumeRoleGivesSessionCredentials) {
  TemporaryCredentials temporary = AssumeRole(http_, {"testing", "testing", ""}, Request());
  EXPECT_FALSE(temporary.credentials.access_key_id.empty());
  EXPECT_NE(temporary.credentials.access_key_id, "testing");
  EXPECT_FALSE(temporary.credentials.session_token.empty());
  auto left = temporary.expiration - std::chrono::system_clock::now();
  EXPECT_GT(left, 10min);
  EXPECT_LE(left, 16min);
}

TEST_F(StsTest, AnAssumedRoleIsRefreshedBeforeItExpires) {
  auto now = std::chrono::system_clock::now();
  AssumedRole role(http_, {"testing", "testing", ""}, Request(), 5min, [&] { return now; });
  AwsCredentials first = role.Current();
  role.Current();
  EXPECT_EQ(role.assumptions(), 1) << "still valid: reused";
  now += 11min;  // 15 min sessions, refreshed 5 min before the end
  AwsCredentials second = role.Current();
  EXPECT_EQ(role.assumptions(), 2);
  EXPECT_NE(second.access_key_id, first.access_key_id);
}

TEST_F(StsTest, RequestsOutsideStsLimitsAreRefusedBeforeSending) {
  auto refused = [&](auto change, const std::string& fragment) {
    AssumeRoleRequest bad = Request();
    change(bad);
    try {
      AssumeRole(http_, {"testing", "testing", ""}, bad);
      ADD_FAILURE() << "accepted: " << fragment;
    } catch (const Error& error) {
      EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
    }
  };
  refused([](AssumeRoleRequest& r) { r.role_arn = "cairn-reader"; }, "must be an ARN");
  refused([](AssumeRoleRequest& r) { r.session_name = "a"; }, "session name");
  refused([](AssumeRoleRequest& r) { r.session_name = "has space"; }, "session name");
  refused([](AssumeRoleRequest& r) { r.duration = 60s; }, "900 to 43200");
  refused([](AssumeRoleRequest& r) { r.external_id = "x"; }, "external id");
  refused([](AssumeRoleRequest& r) { r.source_identity = "no spaces"; }, "source identity");
}

}  // namespace
}  // namespace cairn::cloud
