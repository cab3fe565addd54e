#include "server/http/metrics.h"

#include <gtest/gtest.h>

namespace cairn::server {
namespace {

TEST(MetricsTest, CountsRequestsAndBucketsLatencies) {
  Metrics metrics;
  metrics.ObserveRequest("/api/v1/search", "GET", 200, 0.002);
  metrics.ObserveRequest("/api/v1/search", "GET", 200, 0.2);
  metrics.ObserveRequest("/api/v1/search", "GET", 400, 0.001);
  std::string text = metrics.Render();
  EXPECT_NE(text.find("cairn_http_requests_total{route=\"/api/v1/search\",method=\"GET\","
                      "status=\"200\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("status=\"400\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("cairn_http_request_duration_seconds_bucket{route=\"/api/v1/search\","
                      "method=\"GET\",le=\"0.0025\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("cairn_http_request_duration_seconds_count{route=\"/api/v1/search\","
                      "method=\"GET\"} 3\n"),
            std::string::npos);
}

TEST(MetricsTest, CollectorsAppendTheirSamples) {
  Metrics metrics;
  metrics.AddCollector([](std::string& out) { out += "cairn_catalog_tables 7\n"; });
  EXPECT_NE(metrics.Render().find("cairn_catalog_tables 7\n"), std::string::npos);
}

}  // namespace
}  // namespace cairn::server
