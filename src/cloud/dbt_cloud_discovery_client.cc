#include "cloud/dbt_cloud_discovery_client.h"

#include <fmt/format.h>

#include "core/error.h"

namespace cairn::cloud {
namespace {

using json = nlohmann::json;

constexpr int kMaxPage = 500;  // environment connections page at most 500 (§6.1)
constexpr std::size_t kMaxQuotedErrors = 3;

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// "https://host:port/path" -> ("https://", "host", ":port"); a bare host is
// taken as https.
struct UrlParts {
  std::string scheme = "https://";
  std::string host;
  std::string port;
};

UrlParts SplitUrl(std::string_view url) {
  UrlParts parts;
  if (auto at = url.find("://"); at != std::string_view::npos) {
    parts.scheme = std::string(url.substr(0, at + 3));
    url.remove_prefix(at + 3);
  }
  url = url.substr(0, url.find('/'));
  if (auto colon = url.rfind(':'); colon != std::string_view::npos) {
    parts.port = std::string(url.substr(colon));
    url = url.substr(0, colon);
  }
  parts.host = std::string(url);
  return parts;
}

// The metadata host for an access host (§1).
std::string MetadataHost(const std::string& host) {
  // "{prefix}.{cell}.dbt.com": the cell rule keeps the account prefix first.
  if (EndsWith(host, ".dbt.com")) {
    std::string_view labels(host.data(), host.size() - std::string_view(".dbt.com").size());
    if (auto dot = labels.find('.'); dot != std::string_view::npos) {
      return fmt::format("{}.metadata.{}.dbt.com", labels.substr(0, dot), labels.substr(dot + 1));
    }
  }
  return "metadata." + host;
}

std::string ErrorMessages(const json& errors) {
  std::vector<std::string> messages;
  for (const json& error : errors) {
    if (messages.size() == kMaxQuotedErrors) {
      messages.push_back(fmt::format("and {} more", errors.size() - kMaxQuotedErrors));
      break;
    }
    messages.push_back(error.is_object() ? error.value("message", error.dump()) : error.dump());
  }
  return fmt::format("{}", fmt::join(messages, "; "));
}

const json& At(const json& document, const std::vector<std::string>& path) {
  const json* node = &document["data"];
  std::string walked = "data";
  for (const std::string& key : path) {
    walked += "." + key;
    if (!node->is_object() || !node->contains(key) || (*node)[key].is_null()) {
      throw Error(ErrorCode::kInvalidArgument,
                  fmt::format("the Discovery API's answer has nothing at {}", walked));
    }
    node = &(*node)[key];
  }
  return *node;
}

}  // namespace

std::string DiscoveryEndpoint(const DbtCloudCredentials& credentials) {
  if (!credentials.discovery_url.empty()) return credentials.discovery_url;
  UrlParts access = credentials.access_url.empty() ? SplitUrl(credentials.domain)
                                                   : SplitUrl(credentials.access_url);
  return fmt::format("{}{}{}/graphql", access.scheme, MetadataHost(access.host), access.port);
}

DbtCloudDiscoveryClient::DbtCloudDiscoveryClient(DbtCloudCredentials credentials,
                                                 const HttpClient& http)
    : credentials_(std::move(credentials)),
      http_(http),
      endpoint_(DiscoveryEndpoint(credentials_)) {}

json DbtCloudDiscoveryClient::Query(std::string_view query, const json& variables) const {
  HttpRequest request{.method = "POST",
                      .url = endpoint_,
                      .headers = {{"Authorization", "Bearer " + credentials_.api_key},
                                  {"Content-Type", "application/json"},
                                  {"Accept", "application/json"}},
                      .body = json{{"query", query}, {"variables", variables}}.dump()};
  HttpResponse response = http_.Send(request);
  json body = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (response.status != 200) {
    std::string why = response.status == 401   ? "the API key was refused"
                      : response.status == 403 ? "the API key may not read metadata (a service "
                                                 "token with metadata_only or more is needed)"
                                               : "the request failed";
    std::string detail;
    if (body.is_object() && body.contains("errors")) detail = ": " + ErrorMessages(body["errors"]);
    throw Error(ErrorCode::kIo,
                fmt::format("Discovery API {}: {} (HTTP {}){}", UrlForMessages(endpoint_), why,
                            response.status, detail));
  }
  if (!body.is_object()) {
    throw Error(ErrorCode::kIo,
                fmt::format("Discovery API {}: the answer is not JSON", UrlForMessages(endpoint_)));
  }
  // GraphQL reports a bad query with HTTP 200 and "errors".
  if (body.contains("errors") && body["errors"].is_array() && !body["errors"].empty()) {
    throw Error(ErrorCode::kInvalidArgument,
                fmt::format("Discovery API: the query failed: {}", ErrorMessages(body["errors"])));
  }
  return body;
}

std::vector<json> DbtCloudDiscoveryClient::AllNodes(
    std::string_view query, json variables, const std::vector<std::string>& path, int page_size,
    const std::function<void(std::size_t, std::int64_t)>& on_page) const {
  variables["first"] = std::clamp(page_size, 1, kMaxPage);
  variables["after"] = nullptr;
  std::vector<json> nodes;
  for (;;) {
    json page = Query(query, variables);
    const json& connection = At(page, path);
    for (const json& edge : connection.value("edges", json::array())) {
      if (edge.contains("node")) nodes.push_back(edge["node"]);
    }
    if (on_page) on_page(nodes.size(), connection.value("totalCount", std::int64_t{-1}));
    const json info = connection.value("pageInfo", json::object());
    const json end = info.value("endCursor", json());
    if (!info.value("hasNextPage", false) || !end.is_string()) return nodes;
    if (variables["after"] == end) {
      throw Error(ErrorCode::kInconsistent,
                  "Discovery API: the next page has the same cursor as the last; stopped");
    }
    variables["after"] = end;
  }
}

}  // namespace cairn::cloud
