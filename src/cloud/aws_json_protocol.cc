#include "cloud/aws_json_protocol.h"

#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <utility>

#include "core/error.h"

namespace cairn::cloud {
namespace {

using json = nlohmann::json;

// Enough of a service message to act on; some (a failed permission check)
// name a whole ARN, none needs more.
constexpr std::size_t kMaxServiceMessage = 300;

std::string DefaultEndpoint(const std::string& prefix, const std::string& region) {
  // The China partition has its own domain.
  const bool china = region.starts_with("cn-");
  return fmt::format("https://{}.{}.amazonaws.com{}", prefix, region, china ? ".cn" : "");
}

}  // namespace

AwsJsonError ParseAwsJsonError(const std::string& body, const std::string& error_type_header) {
  AwsJsonError error;
  json value = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!value.is_discarded() && value.is_object()) {
    error.code = StringAt(value, "__type");
    error.message = StringAt(value, "message");
    if (error.message.empty()) error.message = StringAt(value, "Message");
  }
  if (error.code.empty()) error.code = error_type_header;
  if (auto hash = error.code.rfind('#'); hash != std::string::npos) error.code.erase(0, hash + 1);
  if (auto colon = error.code.find(':'); colon != std::string::npos) error.code.erase(colon);
  return error;
}

AwsFailure ClassifyAwsError(long status, const std::string& code) {
  for (const char* refused :
       {"UnrecognizedClientException", "InvalidSignatureException", "IncompleteSignature",
        "IncompleteSignatureException", "MissingAuthenticationToken",
        "MissingAuthenticationTokenException", "ExpiredTokenException", "InvalidClientTokenId",
        "SignatureDoesNotMatch", "UnrecognizedClient"}) {
    if (code == refused) return AwsFailure::kBadCredentials;
  }
  if (code == "AccessDeniedException" || code == "AccessDenied") return AwsFailure::kAccessDenied;
  if (code == "ResourceNotFoundException") return AwsFailure::kResourceNotFound;
  for (const char* throttled : {"ProvisionedThroughputExceededException", "ThrottlingException",
                                "RequestLimitExceeded", "Throttling", "LimitExceededException"}) {
    if (code == throttled) return AwsFailure::kThrottled;
  }
  if (code == "ValidationException" || code == "SerializationException" ||
      code == "InvalidParameterException" || code == "InvalidRequestException") {
    return AwsFailure::kBadRequest;
  }
  if (code.empty() && status == 403) return AwsFailure::kAccessDenied;
  if (code.empty() && status == 429) return AwsFailure::kThrottled;
  return AwsFailure::kOther;
}

AwsJsonClient::AwsJsonClient(AwsJsonService service, std::string region, std::string endpoint,
                             CredentialsProvider credentials, const HttpClient& http)
    : service_(std::move(service)),
      region_(std::move(region)),
      endpoint_(std::move(endpoint)),
      credentials_(std::move(credentials)),
      http_(http) {
  if (region_.empty()) {
    throw Error(ErrorCode::kInvalidArgument,
                fmt::format("{} needs a region", service_.signing_name));
  }
  if (endpoint_.empty()) endpoint_ = DefaultEndpoint(service_.signing_name, region_);
  while (!endpoint_.empty() && endpoint_.back() == '/') endpoint_.pop_back();
}

std::string AwsJsonClient::Call(const std::string& operation, const std::string& request_json,
                                const std::string& what) const {
  HttpRequestToSign request{.method = "POST",
                            .endpoint = endpoint_,
                            .path = "/",
                            .headers = {{"Content-Type", service_.content_type},
                                        {"X-Amz-Target", service_.target_prefix + operation}},
                            .payload = request_json};
  // The URL is set here too, unsigned, so that a failure to connect names it.
  HttpRequest shell{.method = "POST", .url = endpoint_ + "/", .body = request_json};
  // Signed on every attempt: a retry after a backoff needs a fresh date,
  // and a renewed role its new keys.
  auto sign = [&](HttpRequest& attempt) {
    SignedRequest signed_request = SignV4(request, credentials_(),
                                          {.region = region_,
                                           .service = service_.signing_name,
                                           .time = std::chrono::system_clock::now()});
    attempt.url = signed_request.url;
    attempt.headers = signed_request.headers;
  };
  HttpResponse response;
  try {
    response = http_.Send(shell, sign);
  } catch (const Error& error) {
    if (error.code() != ErrorCode::kIo) throw;
    throw Error(ErrorCode::kIo, fmt::format("{}: no answer ({}): {}", what, service_.no_answer_hint,
                                            error.message()));
  }
  if (response.status != 200) ThrowFailure(what, response);
  return std::move(response.body);
}

// A failed call as a person can act on it: what was asked, why it failed,
// the status and code. The service's own message is kept where it helps (a
// permission check names the action and resource) and dropped for refused
// credentials, whose messages may echo the signed request.
void AwsJsonClient::ThrowFailure(const std::string& what, const HttpResponse& response) const {
  const AwsJsonError error = ParseAwsJsonError(response.body, response.Header("x-amzn-errortype"));
  const AwsFailure failure = ClassifyAwsError(response.status, error.code);
  std::string reason = "the request failed";
  switch (failure) {
    case AwsFailure::kBadCredentials:
      reason =
          "the credentials were refused: the access key, secret or session token is wrong or "
          "expired";
      break;
    case AwsFailure::kAccessDenied:
      reason = service_.access_denied_reason;
      break;
    case AwsFailure::kResourceNotFound:
      reason = service_.not_found_reason;
      break;
    case AwsFailure::kThrottled:
      reason = "throttled, still after the retries; try again later";
      break;
    case AwsFailure::kBadRequest:
      reason = "the request was refused";
      break;
    case AwsFailure::kOther:
      break;
  }
  std::string detail;
  if (failure != AwsFailure::kBadCredentials && !error.message.empty()) {
    detail = ": " + error.message.substr(0, kMaxServiceMessage);
  }
  throw Error(failure == AwsFailure::kResourceNotFound ? ErrorCode::kNotFound : ErrorCode::kIo,
              fmt::format("{}: {} (HTTP {}{}{}){}", what, reason, response.status,
                          error.code.empty() ? "" : ", ", error.code, detail));
}

nlohmann::json ParseAwsJsonBody(const std::string& body, const std::string& what) {
  nlohmann::json value = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded() || !value.is_object()) {
    throw Error(ErrorCode::kParse, what + ": the response is not a JSON object");
  }
  return value;
}

std::string StringAt(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace cairn::cloud
