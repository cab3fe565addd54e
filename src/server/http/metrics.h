#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace cairn::server {

// Prometheus metrics in the text exposition format (version 0.0.4).
// Request metrics are recorded by the HTTP core; other layers add collectors
// that append their own samples (extraction runs by status, catalog sizes)
// when /metrics is scraped. Thread-safe.
class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // One finished request: `route` is the route pattern (not the raw path, so
  // label cardinality stays bounded), or "unmatched".
  void ObserveRequest(std::string_view route, std::string_view method, int status, double seconds);

  // `collect` appends complete exposition lines (with # HELP / # TYPE) to
  // its argument. Called on every scrape, from an I/O thread.
  void AddCollector(std::function<void(std::string&)> collect);

  // The whole exposition text.
  std::string Render() const;

 private:
  struct Series;
  mutable std::mutex mutex_;
  std::unique_ptr<Series> series_;
  std::vector<std::function<void(std::string&)>> collectors_;
};

}  // namespace cairn::server
