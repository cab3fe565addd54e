#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// AWS Signature Version 4, header form, as botocore's SigV4Auth and
// S3SigV4Auth compute it (../shared/reference/aws-apis.md §2). No I/O: the
// HTTP client signs each request (and each retry) just before sending it.
namespace cairn::cloud {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;
using QueryParams = std::vector<std::pair<std::string, std::string>>;

// "S3" signing differs from other services: the path is signed as sent (no
// normalisation, no second encoding) and X-Amz-Content-SHA256 is always set.
enum class SigningStyle { kS3, kDefault };

struct HttpRequestToSign {
  std::string method = "GET";
  std::string endpoint;    // scheme://host[:port], e.g. "https://s3.eu-west-1.amazonaws.com"
  std::string path = "/";  // percent-encoded as it goes on the wire (keys: UriEncode(key, true))
  QueryParams query;       // not encoded: the signer encodes names and values
  HeaderList headers;      // to send and sign (Content-Type, X-Amz-Target, ...); no Host
  std::string_view payload;
  // Instead of hashing `payload`: a precomputed hex SHA-256, or
  // "UNSIGNED-PAYLOAD" (S3 over HTTPS, e.g. a streamed upload).
  std::string payload_hash;
};

struct SigningScope {
  std::string region;   // "us-east-1"; GCS's XML API: "auto"
  std::string service;  // signing name: "s3", "sts", "dynamodb", "secretsmanager"
  std::chrono::system_clock::time_point time;
  SigningStyle style = SigningStyle::kDefault;
};

struct SignedRequest {
  std::string url;     // endpoint + path + canonical query: what to send
  HeaderList headers;  // the request's headers plus Host, X-Amz-Date, X-Amz-Security-Token,
                       // X-Amz-Content-SHA256 (S3) and Authorization
  // For tests and debugging; never logged (they are not secret, but noisy).
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;
};

SignedRequest SignV4(const HttpRequestToSign& request, const AwsCredentials& credentials,
                     const SigningScope& scope);

// Percent-encoding with AWS's unreserved set (A-Z a-z 0-9 - _ . ~); `/` is
// kept when `keep_slash` (paths, S3 keys).
std::string UriEncode(std::string_view text, bool keep_slash);

// name=value pairs encoded and sorted by name, then value, joined by '&'.
std::string CanonicalQueryString(const QueryParams& query);

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

}  // namespace cairn::cloud
