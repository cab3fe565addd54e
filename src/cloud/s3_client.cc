#include "cloud/s3_client.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <cctype>
#include <chrono>
#include <sstream>

#include "core/error.h"

namespace cairn::cloud {
namespace {

namespace pt = boost::property_tree;

pt::ptree ParseXml(const std::string& body, const std::string& what) {
  pt::ptree tree;
  std::istringstream in(body);
  try {
    pt::read_xml(in, tree, pt::xml_parser::no_comments);
  } catch (const pt::xml_parser_error& error) {
    throw Error(ErrorCode::kParse,
                fmt::format("{}: the response is not XML ({})", what, error.message()));
  }
  return tree;
}

std::string Reason(S3Failure failure) {
  switch (failure) {
    case S3Failure::kBadCredentials:
      return "the access key or secret is wrong";
    case S3Failure::kAccessDenied:
      return "access denied: the credentials may not read this bucket or prefix";
    case S3Failure::kNoSuchBucket:
      return "no such bucket";
    case S3Failure::kNoSuchKey:
      return "no such object";
    case S3Failure::kOther:
      break;
  }
  return "the request failed";
}

// A failed request as a person can act on it: what was asked, why it failed
// (from the error code when there is one), the status.
[[noreturn]] void ThrowFailure(const std::string& what, const HttpResponse& response) {
  S3ErrorBody error = ParseS3Error(response.body);
  throw Error(ErrorCode::kIo,
              fmt::format("{}: {} (HTTP {}{}{})", what,
                          Reason(ClassifyS3Error(response.status, error.code)), response.status,
                          error.code.empty() ? "" : ", ", error.code));
}

}  // namespace

bool IsVirtualHostable(const std::string& bucket) {
  if (bucket.size() < 3 || bucket.size() > 63) return false;
  if (bucket.front() == '-' || bucket.back() == '-') return false;
  return std::all_of(bucket.begin(), bucket.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c)) || c == '-';
  });
}

S3ErrorBody ParseS3Error(const std::string& body) {
  if (body.find("<Error") == std::string::npos) return {};
  try {
    pt::ptree tree = ParseXml(body, "S3 error");
    return {.code = tree.get<std::string>("Error.Code", ""),
            .message = tree.get<std::string>("Error.Message", "")};
  } catch (const Error&) {
    return {};
  }
}

S3Failure ClassifyS3Error(long status, const std::string& code) {
  if (code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch" || code == "InvalidToken" ||
      code == "ExpiredToken" || code == "AuthorizationHeaderMalformed") {
    return S3Failure::kBadCredentials;
  }
  if (code == "AccessDenied" || code == "AllAccessDisabled") return S3Failure::kAccessDenied;
  if (code == "NoSuchBucket") return S3Failure::kNoSuchBucket;
  if (code == "NoSuchKey") return S3Failure::kNoSuchKey;
  if (code.empty() && status == 403) return S3Failure::kAccessDenied;
  return S3Failure::kOther;
}

S3Client::S3Client(S3Location location, AwsCredentials credentials, const HttpClient& http)
    : location_(std::move(location)),
      credentials_(std::move(credentials)),
      http_(http),
      virtual_hosted_(location_.endpoint.empty() && !location_.force_path_style &&
                      IsVirtualHostable(location_.bucket)) {
  if (location_.bucket.empty()) throw Error(ErrorCode::kInvalidArgument, "no bucket given");
}

std::string S3Client::Endpoint() const {
  if (!location_.endpoint.empty()) {
    std::string endpoint = location_.endpoint;
    while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
    return endpoint;
  }
  if (virtual_hosted_) {
    return fmt::format("https://{}.s3.{}.amazonaws.com", location_.bucket, location_.region);
  }
  return fmt::format("https://s3.{}.amazonaws.com", location_.region);
}

std::string S3Client::PathOf(const std::string& key) const {
  std::string path = virtual_hosted_ ? "/" : "/" + UriEncode(location_.bucket, false) + "/";
  if (key.empty() && !virtual_hosted_) path.pop_back();  // "/bucket" lists it
  return path + UriEncode(key, true);
}

HttpResponse S3Client::Send(const std::string& method, const std::string& key, QueryParams query,
                            std::optional<std::filesystem::path> download_to) const {
  HttpRequestToSign request{
      .method = method, .endpoint = Endpoint(), .path = PathOf(key), .query = std::move(query)};
  HttpRequest shell{.method = method, .download_to = std::move(download_to)};
  // Signed on every attempt: a retry after a backoff needs a fresh date.
  return http_.Send(shell, [&](HttpRequest& attempt) {
    SignedRequest signed_request = SignV4(request, credentials_,
                                          {.region = location_.region,
                                           .service = "s3",
                                           .time = std::chrono::system_clock::now(),
                                           .style = SigningStyle::kS3});
    attempt.url = signed_request.url;
    attempt.headers = signed_request.headers;
  });
}

std::vector<S3Object> S3Client::List(const std::string& prefix, int page_size) const {
  std::vector<S3Object> objects;
  std::string token;
  do {
    QueryParams query = {{"list-type", "2"}, {"max-keys", std::to_string(page_size)}};
    if (!prefix.empty()) query.emplace_back("prefix", prefix);
    if (!token.empty()) query.emplace_back("continuation-token", token);
    HttpResponse response = Send("GET", "", std::move(query));
    std::string what =
        fmt::format("listing {}://{}/{}", location_.scheme, location_.bucket, prefix);
    if (response.status != 200) ThrowFailure(what, response);
    pt::ptree tree = ParseXml(response.body, what);
    const pt::ptree& result = tree.get_child("ListBucketResult");
    for (const auto& [name, child] : result) {
      if (name != "Contents") continue;
      objects.push_back({.key = child.get<std::string>("Key"),
                         .etag = child.get<std::string>("ETag", ""),
                         .last_modified = child.get<std::string>("LastModified", ""),
                         .size = child.get<std::uint64_t>("Size", 0)});
    }
    bool truncated = result.get<std::string>("IsTruncated", "false") == "true";
    token = truncated ? result.get<std::string>("NextContinuationToken", "") : "";
    if (truncated && token.empty()) {
      throw Error(ErrorCode::kParse, what + ": a truncated page without NextContinuationToken");
    }
  } while (!token.empty());
  return objects;
}

std::optional<S3Object> S3Client::Head(const std::string& key) const {
  HttpResponse response = Send("HEAD", key, {});
  if (response.status == 404) return std::nullopt;
  // HEAD answers carry no body: the status is all there is.
  if (response.status != 200) {
    ThrowFailure(fmt::format("{}://{}/{}", location_.scheme, location_.bucket, key), response);
  }
  std::string length = response.Header("content-length");
  return S3Object{.key = key,
                  .etag = response.Header("etag"),
                  .last_modified = response.Header("last-modified"),
                  .size = length.empty() ? 0 : std::stoull(length)};
}

S3Object S3Client::Download(const std::string& key, const std::filesystem::path& path) const {
  HttpResponse response = Send("GET", key, {}, path);
  if (response.status != 200) {
    ThrowFailure(fmt::format("{}://{}/{}", location_.scheme, location_.bucket, key), response);
  }
  return {.key = key,
          .etag = response.Header("etag"),
          .last_modified = response.Header("last-modified"),
          .size = std::filesystem::file_size(path)};
}

}  // namespace cairn::cloud
