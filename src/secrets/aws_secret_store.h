#pragma once

#include <memory>
#include <optional>
#include <string>

#include "cloud/aws_credentials.h"
#include "cloud/secrets_manager_client.h"
#include "secrets/secret_store.h"

// A secret in AWS Secrets Manager, as a SecretString. Writes put a new
// AWSCURRENT version (idempotent through its ClientRequestToken), and create
// the secret on first use.
namespace cairn::secrets {

class AwsSecretStore final : public SecretStore {
 public:
  // `session` gives the keys of each request.
  AwsSecretStore(std::string secret_id, cloud::SecretsManagerLocation location,
                 std::unique_ptr<cloud::AwsSession> session, const cloud::HttpClient& http);

  std::optional<std::string> Read() override;
  void Write(const std::string& value) override;
  std::string Describe() const override;

 private:
  std::string secret_id_;
  std::unique_ptr<cloud::AwsSession> session_;
  cloud::SecretsManagerClient client_;
};

}  // namespace cairn::secrets
