#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cloud/http_client.h"
#include "cloud/sigv4.h"

// S3's ListObjectsV2, HeadObject and GetObject over the HTTP client, signed
// with SigV4 (../shared/reference/aws-apis.md §4, §5, §9). Also GCS through
// its S3-compatible XML API: endpoint https://storage.googleapis.com with
// HMAC keys, region "auto".
namespace cairn::cloud {

struct S3Location {
  std::string region = "us-east-1";
  std::string bucket;
  // Empty: AWS (virtual-hosted addressing when the bucket name allows it).
  // Set (moto, MinIO, GCS, a VPC endpoint): path-style on that endpoint.
  std::string endpoint;
  bool force_path_style = false;
  // How messages name the bucket: "s3" (s3://bucket/key), or "gs" for GCS
  // read through its S3-compatible API, whatever the endpoint.
  std::string scheme = "s3";
};

struct S3Object {
  std::string key;
  std::string etag;  // as S3 gives it, quotes included: compare, do not interpret
  std::string last_modified;
  std::uint64_t size = 0;
};

// What went wrong, from the service's error code: the reasons a person can act on.
enum class S3Failure { kBadCredentials, kAccessDenied, kNoSuchBucket, kNoSuchKey, kOther };

class S3Client {
 public:
  S3Client(S3Location location, AwsCredentials credentials, const HttpClient& http);

  // Every object under `prefix`, following continuation tokens (pages of
  // `page_size`, at most 1000).
  std::vector<S3Object> List(const std::string& prefix, int page_size = 1000) const;

  // nullopt when the key does not exist.
  std::optional<S3Object> Head(const std::string& key) const;

  // Streams the object to `path` (replaced); its metadata from the response.
  S3Object Download(const std::string& key, const std::filesystem::path& path) const;

  // "https://bucket.s3.region.amazonaws.com" or the path-style equivalent,
  // and the path of a key under it.
  std::string Endpoint() const;
  std::string PathOf(const std::string& key) const;

 private:
  HttpResponse Send(const std::string& method, const std::string& key, QueryParams query,
                    std::optional<std::filesystem::path> download_to = std::nullopt) const;

  S3Location location_;
  AwsCredentials credentials_;
  const HttpClient& http_;
  bool virtual_hosted_;
};

// The error code and message of an S3 error body (empty when there is none).
struct S3ErrorBody {
  std::string code;
  std::string message;
};
S3ErrorBody ParseS3Error(const std::string& body);

S3Failure ClassifyS3Error(long status, const std::string& code);

// Whether `bucket` can be a DNS label under s3.<region>.amazonaws.com with TLS.
bool IsVirtualHostable(const std::string& bucket);

}  // namespace cairn::cloud
