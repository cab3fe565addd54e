#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

#include "cloud/aws_credentials.h"

// OpenMetadata's AWSCredentials (schemas/common/aws_credentials.json), as
// the dbt s3 source's dbtSecurityConfig and the DynamoDB connection's
// awsConfig give it.
namespace cairn::connectors {

struct AwsConfig {
  std::string region;
  std::string endpoint;  // empty: AWS's own
  cloud::CredentialSources credentials;
  std::optional<cloud::AssumeRoleRequest> assume_role;
};

// From a validated AWSCredentials object at `json_path` (for messages).
// Throws kInvalidConfig for what the schema cannot say: an access key id
// without its secret, or the other way round.
AwsConfig AwsConfigFrom(const nlohmann::json& aws_credentials, const std::string& json_path);

}  // namespace cairn::connectors
