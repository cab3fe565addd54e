#include "secrets/aws_secret_store.h"

#include <fmt/format.h>

#include <utility>

#include "core/error.h"

namespace cairn::secrets {

AwsSecretStore::AwsSecretStore(std::string secret_id, cloud::SecretsManagerLocation location,
                               std::unique_ptr<cloud::AwsSession> session,
                               const cloud::HttpClient& http)
    : secret_id_(std::move(secret_id)),
      session_(std::move(session)),
      client_(
          std::move(location), [session = session_.get()] { return session->Current(); }, http) {}

std::optional<std::string> AwsSecretStore::Read() {
  try {
    return client_.GetSecretValue(secret_id_).secret_string;
  } catch (const Error& error) {
    if (error.code() == ErrorCode::kNotFound) return std::nullopt;
    throw;
  }
}

void AwsSecretStore::Write(const std::string& value) {
  try {
    client_.PutSecretValue(secret_id_, value);
  } catch (const Error& error) {
    if (error.code() != ErrorCode::kNotFound) throw;
    client_.CreateSecret(secret_id_, value, "Service token kept by cairn tokens rotate");
  }
}

std::string AwsSecretStore::Describe() const {
  return fmt::format("aws-secretsmanager:{}", secret_id_);
}

}  // namespace cairn::secrets
