#include "ingest/rest_sink.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "catalog/snapshot_json.h"
#include "cloud/sigv4.h"
#include "core/error.h"

namespace cairn::ingest {
namespace {

using nlohmann::json;

// The server's error message from its JSON error body (or the raw body),
// with the token blanked in case anything echoed it.
std::string ServerMessage(const cloud::HttpResponse& response, const std::string& token) {
  json body = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  std::string message = response.body.substr(0, 500);
  if (body.is_object() && body.contains("error") && body["error"].is_object()) {
    message = body["error"].value("message", message);
  }
  for (auto at = message.find(token); !token.empty() && at != std::string::npos;
       at = message.find(token)) {
    message.replace(at, token.size(), "***");
  }
  return message;
}

catalog::ApplyCounts CountsOf(const json& counts) {
  return {.added = counts.value("added", std::int64_t{0}),
          .updated = counts.value("updated", std::int64_t{0}),
          .removed = counts.value("removed", std::int64_t{0}),
          .unchanged = counts.value("unchanged", std::int64_t{0}),
          .marked_deleted = counts.value("marked_deleted", std::int64_t{0})};
}

RestSink::Result ResultOf(const cloud::HttpResponse& response, const std::string& url) {
  json body = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object() || !body.contains("tables") || !body.contains("catalog")) {
    throw Error(ErrorCode::kIo, fmt::format("PUT {}: the answer is not a Cairn apply report", url));
  }
  RestSink::Result result;
  result.applied = {.tables = CountsOf(body["tables"]),
                    .nodes = CountsOf(body.value("nodes", json::object())),
                    .lineage_edges = body.value("lineage_edges", std::int64_t{0}),
                    .invocations_added = body.value("invocations_added", std::int64_t{0}),
                    .runs_added = body.value("runs_added", std::int64_t{0})};
  const json& catalog = body["catalog"];
  result.catalog = {.services = catalog.value("services", std::int64_t{0}),
                    .tables = catalog.value("tables", std::int64_t{0}),
                    .columns = catalog.value("columns", std::int64_t{0}),
                    .nodes = catalog.value("nodes", std::int64_t{0}),
                    .lineage_edges = catalog.value("lineage_edges", std::int64_t{0}),
                    .invocations = catalog.value("invocations", std::int64_t{0}),
                    .runs = catalog.value("runs", std::int64_t{0})};
  return result;
}

Error RefusalOf(const cloud::HttpResponse& response, const std::string& url,
                const std::string& token, bool from_oidc) {
  const std::string message = ServerMessage(response, token);
  if (response.status == 401 || response.status == 403) {
    return Error(
        ErrorCode::kInvalidConfig,
        fmt::format("the server refused the token: {} (HTTP {}; {})", message, response.status,
                    from_oidc ? "the OIDC provider's token: is `cairn serve` given its "
                                "--oidc-issuer, --oidc-jwks-url and --oidc-audience?"
                              : "securityConfig.jwtToken is the token itself unless it "
                                "names an existing file"));
  }
  if (response.status == 404 || response.status == 405) {
    return Error(ErrorCode::kUnsupported,
                 fmt::format("PUT {}: HTTP {}: {} (is hostPort a Cairn server of this version?)",
                             url, response.status, message));
  }
  if (response.status >= 400 && response.status < 500) {
    return Error(
        ErrorCode::kInvalidArgument,
        fmt::format("the server refused the snapshot: HTTP {}: {}", response.status, message));
  }
  return Error(ErrorCode::kIo, fmt::format("PUT {}: HTTP {} after {} attempt(s): {}", url,
                                           response.status, response.attempts, message));
}

}  // namespace

cloud::HttpClientOptions RestSink::DefaultClientOptions() {
  cloud::HttpClientOptions options;
  options.connect_timeout = std::chrono::seconds(10);
  options.stall_timeout = std::chrono::minutes(10);
  options.max_attempts = 4;
  return options;
}

RestSink::RestSink(RestSinkConfig config, cloud::HttpClientOptions options)
    : config_(std::move(config)), client_(options) {
  if (config_.oidc) {
    oidc_ = std::make_unique<OidcTokenProvider>(*config_.oidc, std::move(options));
  }
}

std::string RestSink::Token() const {
  return oidc_ ? oidc_->Token() : config_.token;
}

RestSink::Result RestSink::Apply(const catalog::ServiceSnapshot& snapshot) const {
  cloud::HttpRequest request;
  request.method = "PUT";
  request.url = fmt::format("{}/api/v1/services/{}/snapshots/{}", config_.base_url,
                            cloud::UriEncode(snapshot.service, false),
                            cloud::UriEncode(snapshot.origin, false));
  request.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
  // Text that is not UTF-8 (a warehouse comment in Latin-1) cannot be JSON:
  // its bad bytes become U+FFFD rather than failing the whole run.
  request.body =
      catalog::SnapshotToJson(snapshot).dump(-1, ' ', false, json::error_handler_t::replace);
  std::string token;
  const cloud::HttpResponse response = client_.Send(request, [&](cloud::HttpRequest& attempt) {
    token = Token();
    attempt.headers.emplace_back("Authorization", "Bearer " + token);
  });
  if (response.status != 200) throw RefusalOf(response, request.url, token, oidc_ != nullptr);
  return ResultOf(response, request.url);
}

}  // namespace cairn::ingest
