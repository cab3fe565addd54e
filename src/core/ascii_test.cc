#include "core/ascii.h"

#include <gtest/gtest.h>

namespace cairn {
namespace {

TEST(AsciiLowerTest, LowersOnlyAsciiLetters) {
  EXPECT_EQ(AsciiLower("Content-Type: GZIP"), "content-type: gzip");
  EXPECT_EQ(AsciiLower("ÄÖ Pass_1"), "ÄÖ pass_1") << "bytes above 0x7f stay as they are";
  EXPECT_EQ(AsciiLower(""), "");
}

}  // namespace
}  // namespace cairn
