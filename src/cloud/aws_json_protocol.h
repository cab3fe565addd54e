#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "cloud/http_client.h"
#include "cloud/sigv4.h"

// AWS's JSON protocol (../shared/reference/aws-apis.md §1, §9), shared by the
// DynamoDB and Secrets Manager clients: `POST /` with a JSON body, the
// operation in X-Amz-Target, SigV4-signed on every attempt, and the error
// body read into a failure a person can act on.
namespace cairn::cloud {

// The code (the part of `__type` after '#', before any ':') and message of
// a JSON-protocol error body; empty when the body is not one.
struct AwsJsonError {
  std::string code;
  std::string message;
};
AwsJsonError ParseAwsJsonError(const std::string& body, const std::string& error_type_header);

// What went wrong, from the service's error code: the reasons a person can act on.
enum class AwsFailure {
  kBadCredentials,
  kAccessDenied,
  kResourceNotFound,
  kThrottled,
  kBadRequest,
  kOther
};
AwsFailure ClassifyAwsError(long status, const std::string& code);

// Credentials for each request: a session's are renewed while a long
// listing runs, so they are asked for every time, never kept.
using CredentialsProvider = std::function<AwsCredentials()>;

// What differs between the services that speak the protocol.
struct AwsJsonService {
  std::string signing_name;   // also the endpoint prefix: "dynamodb", "secretsmanager"
  std::string target_prefix;  // "DynamoDB_20120810.", "secretsmanager."
  std::string content_type;   // "application/x-amz-json-1.0" or "-1.1"
  // The reasons given for the failures whose remedy depends on the service.
  std::string access_denied_reason;  // e.g. which IAM actions are needed
  std::string not_found_reason;
  std::string no_answer_hint;  // what to check when nothing answers
};

// One service in one region (or at one endpoint). Calls throw cairn::Error
// starting with `what`: kNotFound for ResourceNotFoundException, kIo for
// everything else (no answer, refused credentials, access denied, throttled
// past the HTTP client's retries). Messages never hold keys, tokens,
// signatures or request bodies.
class AwsJsonClient {
 public:
  AwsJsonClient(AwsJsonService service, std::string region, std::string endpoint,
                CredentialsProvider credentials, const HttpClient& http);

  // The response body of a 200 answer to `operation` with `request_json`.
  std::string Call(const std::string& operation, const std::string& request_json,
                   const std::string& what) const;

  // The endpoint requests go to, without a trailing '/'; by default
  // https://<signing name>.<region>.amazonaws.com (.cn in China).
  const std::string& Endpoint() const { return endpoint_; }
  const std::string& region() const { return region_; }

 private:
  [[noreturn]] void ThrowFailure(const std::string& what, const HttpResponse& response) const;

  AwsJsonService service_;
  std::string region_;
  std::string endpoint_;
  CredentialsProvider credentials_;
  const HttpClient& http_;
};

// A response body that must be a JSON object; cairn::Error(kParse) naming
// `what` otherwise.
nlohmann::json ParseAwsJsonBody(const std::string& body, const std::string& what);

// The string member `key` of `object`, "" when absent or not a string.
std::string StringAt(const nlohmann::json& object, const char* key);

}  // namespace cairn::cloud
