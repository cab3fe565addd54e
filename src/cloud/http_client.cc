#include "cloud/http_client.h"

#include <curl/curl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

#include "core/ascii.h"
#include "core/error.h"

namespace cairn::cloud {
namespace {

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

// Where one attempt's body goes: memory, or the download file once the
// status says 2xx (an error body is kept in memory to be read).
struct Sink {
  HttpResponse* response = nullptr;
  const HttpRequest* request = nullptr;
  std::ofstream file;
  bool failed_write = false;

  void Write(const char* data, std::size_t size) {
    if (request->download_to && response->status >= 200 && response->status < 300) {
      if (!file.is_open()) file.open(*request->download_to, std::ios::binary | std::ios::trunc);
      file.write(data, static_cast<std::streamsize>(size));
      failed_write = failed_write || !file;
    } else {
      response->body.append(data, size);
    }
  }
};

std::size_t OnBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  sink->Write(data, size * count);
  return sink->failed_write ? 0 : size * count;
}

std::size_t OnHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto* response = static_cast<HttpResponse*>(user);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    // A new response (after 100 Continue or a redirect). Its status is
    // needed before the body arrives, to know where the body goes.
    response->headers.clear();
    std::size_t space = line.find(' ');
    response->status = space == std::string_view::npos ? 0 : std::atol(line.data() + space + 1);
    return size * count;
  }
  std::size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name = AsciiLower(line.substr(0, colon));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() &&
           (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
      value.remove_suffix(1);
    }
    response->headers.emplace_back(std::move(name), std::string(value));
  }
  return size * count;
}

// One attempt; nullopt with `error` set when no response came.
std::optional<HttpResponse> Attempt(const HttpRequest& request, const HttpClientOptions& options,
                                    std::string& error) {
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) throw Error(ErrorCode::kInternal, "libcurl could not start a request");
  HttpResponse response;
  Sink sink{.response = &response, .request = &request};
  CURL* handle = curl.get();
  curl_easy_setopt(handle, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options.connect_timeout.count()));
  // "Stalled": under 1 byte/s for the whole stall window.
  curl_easy_setopt(handle, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(handle, CURLOPT_LOW_SPEED_TIME,
                   std::max(1L, static_cast<long>(options.stall_timeout.count() / 1000)));
  curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, options.follow_redirects ? 1L : 0L);
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  if (!options.ca_bundle.empty())
    curl_easy_setopt(handle, CURLOPT_CAINFO, options.ca_bundle.c_str());
  if (request.method == "HEAD") {
    curl_easy_setopt(handle, CURLOPT_NOBODY, 1L);
  } else if (request.method != "GET") {
    curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  }
  // Signed requests must go out with exactly the signed headers: no
  // "Expect: 100-continue", no chunked encoding, no default Accept.
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  curl_slist* list = curl_slist_append(nullptr, "Expect:");
  for (const auto& [name, value] : request.headers) {
    list = curl_slist_append(list, fmt::format("{}: {}", name, value).c_str());
  }
  headers.reset(list);
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, &response);
  CURLcode code = curl_easy_perform(handle);
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &response.status);
  if (sink.failed_write) {
    throw Error(ErrorCode::kIo,
                fmt::format("{} {}: cannot write {}", request.method, UrlForMessages(request.url),
                            request.download_to->string()));
  }
  if (code != CURLE_OK) {
    error = curl_easy_strerror(code);
    return std::nullopt;
  }
  bool ok = response.status >= 200 && response.status < 300;
  if (request.download_to && ok && !sink.file.is_open()) {
    std::ofstream(*request.download_to, std::ios::binary | std::ios::trunc);  // an empty object
  }
  return response;
}

std::chrono::milliseconds Backoff(const HttpClientOptions& options, int attempt) {
  // Full jitter: a random wait up to the exponential bound, so that many
  // clients retrying one failure do not retry in step.
  thread_local std::mt19937_64 random{std::random_device{}()};
  long long bound = std::min<long long>(options.backoff_max.count(),
                                        options.backoff_base.count() << std::min(attempt - 1, 20));
  std::uniform_int_distribution<long long> wait(0, bound);
  return std::chrono::milliseconds(wait(random));
}

}  // namespace

std::string HttpResponse::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return "";
}

bool IsRetryable(const HttpResponse& response) {
  if (response.status >= 500 || response.status == 429) return true;
  if (response.status != 400 && response.status != 403 && response.status != 503) return false;
  for (std::string_view code :
       {"Throttling", "ThrottlingException", "RequestLimitExceeded",
        "ProvisionedThroughputExceededException", "SlowDown", "RequestTimeout"}) {
    if (response.body.find(code) != std::string::npos) return true;
  }
  return false;
}

std::optional<std::chrono::milliseconds> RetryAfter(const HttpResponse& response,
                                                    std::chrono::milliseconds max) {
  if (response.status != 429 && response.status != 503) return std::nullopt;
  std::string value = response.Header("retry-after");
  if (value.empty() || value.size() > 9 ||
      !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;  // absent, or an HTTP date: the backoff decides
  }
  return std::min<std::chrono::milliseconds>(std::chrono::seconds(std::stol(value)), max);
}

std::string UrlForMessages(std::string_view url) {
  return std::string(url.substr(0, url.find_first_of("?#")));
}

HttpClient::HttpClient(HttpClientOptions options) : options_(std::move(options)) {
  InitCurlOnce();
}

HttpResponse HttpClient::Send(const HttpRequest& request,
                              const std::function<void(HttpRequest&)>& prepare) const {
  std::string last_error;
  for (int attempt = 1;; ++attempt) {
    HttpRequest ready = request;
    if (prepare) prepare(ready);
    std::optional<HttpResponse> response = Attempt(ready, options_, last_error);
    bool retry = response ? IsRetryable(*response) : true;
    if (!retry || attempt >= options_.max_attempts) {
      if (!response) {
        // `ready`, not `request`: a prepared request (S3's) gets its URL from `prepare`.
        throw Error(ErrorCode::kIo, fmt::format("{} {}: {} (after {} attempt{})", ready.method,
                                                UrlForMessages(ready.url), last_error, attempt,
                                                attempt == 1 ? "" : "s"));
      }
      response->attempts = attempt;
      return std::move(*response);
    }
    std::chrono::milliseconds wait = Backoff(options_, attempt);
    if (response) wait = RetryAfter(*response, options_.retry_after_max).value_or(wait);
    spdlog::warn("{} {}: {}; retrying in {} ms (attempt {} of {})", ready.method,
                 UrlForMessages(ready.url),
                 response ? fmt::format("HTTP {}", response->status) : last_error, wait.count(),
                 attempt + 1, options_.max_attempts);
    std::this_thread::sleep_for(wait);
  }
}

}  // namespace cairn::cloud
