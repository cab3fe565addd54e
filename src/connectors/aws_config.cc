#include "connectors/aws_config.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace cairn::connectors {
namespace {

std::string StringAt(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

AwsConfig AwsConfigFrom(const nlohmann::json& aws_credentials, const std::string& json_path) {
  AwsConfig config;
  config.region = StringAt(aws_credentials, "awsRegion");
  config.endpoint = StringAt(aws_credentials, "endPointURL");
  const std::string id = StringAt(aws_credentials, "awsAccessKeyId");
  const std::string secret = StringAt(aws_credentials, "awsSecretAccessKey");
  if (id.empty() != secret.empty()) {
    throw Error(ErrorCode::kInvalidConfig,
                "awsAccessKeyId and awsSecretAccessKey go together: give both, or neither to use "
                "the standard credential chain",
                {.json_path = fmt::format("{}.{}", json_path,
                                          id.empty() ? "awsAccessKeyId" : "awsSecretAccessKey")});
  }
  config.credentials.explicit_keys = {id, secret, StringAt(aws_credentials, "awsSessionToken")};
  config.credentials.profile = StringAt(aws_credentials, "profileName");
  if (const std::string role = StringAt(aws_credentials, "assumeRoleArn"); !role.empty()) {
    config.assume_role = cloud::AssumeRoleRequest{
        .role_arn = role,
        .session_name = aws_credentials.value("assumeRoleSessionName", "OpenMetadataSession"),
        .external_id = StringAt(aws_credentials, "assumeRoleExternalId"),
        .source_identity = StringAt(aws_credentials, "assumeRoleSourceIdentity"),
        .duration = std::chrono::seconds(aws_credentials.value("assumeRoleDurationSeconds", 3600)),
        .region = config.region,
        .sts_endpoint = StringAt(aws_credentials, "stsEndPointURL")};
  }
  return config;
}

}  // namespace cairn::connectors
