#include "cloud/secrets_manager_client.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "cloud/moto_server_test_util.h"
#include "core/error.h"

namespace cairn::cloud {
namespace {

using json = nlohmann::json;

using testing::ErrorOf;

class MotoSecretsManagerTest : public testing::MotoServerTest {
 protected:
  void SetUp() override { ResetMoto(); }
  SecretsManagerClient Client() const { return ClientOfMoto<SecretsManagerClient>(); }
};

TEST(ClientRequestToken, IsAFreshUuidV4OfTheAllowedLength) {
  const std::string token = NewClientRequestToken();
  EXPECT_GE(token.size(), 32u);
  EXPECT_LE(token.size(), 64u);
  EXPECT_TRUE(std::regex_match(
      token, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << token;
  EXPECT_NE(token, NewClientRequestToken());
}

TEST(SecretsManagerRequests, CarryTheFieldsOfTheModel) {
  const json put = json::parse(PutSecretValueRequest("dbt/token", "{\"a\":1}", "tok"));
  EXPECT_EQ(put, json({{"SecretId", "dbt/token"},
                       {"SecretString", "{\"a\":1}"},
                       {"ClientRequestToken", "tok"}}));
  const json create = json::parse(CreateSecretRequest("dbt/token", "v", "", "tok"));
  EXPECT_EQ(create,
            json({{"Name", "dbt/token"}, {"SecretString", "v"}, {"ClientRequestToken", "tok"}}));
  EXPECT_EQ(json::parse(CreateSecretRequest("n", "v", "why", "t"))["Description"], "why");
}

TEST(SecretsManagerErrors, AreClassifiedFromTheirCode) {
  EXPECT_EQ(
      ClassifyAwsError(
          400,
          ParseAwsJsonError(R"({"__type":"ResourceNotFoundException","message":"x"})", "").code),
      AwsFailure::kResourceNotFound);
  EXPECT_EQ(ClassifyAwsError(400, "AccessDeniedException"), AwsFailure::kAccessDenied);
  EXPECT_EQ(ClassifyAwsError(400, "ThrottlingException"), AwsFailure::kThrottled);
  EXPECT_EQ(ClassifyAwsError(400, "InvalidParameterException"), AwsFailure::kBadRequest);
  EXPECT_EQ(ClassifyAwsError(403, ""), AwsFailure::kAccessDenied);
  EXPECT_EQ(ParseAwsJsonError("", "ResourceNotFoundException:http://x").code,
            "ResourceNotFoundException");
}

TEST_F(MotoSecretsManagerTest, CreatesPutsGetsAndDescribes) {
  SecretsManagerClient client = Client();
  const std::string arn = client.CreateSecret("dbt/token", "first", "rotated by cairn");
  EXPECT_NE(arn.find(":secret:dbt/token-"), std::string::npos) << arn;
  SecretValue first = client.GetSecretValue("dbt/token");
  EXPECT_EQ(first.secret_string, "first");
  EXPECT_EQ(first.name, "dbt/token");

  const std::string version = client.PutSecretValue("dbt/token", "second");
  EXPECT_FALSE(version.empty());
  SecretValue second = client.GetSecretValue(arn);
  EXPECT_EQ(second.secret_string, "second");
  EXPECT_EQ(second.version_id, version);

  SecretDescription description = client.DescribeSecret("dbt/token");
  EXPECT_EQ(description.arn, arn);
  EXPECT_EQ(description.description, "rotated by cairn");
  ASSERT_EQ(description.current_version_ids.size(), 1u);
  EXPECT_EQ(description.current_version_ids[0], version);
}

TEST_F(MotoSecretsManagerTest, AMissingSecretIsNotFoundAndNamed) {
  SecretsManagerClient client = Client();
  Error missing = ErrorOf([&] { client.GetSecretValue("nope/absent"); });
  EXPECT_EQ(missing.code(), ErrorCode::kNotFound);
  EXPECT_NE(missing.message().find("'nope/absent'"), std::string::npos) << missing.message();
  EXPECT_NE(missing.message().find("no such secret"), std::string::npos) << missing.message();
  EXPECT_EQ(ErrorOf([&] { client.PutSecretValue("nope/absent", "v"); }).code(),
            ErrorCode::kNotFound);
}

TEST_F(MotoSecretsManagerTest, CreatingAnExistingSecretFailsWithoutItsValue) {
  SecretsManagerClient client = Client();
  client.CreateSecret("dbt/token", "the-value-7731");
  Error exists = ErrorOf([&] { client.CreateSecret("dbt/token", "other-value-8842"); });
  EXPECT_EQ(exists.code(), ErrorCode::kIo);
  EXPECT_NE(exists.message().find("ResourceExistsException"), std::string::npos)
      << exists.message();
  EXPECT_EQ(exists.message().find("value-"), std::string::npos) << exists.message();
}

TEST_F(MotoSecretsManagerTest, ReadsSecretsWrittenByBoto3) {
  Boto3("secretsmanager.create_secret(Name='from/boto3', SecretString='{\"k\": \"v\"}')\n");
  EXPECT_EQ(json::parse(Client().GetSecretValue("from/boto3").secret_string)["k"], "v");
}

TEST(SecretsManagerClient, SaysWhereNothingAnswered) {
  HttpClient http({.connect_timeout = std::chrono::milliseconds(500), .max_attempts = 1});
  SecretsManagerClient client(
      {.region = "us-east-1", .endpoint = "http://127.0.0.1:1"},
      [] { return AwsCredentials{.access_key_id = "a", .secret_access_key = "b"}; }, http);
  Error error = ErrorOf([&] { client.GetSecretValue("s"); });
  EXPECT_EQ(error.code(), ErrorCode::kIo);
  EXPECT_NE(error.message().find("no answer"), std::string::npos) << error.message();
  EXPECT_EQ(SecretsManagerClient({.region = "eu-west-1"}, {}, http).Endpoint(),
            "https://secretsmanager.eu-west-1.amazonaws.com");
}

}  // namespace
}  // namespace cairn::cloud
