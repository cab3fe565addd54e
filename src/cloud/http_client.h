#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

// The one HTTP client of cloud/ (libcurl): timeouts, retries with
// exponential backoff and full jitter on connection errors, timeouts, 5xx
// and throttling, downloads streamed to a file, no redirects unless asked.
// Errors name the method, the URL without its query (presigned URLs carry
// signatures there) and what went wrong; never headers or bodies sent.
namespace cairn::cloud {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // When set, a 2xx body is written to this file (replaced on each attempt)
  // instead of HttpResponse::body; memory stays flat whatever its size.
  std::optional<std::filesystem::path> download_to;
};

struct HttpResponse {
  long status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;                                          // empty when downloaded to a file
  int attempts = 0;                                          // how many tries it took

  // A header's value, or "" ("etag", "content-length", ...).
  std::string Header(std::string_view lower_name) const;
};

struct HttpClientOptions {
  std::chrono::milliseconds connect_timeout{10'000};
  // A request that receives nothing for this long fails (and may be retried):
  // a hung server cannot block a sync, while a large download that keeps
  // moving is not cut off.
  std::chrono::milliseconds stall_timeout{30'000};
  int max_attempts = 4;
  std::chrono::milliseconds backoff_base{200};  // attempt n waits up to base * 2^(n-1)
  std::chrono::milliseconds backoff_max{10'000};
  // A 429 or 503 with Retry-After: N (seconds) waits N seconds, at most this
  // long, before its retry instead of the backoff.
  std::chrono::milliseconds retry_after_max{60'000};
  bool follow_redirects = false;
  std::string ca_bundle;  // empty: the system's
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {});

  // Sends `request`, retrying what is worth retrying. `prepare`, when given,
  // runs before every attempt on a copy of the request (SigV4 signs with the
  // current time there). Answers any final HTTP status (4xx/5xx included:
  // the caller reads the service's error); throws cairn::Error(kIo) when no
  // response came (connection refused, timeout, TLS), after the retries.
  HttpResponse Send(const HttpRequest& request,
                    const std::function<void(HttpRequest&)>& prepare = nullptr) const;

  const HttpClientOptions& options() const { return options_; }

 private:
  HttpClientOptions options_;
};

// Whether a response is worth another attempt: 5xx, 429, and AWS's
// throttling errors (400 with a Throttling/SlowDown code in the body).
bool IsRetryable(const HttpResponse& response);

// How long a 429/503 asks to wait before a retry (Retry-After in seconds,
// capped at `max`); nullopt when it does not say.
std::optional<std::chrono::milliseconds> RetryAfter(const HttpResponse& response,
                                                    std::chrono::milliseconds max);

// `url` without its query and fragment, for messages.
std::string UrlForMessages(std::string_view url);

}  // namespace cairn::cloud
