#include "cloud/secrets_manager_client.h"

#include <fmt/format.h>
#include <openssl/rand.h>

#include <array>
#include <nlohmann/json.hpp>
#include <utility>

#include "core/error.h"
#include "core/hex.h"

namespace cairn::cloud {
namespace {

using json = nlohmann::json;

AwsJsonService SecretsManagerService() {
  return {.signing_name = "secretsmanager",
          .target_prefix = "secretsmanager.",
          .content_type = "application/x-amz-json-1.1",
          .access_denied_reason =
              "access denied: the credentials need secretsmanager:GetSecretValue, "
              "PutSecretValue, CreateSecret and DescribeSecret on it",
          .not_found_reason = "no such secret (in this region and account)",
          .no_answer_hint = "check the region and AWS_ENDPOINT_URL"};
}

}  // namespace

std::string NewClientRequestToken() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw Error(ErrorCode::kInternal, "no random bytes for a client request token");
  }
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  const std::string hex = HexLower(bytes.data(), bytes.size());
  return fmt::format("{}-{}-{}-{}-{}", hex.substr(0, 8), hex.substr(8, 4), hex.substr(12, 4),
                     hex.substr(16, 4), hex.substr(20));
}

std::string PutSecretValueRequest(const std::string& secret_id, const std::string& secret_string,
                                  const std::string& client_request_token) {
  return json{{"SecretId", secret_id},
              {"SecretString", secret_string},
              {"ClientRequestToken", client_request_token}}
      .dump();
}

std::string CreateSecretRequest(const std::string& name, const std::string& secret_string,
                                const std::string& description,
                                const std::string& client_request_token) {
  json request = {{"Name", name},
                  {"SecretString", secret_string},
                  {"ClientRequestToken", client_request_token}};
  if (!description.empty()) request["Description"] = description;
  return request.dump();
}

SecretsManagerClient::SecretsManagerClient(SecretsManagerLocation location,
                                           CredentialsProvider credentials, const HttpClient& http)
    : json_(SecretsManagerService(), std::move(location.region), std::move(location.endpoint),
            std::move(credentials), http) {}

SecretValue SecretsManagerClient::GetSecretValue(const std::string& secret_id) const {
  const std::string what =
      fmt::format("Secrets Manager GetSecretValue '{}' at {}", secret_id, Endpoint());
  const json response = ParseAwsJsonBody(
      json_.Call("GetSecretValue", json{{"SecretId", secret_id}}.dump(), what), what);
  if (!response.contains("SecretString")) {
    throw Error(ErrorCode::kUnsupported,
                what + ": the secret is binary; Cairn reads string secrets");
  }
  return {.arn = StringAt(response, "ARN"),
          .name = StringAt(response, "Name"),
          .version_id = StringAt(response, "VersionId"),
          .secret_string = StringAt(response, "SecretString")};
}

std::string SecretsManagerClient::PutSecretValue(const std::string& secret_id,
                                                 const std::string& secret_string) const {
  const std::string what =
      fmt::format("Secrets Manager PutSecretValue '{}' at {}", secret_id, Endpoint());
  // One token for the call: the HTTP client's retries resend the same body,
  // so a write that landed before its answer was lost is not made twice.
  const std::string request =
      PutSecretValueRequest(secret_id, secret_string, NewClientRequestToken());
  return StringAt(ParseAwsJsonBody(json_.Call("PutSecretValue", request, what), what), "VersionId");
}

std::string SecretsManagerClient::CreateSecret(const std::string& name,
                                               const std::string& secret_string,
                                               const std::string& description) const {
  const std::string what = fmt::format("Secrets Manager CreateSecret '{}' at {}", name, Endpoint());
  const std::string request =
      CreateSecretRequest(name, secret_string, description, NewClientRequestToken());
  return StringAt(ParseAwsJsonBody(json_.Call("CreateSecret", request, what), what), "ARN");
}

SecretDescription SecretsManagerClient::DescribeSecret(const std::string& secret_id) const {
  const std::string what =
      fmt::format("Secrets Manager DescribeSecret '{}' at {}", secret_id, Endpoint());
  const json response = ParseAwsJsonBody(
      json_.Call("DescribeSecret", json{{"SecretId", secret_id}}.dump(), what), what);
  SecretDescription out{.arn = StringAt(response, "ARN"),
                        .name = StringAt(response, "Name"),
                        .description = StringAt(response, "Description")};
  if (auto it = response.find("LastChangedDate"); it != response.end() && it->is_number()) {
    out.last_changed = it->get<double>();
  }
  if (auto it = response.find("VersionIdsToStages"); it != response.end() && it->is_object()) {
    for (const auto& [version, stages] : it->items()) {
      if (!stages.is_array()) continue;
      for (const json& stage : stages) {
        if (stage == "AWSCURRENT") out.current_version_ids.push_back(version);
      }
    }
  }
  return out;
}

}  // namespace cairn::cloud
