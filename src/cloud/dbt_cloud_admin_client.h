#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cloud/dbt_cloud_credentials.h"
#include "cloud/http_client.h"

// The dbt Cloud Administrative API v2 (reference/dbt-cloud-api.md §3-§4):
// trigger a job run, read and wait for runs, list runs page by page, list
// and download run artifacts. Answers the envelope's `data` as JSON.
namespace cairn::cloud {

// Run status codes (§4.3).
inline constexpr int kRunQueued = 1;
inline constexpr int kRunStarting = 2;
inline constexpr int kRunRunning = 3;
inline constexpr int kRunSuccess = 10;
inline constexpr int kRunError = 20;
inline constexpr int kRunCancelled = 30;
bool IsTerminalRunStatus(int status);

// The body of POST /jobs/{id}/run/ (§4.2); unset fields are not sent.
struct TriggerRunRequest {
  std::string cause;  // required
  std::optional<std::string> git_branch;
  std::optional<std::string> git_sha;
  std::optional<std::string> schema_override;
  std::optional<std::string> target_name_override;
  std::optional<int> threads_override;
  std::optional<int> timeout_seconds_override;
  std::optional<bool> generate_docs_override;
  std::vector<std::string> steps_override;
};

// Filters of GET /runs/ (§4.5); unset ones are not sent.
struct ListRunsQuery {
  std::optional<std::int64_t> job_definition_id;
  std::optional<std::int64_t> project_id;
  std::vector<int> status_in;  // sent as status__in=[10,20]
  std::string order_by;        // "-finished_at"
  // At most this many runs in all; 0: every page. Pages hold at most 100.
  int limit = 0;
};

struct WaitOptions {
  std::chrono::milliseconds timeout{900'000};
  std::chrono::milliseconds first_interval{1'000};
  std::chrono::milliseconds max_interval{10'000};
  // Called with each run whose status differs from the last one seen.
  std::function<void(const nlohmann::json& run)> on_status;
};

class DbtCloudAdminClient {
 public:
  // Sends one request and answers any HTTP status; the default sends
  // through cloud::HttpClient. Tests pass their own.
  using Transport = std::function<HttpResponse(const HttpRequest&)>;

  explicit DbtCloudAdminClient(DbtCloudCredentials credentials, Transport transport = nullptr);

  // https://<domain>, or the access URL without a trailing slash.
  const std::string& base_url() const { return base_url_; }

  nlohmann::json TriggerRun(std::int64_t job_id, const TriggerRunRequest& request) const;
  nlohmann::json GetRun(std::int64_t run_id) const;
  // POST /runs/{id}/cancel/: the run as dbt Cloud answers (status 30 once
  // it has stopped; a finished run keeps its status).
  nlohmann::json CancelRun(std::int64_t run_id) const;
  // Polls GetRun with a doubling interval until the status is terminal;
  // throws cairn::Error(kIo) naming the run when the timeout passes first.
  nlohmann::json WaitForRun(std::int64_t run_id, const WaitOptions& options) const;
  // Every matching run, following offset pagination (§3.2).
  std::vector<nlohmann::json> ListRuns(const ListRunsQuery& query) const;
  std::vector<std::string> ListRunArtifacts(std::int64_t run_id) const;
  // The raw artifact `path` of a run written to `destination`.
  void DownloadRunArtifact(std::int64_t run_id, std::string_view path,
                           const std::filesystem::path& destination) const;

  // The URL of `path` under /api/v2/accounts/{account}/ (exposed for tests).
  std::string AccountUrl(std::string_view path) const;

 private:
  HttpResponse Call(HttpRequest request) const;
  nlohmann::json Data(const HttpRequest& request) const;

  DbtCloudCredentials credentials_;
  std::string base_url_;
  Transport transport_;
};

}  // namespace cairn::cloud
