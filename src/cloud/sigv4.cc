#include "cloud/sigv4.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "core/ascii.h"
#include "core/error.h"
#include "core/hex.h"

namespace cairn::cloud {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

using Digest = std::array<unsigned char, 32>;

Digest Hmac(std::string_view key, std::string_view message) {
  Digest out{};
  unsigned int size = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), out.data(),
           &size) == nullptr) {
    throw Error(ErrorCode::kInternal, "HMAC-SHA256 failed (OpenSSL)");
  }
  return out;
}

std::string_view AsText(const Digest& digest) {
  return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}

// Headers botocore never signs: hop-by-hop ones and those proxies rewrite.
bool IsUnsigned(std::string_view lower_name) {
  for (std::string_view name :
       {"connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
        "trailer", "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id"}) {
    if (lower_name == name) return true;
  }
  return false;
}

// Trimmed, inner runs of whitespace as one space.
std::string SignedValue(std::string_view value) {
  std::string out;
  bool space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// "https://host:443" → "host"; a non-default port stays.
std::string HostOf(std::string_view endpoint) {
  std::size_t scheme_end = endpoint.find("://");
  if (scheme_end == std::string_view::npos) {
    throw Error(ErrorCode::kInvalidArgument, fmt::format("not a URL: '{}'", endpoint));
  }
  std::string_view scheme = endpoint.substr(0, scheme_end);
  std::string_view host = endpoint.substr(scheme_end + 3);
  host = host.substr(0, host.find('/'));
  std::size_t colon = host.rfind(':');
  if (colon != std::string_view::npos && host.find(']', colon) == std::string_view::npos) {
    std::string_view port = host.substr(colon + 1);
    if ((scheme == "https" && port == "443") || (scheme == "http" && port == "80")) {
      host = host.substr(0, colon);
    }
  }
  return AsciiLower(host);
}

// The path with "." and ".." segments resolved and "//" collapsed, keeping a
// trailing slash (botocore's _normalize_url_path).
std::string NormalisePath(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = std::min(path.find('/', start), path.size());
    std::string_view segment = path.substr(start, end - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    start = end + 1;
  }
  std::string out;
  for (std::string_view segment : segments) {
    out += '/';
    out += segment;
  }
  if (out.empty() || (path.size() > 1 && path.back() == '/')) out += '/';
  return out;
}

std::string AmzDate(std::chrono::system_clock::time_point time) {
  return fmt::format("{:%Y%m%dT%H%M%SZ}", std::chrono::floor<std::chrono::seconds>(time));
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  Digest digest{};
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1) {
    throw Error(ErrorCode::kInternal, "SHA-256 failed (OpenSSL)");
  }
  return HexLower(digest.data(), digest.size());
}

std::string UriEncode(std::string_view text, bool keep_slash) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '_' || c == '.' || c == '~' ||
        (keep_slash && c == '/')) {
      out += c;
    } else {
      out += fmt::format("%{:02X}", byte);
    }
  }
  return out;
}

std::string CanonicalQueryString(const QueryParams& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [name, value] : query) {
    encoded.emplace_back(UriEncode(name, false), UriEncode(value, false));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

SignedRequest SignV4(const HttpRequestToSign& request, const AwsCredentials& credentials,
                     const SigningScope& scope) {
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
    throw Error(ErrorCode::kInvalidArgument, "AWS credentials need an access key id and a secret");
  }
  bool s3 = scope.style == SigningStyle::kS3;
  std::string amz_date = AmzDate(scope.time);
  std::string payload_hash =
      request.payload_hash.empty() ? Sha256Hex(request.payload) : request.payload_hash;

  SignedRequest signed_request;
  signed_request.headers = request.headers;
  HeaderList& headers = signed_request.headers;
  headers.emplace_back("Host", HostOf(request.endpoint));
  headers.emplace_back("X-Amz-Date", amz_date);
  if (!credentials.session_token.empty()) {
    headers.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  if (s3) headers.emplace_back("X-Amz-Content-SHA256", payload_hash);

  // Lower-cased names, sorted; repeated headers joined by ','.
  std::vector<std::pair<std::string, std::string>> signed_headers;
  for (const auto& [name, value] : headers) {
    std::string lower = AsciiLower(name);
    if (IsUnsigned(lower)) continue;
    auto it = std::find_if(signed_headers.begin(), signed_headers.end(),
                           [&](const auto& header) { return header.first == lower; });
    if (it != signed_headers.end()) {
      it->second += ',' + SignedValue(value);
    } else {
      signed_headers.emplace_back(lower, SignedValue(value));
    }
  }
  std::sort(signed_headers.begin(), signed_headers.end());
  std::string canonical_headers;
  std::string signed_names;
  for (const auto& [name, value] : signed_headers) {
    canonical_headers += fmt::format("{}:{}\n", name, value);
    if (!signed_names.empty()) signed_names += ';';
    signed_names += name;
  }

  std::string path = request.path.empty() ? "/" : request.path;
  std::string canonical_uri = s3 ? path : UriEncode(NormalisePath(path), true);
  std::string query = CanonicalQueryString(request.query);
  signed_request.canonical_request =
      fmt::format("{}\n{}\n{}\n{}\n{}\n{}", request.method, canonical_uri, query, canonical_headers,
                  signed_names, payload_hash);

  std::string date = amz_date.substr(0, 8);
  std::string credential_scope =
      fmt::format("{}/{}/{}/aws4_request", date, scope.region, scope.service);
  signed_request.string_to_sign =
      fmt::format("{}\n{}\n{}\n{}", kAlgorithm, amz_date, credential_scope,
                  Sha256Hex(signed_request.canonical_request));

  Digest key = Hmac("AWS4" + credentials.secret_access_key, date);
  key = Hmac(AsText(key), scope.region);
  key = Hmac(AsText(key), scope.service);
  key = Hmac(AsText(key), "aws4_request");
  Digest signature = Hmac(AsText(key), signed_request.string_to_sign);
  signed_request.signature = HexLower(signature.data(), signature.size());

  headers.emplace_back("Authorization",
                       fmt::format("{} Credential={}/{}, SignedHeaders={}, Signature={}",
                                   kAlgorithm, credentials.access_key_id, credential_scope,
                                   signed_names, signed_request.signature));
  signed_request.url = request.endpoint + path + (query.empty() ? "" : "?" + query);
  return signed_request;
}

}  // namespace cairn::cloud
