#include "cloud/dbt_cloud_admin_client.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <thread>
#include <utility>

#include "core/error.h"

namespace cairn::cloud {
namespace {

constexpr int kPageSize = 100;  // the API's cap on list endpoints (§3.2)

std::string TrimSlashes(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// `value` percent-encoded for a query string (RFC 3986 unreserved kept).
std::string QueryEscape(std::string_view value) {
  std::string out;
  for (char c : value) {
    auto byte = static_cast<unsigned char>(c);
    if ((std::isalnum(byte) != 0) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += fmt::format("%{:02X}", byte);
    }
  }
  return out;
}

// The envelope's status.user_message (then developer_message), or "".
std::string UserMessage(const std::string& body) {
  nlohmann::json envelope = nlohmann::json::parse(body, nullptr, false);
  if (!envelope.is_object() || !envelope.contains("status") || !envelope["status"].is_object()) {
    return "";
  }
  for (const char* key : {"user_message", "developer_message"}) {
    const auto found = envelope["status"].find(key);
    if (found != envelope["status"].end() && found->is_string() && !found->empty()) {
      return found->get<std::string>();
    }
  }
  return "";
}

}  // namespace

bool IsTerminalRunStatus(int status) {
  return status == kRunSuccess || status == kRunError || status == kRunCancelled;
}

DbtCloudAdminClient::DbtCloudAdminClient(DbtCloudCredentials credentials, Transport transport)
    : credentials_(std::move(credentials)),
      base_url_(credentials_.access_url.empty() ? "https://" + TrimSlashes(credentials_.domain)
                                                : TrimSlashes(credentials_.access_url)),
      transport_(std::move(transport)) {
  if (credentials_.account_id.empty()) {
    throw Error(ErrorCode::kInvalidArgument, "dbt Cloud: an account id is required");
  }
  if (credentials_.api_key.empty()) {
    throw Error(ErrorCode::kInvalidArgument, "dbt Cloud: an API key is required");
  }
  if (!transport_) {
    auto http = std::make_shared<HttpClient>();
    transport_ = [http](const HttpRequest& request) { return http->Send(request); };
  }
}

std::string DbtCloudAdminClient::AccountUrl(std::string_view path) const {
  return fmt::format("{}/api/v2/accounts/{}/{}", base_url_, QueryEscape(credentials_.account_id),
                     path);
}

HttpResponse DbtCloudAdminClient::Call(HttpRequest request) const {
  request.headers.emplace_back("Authorization", "Token " + credentials_.api_key);
  request.headers.emplace_back("Accept", "application/json");
  if (!request.body.empty()) request.headers.emplace_back("Content-Type", "application/json");
  HttpResponse response = transport_(request);
  if (response.status >= 200 && response.status < 300) return response;
  std::string message = UserMessage(response.body);
  std::string text =
      fmt::format("dbt Cloud: {} {}: HTTP {}{}{}", request.method, UrlForMessages(request.url),
                  response.status, message.empty() ? "" : ": ", message);
  if (response.status == 404) {
    text += " (a 404 may also mean the token lacks permission to see it)";
    throw Error(ErrorCode::kNotFound, text);
  }
  if (response.status == 400) throw Error(ErrorCode::kInvalidArgument, text);
  throw Error(ErrorCode::kIo, text);
}

nlohmann::json DbtCloudAdminClient::Data(const HttpRequest& request) const {
  HttpResponse response = Call(request);
  nlohmann::json envelope = nlohmann::json::parse(response.body, nullptr, false);
  if (!envelope.is_object() || !envelope.contains("data")) {
    throw Error(ErrorCode::kParse, fmt::format("dbt Cloud: {} {}: the answer is not an envelope "
                                               "with data",
                                               request.method, UrlForMessages(request.url)));
  }
  return envelope;
}

nlohmann::json DbtCloudAdminClient::TriggerRun(std::int64_t job_id,
                                               const TriggerRunRequest& request) const {
  if (request.cause.empty()) {
    throw Error(ErrorCode::kInvalidArgument, "dbt Cloud: a job run needs a cause");
  }
  nlohmann::json body = {{"cause", request.cause}};
  auto put = [&body](const char* key, const auto& value) {
    if (value) body[key] = *value;
  };
  put("git_branch", request.git_branch);
  put("git_sha", request.git_sha);
  put("schema_override", request.schema_override);
  put("target_name_override", request.target_name_override);
  put("threads_override", request.threads_override);
  put("timeout_seconds_override", request.timeout_seconds_override);
  put("generate_docs_override", request.generate_docs_override);
  if (!request.steps_override.empty()) body["steps_override"] = request.steps_override;
  HttpRequest http;
  http.method = "POST";
  http.url = AccountUrl(fmt::format("jobs/{}/run/", job_id));
  http.body = body.dump();
  return Data(http)["data"];
}

nlohmann::json DbtCloudAdminClient::GetRun(std::int64_t run_id) const {
  HttpRequest http;
  http.url = AccountUrl(fmt::format("runs/{}/", run_id));
  return Data(http)["data"];
}

nlohmann::json DbtCloudAdminClient::CancelRun(std::int64_t run_id) const {
  HttpRequest http;
  http.method = "POST";
  http.url = AccountUrl(fmt::format("runs/{}/cancel/", run_id));
  return Data(http)["data"];
}

nlohmann::json DbtCloudAdminClient::WaitForRun(std::int64_t run_id,
                                               const WaitOptions& options) const {
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  std::chrono::milliseconds interval = options.first_interval;
  std::optional<int> last_status;
  for (;;) {
    nlohmann::json run = GetRun(run_id);
    int status = run.value("status", 0);
    if (status != last_status && options.on_status) options.on_status(run);
    last_status = status;
    if (IsTerminalRunStatus(status)) return run;
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      throw Error(ErrorCode::kIo,
                  fmt::format("dbt Cloud: run {} did not finish within {} s (last status: {})",
                              run_id, options.timeout.count() / 1000,
                              run.value("status_humanized", std::to_string(status))));
    }
    std::this_thread::sleep_for(std::min<std::chrono::nanoseconds>(interval, deadline - now));
    interval = std::min(interval * 2, options.max_interval);
  }
}

std::vector<nlohmann::json> DbtCloudAdminClient::ListRuns(const ListRunsQuery& query) const {
  std::string filters;
  if (query.job_definition_id)
    filters += fmt::format("&job_definition_id={}", *query.job_definition_id);
  if (query.project_id) filters += fmt::format("&project_id={}", *query.project_id);
  if (!query.status_in.empty()) {
    filters += "&status__in=" + QueryEscape(fmt::format("[{}]", fmt::join(query.status_in, ",")));
  }
  if (!query.order_by.empty()) filters += "&order_by=" + QueryEscape(query.order_by);
  std::vector<nlohmann::json> runs;
  for (std::int64_t offset = 0;;) {
    int page = kPageSize;
    if (query.limit > 0) page = std::min<int>(page, query.limit - static_cast<int>(runs.size()));
    HttpRequest http;
    http.url = AccountUrl(fmt::format("runs/?limit={}&offset={}{}", page, offset, filters));
    nlohmann::json envelope = Data(http);
    const nlohmann::json& data = envelope["data"];
    if (!data.is_array()) break;
    for (const auto& run : data) runs.push_back(run);
    std::int64_t count = static_cast<std::int64_t>(data.size());
    std::int64_t total = count;
    const auto pagination =
        envelope.value("/extra/pagination"_json_pointer, nlohmann::json::object());
    if (pagination.is_object()) {
      count = pagination.value("count", count);
      total = pagination.value("total_count", total);
    }
    offset += count;
    if (count == 0 || offset >= total) break;
    if (query.limit > 0 && static_cast<int>(runs.size()) >= query.limit) break;
  }
  return runs;
}

std::vector<std::string> DbtCloudAdminClient::ListRunArtifacts(std::int64_t run_id) const {
  HttpRequest http;
  http.url = AccountUrl(fmt::format("runs/{}/artifacts/", run_id));
  std::vector<std::string> paths;
  const nlohmann::json envelope = Data(http);
  for (const auto& path : envelope["data"]) {
    if (path.is_string()) paths.push_back(path.get<std::string>());
  }
  return paths;
}

void DbtCloudAdminClient::DownloadRunArtifact(std::int64_t run_id, std::string_view path,
                                              const std::filesystem::path& destination) const {
  HttpRequest http;
  http.url = AccountUrl(fmt::format("runs/{}/artifacts/{}", run_id, path));
  http.download_to = destination;
  Call(http);
}

}  // namespace cairn::cloud
