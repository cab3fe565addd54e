#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cloud/aws_json_protocol.h"
#include "cloud/http_client.h"

// AWS Secrets Manager over the HTTP client: JSON 1.1 (`X-Amz-Target:
// secretsmanager.<Op>`), SigV4 for service `secretsmanager`
// (../shared/reference/aws-apis.md §7, §9). String secrets only: Cairn
// keeps JSON documents there.
namespace cairn::cloud {

struct SecretsManagerLocation {
  std::string region = "us-east-1";
  std::string endpoint;  // empty: https://secretsmanager.<region>.amazonaws.com
};

struct SecretValue {
  std::string arn;
  std::string name;
  std::string version_id;
  std::string secret_string;  // secret: never logged
};

struct SecretDescription {
  std::string arn;
  std::string name;
  std::string description;
  std::optional<double> last_changed;            // epoch seconds
  std::vector<std::string> current_version_ids;  // the versions staged AWSCURRENT
};

// A fresh UUID v4 ("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", 36 characters):
// the ClientRequestToken that makes a write idempotent, one per write and
// the same on each of its retries.
std::string NewClientRequestToken();

// One region's (or one endpoint's) secrets. Every call throws cairn::Error
// naming the operation, the secret and the reason: kNotFound for a secret
// that does not exist, kIo for everything else (no answer, refused
// credentials, access denied, throttled past the retries). Messages never
// hold secret values, keys or signatures.
class SecretsManagerClient {
 public:
  SecretsManagerClient(SecretsManagerLocation location, CredentialsProvider credentials,
                       const HttpClient& http);

  // The AWSCURRENT version of `secret_id` (a name or an ARN).
  SecretValue GetSecretValue(const std::string& secret_id) const;

  // Stores a new AWSCURRENT version; answers its VersionId.
  std::string PutSecretValue(const std::string& secret_id, const std::string& secret_string) const;

  // Creates `name` holding `secret_string`; answers its ARN. kIo when it exists.
  std::string CreateSecret(const std::string& name, const std::string& secret_string,
                           const std::string& description = "") const;

  SecretDescription DescribeSecret(const std::string& secret_id) const;

  const std::string& Endpoint() const { return json_.Endpoint(); }

 private:
  AwsJsonClient json_;
};

// The request bodies, exposed for tests of their shape.
std::string PutSecretValueRequest(const std::string& secret_id, const std::string& secret_string,
                                  const std::string& client_request_token);
std::string CreateSecretRequest(const std::string& name, const std::string& secret_string,
                                const std::string& description,
                                const std::string& client_request_token);

}  // namespace cairn::cloud
