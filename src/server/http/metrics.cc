#include "server/http/metrics.h"

#include <fmt/format.h>

#include <array>
#include <map>
#include <tuple>

namespace cairn::server {

// Upper bounds of the latency histogram's buckets, in seconds.
constexpr std::array<double, 12> kLatencyBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                    0.05,   0.1,   0.25,   1,     2.5,  10};

struct Metrics::Series {
  // (route, method, status) -> requests
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests;
  struct Latency {
    std::array<std::uint64_t, kLatencyBuckets.size()> buckets{};
    std::uint64_t count = 0;
    double sum = 0;
  };
  // (route, method) -> latency histogram
  std::map<std::pair<std::string, std::string>, Latency> latency;
};

Metrics::Metrics() : series_(std::make_unique<Series>()) {}
Metrics::~Metrics() = default;

void Metrics::ObserveRequest(std::string_view route, std::string_view method, int status,
                             double seconds) {
  std::lock_guard lock(mutex_);
  ++series_->requests[{std::string(route), std::string(method), status}];
  Series::Latency& latency = series_->latency[{std::string(route), std::string(method)}];
  for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    if (seconds <= kLatencyBuckets[i]) ++latency.buckets[i];
  }
  ++latency.count;
  latency.sum += seconds;
}

void Metrics::AddCollector(std::function<void(std::string&)> collect) {
  std::lock_guard lock(mutex_);
  collectors_.push_back(std::move(collect));
}

std::string Metrics::Render() const {
  std::string out;
  std::vector<std::function<void(std::string&)>> collectors;
  {
    std::lock_guard lock(mutex_);
    out += "# HELP cairn_http_requests_total HTTP requests by route, method and status.\n";
    out += "# TYPE cairn_http_requests_total counter\n";
    for (const auto& [key, count] : series_->requests) {
      const auto& [route, method, status] = key;
      out +=
          fmt::format("cairn_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {}\n",
                      route, method, status, count);
    }
    out += "# HELP cairn_http_request_duration_seconds Time from request headers to response.\n";
    out += "# TYPE cairn_http_request_duration_seconds histogram\n";
    for (const auto& [key, latency] : series_->latency) {
      const auto& [route, method] = key;
      std::string labels = fmt::format("route=\"{}\",method=\"{}\"", route, method);
      for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i) {
        out += fmt::format("cairn_http_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n",
                           labels, kLatencyBuckets[i], latency.buckets[i]);
      }
      out += fmt::format("cairn_http_request_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n",
                         labels, latency.count);
      out += fmt::format("cairn_http_request_duration_seconds_sum{{{}}} {}\n", labels, latency.sum);
      out += fmt::format("cairn_http_request_duration_seconds_count{{{}}} {}\n", labels,
                         latency.count);
    }
    collectors = collectors_;
  }
  // Collectors may query stores; run them outside the lock.
  for (const auto& collect : collectors) collect(out);
  return out;
}

}  // namespace cairn::server
