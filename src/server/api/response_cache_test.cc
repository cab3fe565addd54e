#include "server/api/response_cache.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>

namespace cairn::server {
namespace {

ResponseCache::Body Text(std::string text) {
  return std::make_shared<const std::string>(std::move(text));
}

TEST(ResponseCacheTest, ServesWhatWasPutInTheSameGeneration) {
  ResponseCache cache;
  EXPECT_EQ(cache.Get("/a"), nullptr);
  cache.Put("/a", Text("body"), cache.generation());
  ASSERT_NE(cache.Get("/a"), nullptr);
  EXPECT_EQ(*cache.Get("/a"), "body");
}

TEST(ResponseCacheTest, InvalidateDropsEverythingAndRefusesStaleWrites) {
  ResponseCache cache;
  std::uint64_t before = cache.generation();
  cache.Put("/a", Text("old"), before);
  cache.Invalidate();
  EXPECT_EQ(cache.Get("/a"), nullptr);
  // Computed before the change, stored after it: must not be served.
  cache.Put("/b", Text("stale"), before);
  EXPECT_EQ(cache.Get("/b"), nullptr);
  EXPECT_EQ(cache.size_bytes(), 0u);
}

TEST(ResponseCacheTest, InvalidatesOncePerNewCommitCount) {
  ResponseCache cache;
  cache.InvalidateIfAhead(1);
  cache.Put("/a", Text("after commit 1"), cache.generation());
  cache.InvalidateIfAhead(1);  // seen already: kept
  EXPECT_NE(cache.Get("/a"), nullptr);
  cache.InvalidateIfAhead(3);
  EXPECT_EQ(cache.Get("/a"), nullptr);
}

TEST(ResponseCacheTest, EvictsLeastRecentlyUsedWithinTheBudget) {
  ResponseCache cache(/*max_bytes=*/30, /*max_entry_bytes=*/20);
  cache.Put("/a", Text("aaaaaaaa"), cache.generation());  // 10 bytes
  cache.Put("/b", Text("bbbbbbbb"), cache.generation());
  ASSERT_NE(cache.Get("/a"), nullptr);  // /b is now the oldest
  cache.Put("/c", Text("cccccccc"), cache.generation());
  cache.Put("/d", Text("dddddddd"), cache.generation());
  EXPECT_NE(cache.Get("/a"), nullptr);
  EXPECT_EQ(cache.Get("/b"), nullptr);
  EXPECT_NE(cache.Get("/d"), nullptr);
  EXPECT_LE(cache.size_bytes(), 30u);
  cache.Put("/huge", Text(std::string(100, 'x')), cache.generation());
  EXPECT_EQ(cache.Get("/huge"), nullptr);
}

}  // namespace
}  // namespace cairn::server
