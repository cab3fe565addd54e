#pragma once

#include <memory>
#include <optional>
#include <string>

#include "cloud/aws_credentials.h"
#include "cloud/http_client.h"

// Where a secret Cairn manages is kept (a rotated service token): one value,
// read whole and replaced whole. Implementations: AWS Secrets Manager and a
// local file sealed with the secret cipher. Not thread-safe: one rotation
// owns a store at a time.
namespace cairn::secrets {

class SecretStore {
 public:
  virtual ~SecretStore() = default;

  // The current value; nullopt when the secret does not exist yet.
  virtual std::optional<std::string> Read() = 0;
  // Replaces the value, creating the secret when it is missing. When this
  // returns the new value is durable; when it throws, the old one may still
  // be there (never half of either).
  virtual void Write(const std::string& value) = 0;
  // What and where, for messages ("file:/etc/cairn/token.secret"); never the value.
  virtual std::string Describe() const = 0;
};

struct SecretStoreOptions {
  // aws-secretsmanager: empty region means AWS_REGION, then AWS_DEFAULT_REGION;
  // empty endpoint means AWS_ENDPOINT_URL_SECRETS_MANAGER, then
  // AWS_ENDPOINT_URL, then AWS's own. Keys come from the standard chain.
  std::string aws_region;
  std::string aws_endpoint;
  std::string aws_profile;
  cloud::EnvLookup env = cloud::ProcessEnvironment();
  const cloud::HttpClient* http = nullptr;  // required for aws-secretsmanager
};

// "aws-secretsmanager:NAME" (a name or ARN) or "file:PATH". Throws
// kInvalidArgument for any other form, naming the accepted ones.
std::unique_ptr<SecretStore> OpenSecretStore(const std::string& spec,
                                             const SecretStoreOptions& options);

}  // namespace cairn::secrets
