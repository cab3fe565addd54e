#include "server/api/response_cache.h"

#include <gtest/gtest.h>

namespace cairn::server {
namespace {

TEST(ResponseCacheTest, ServesWhatWasPutInTheSameGeneration) {
  ResponseCache cache;
  EXPECT_FALSE(cache.Get("/a").has_value());
  cache.Put("/a", "body", cache.generation());
  EXPECT_EQ(cache.Get("/a"), "body");
}

TEST(ResponseCacheTest, InvalidateDropsEverythingAndRefusesStaleWrites) {
  ResponseCache cache;
  std::uint64_t before = cache.generation();
  cache.Put("/a", "old", before);
  cache.Invalidate();
  EXPECT_FALSE(cache.Get("/a").has_value());
  // Computed before the change, stored after it: must not be served.
  cache.Put("/b", "stale", before);
  EXPECT_FALSE(cache.Get("/b").has_value());
  EXPECT_EQ(cache.size_bytes(), 0u);
}

TEST(ResponseCacheTest, EvictsLeastRecentlyUsedWithinTheBudget) {
  ResponseCache cache(/*max_bytes=*/30, /*max_entry_bytes=*/20);
  cache.Put("/a", "aaaaaaaa", cache.generation());  // 10 bytes
  cache.Put("/b", "bbbbbbbb", cache.generation());
  ASSERT_TRUE(cache.Get("/a").has_value());  // /b is now the oldest
  cache.Put("/c", "cccccccc", cache.generation());
  cache.Put("/d", "dddddddd", cache.generation());
  EXPECT_TRUE(cache.Get("/a").has_value());
  EXPECT_FALSE(cache.Get("/b").has_value());
  EXPECT_TRUE(cache.Get("/d").has_value());
  EXPECT_LE(cache.size_bytes(), 30u);
  cache.Put("/huge", std::string(100, 'x'), cache.generation());
  EXPECT_FALSE(cache.Get("/huge").has_value());
}

}  // namespace
}  // namespace cairn::server
