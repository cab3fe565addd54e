#include "core/timestamp.h"

#include <gtest/gtest.h>

namespace cairn {
namespace {

using std::chrono::system_clock;

TEST(TimestampTest, ParsesUtcForms) {
  auto base = ParseUtcTimestamp("2026-11-22T18:40:05Z");
  ASSERT_TRUE(base.has_value());
  EXPECT_EQ(system_clock::to_time_t(*base), 1795372805);
  EXPECT_EQ(ParseUtcTimestamp("2026-11-22 18:40:05+00:00"), base);
  auto fraction = ParseUtcTimestamp("2026-11-22T18:40:05.25Z");
  ASSERT_TRUE(fraction.has_value());
  EXPECT_EQ(*fraction - *base, std::chrono::milliseconds(250));
}

TEST(TimestampTest, RefusesOtherForms) {
  for (const char* text :
       {"", "2026-11-22", "2026-11-22T18:40:05", "2026-11-22T18:40:05+02:00",
        "2026-13-22T18:40:05Z", "tomorrow", "2026-11-22T18:40:05.Z", "9999-12-31T00:00:00Z"}) {
    EXPECT_FALSE(ParseUtcTimestamp(text).has_value()) << text;
  }
}

TEST(TimestampTest, FormatsWhatItParses) {
  auto time = ParseUtcTimestamp("2026-01-02T03:04:05.678Z");
  ASSERT_TRUE(time.has_value());
  EXPECT_EQ(FormatUtcTimestamp(*time), "2026-01-02T03:04:05.678Z");
}

}  // namespace
}  // namespace cairn
