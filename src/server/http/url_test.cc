#include "server/http/url.h"

#include <gtest/gtest.h>

namespace cairn::server {
namespace {

TEST(UrlTest, DecodesPathAndQuery) {
  std::string path;
  std::multimap<std::string, std::string> query;
  SplitTarget("/api/v1/entities/shop.main.%22daily.revenue%22?q=a+b%26c&limit=5&flag", path, query);
  EXPECT_EQ(path, "/api/v1/entities/shop.main.\"daily.revenue\"");
  EXPECT_EQ(query.find("q")->second, "a b&c");
  EXPECT_EQ(query.find("limit")->second, "5");
  EXPECT_EQ(query.find("flag")->second, "");
}

TEST(UrlTest, PlusIsOnlyASpaceInQueries) {
  std::string path;
  std::multimap<std::string, std::string> query;
  SplitTarget("/a+b?x=a+b", path, query);
  EXPECT_EQ(path, "/a+b");
  EXPECT_EQ(query.find("x")->second, "a b");
}

TEST(UrlTest, MalformedEscapesAreRefusedOrKept) {
  EXPECT_FALSE(PercentDecode("%G1", false).has_value());
  EXPECT_FALSE(PercentDecode("abc%2", false).has_value());
  EXPECT_EQ(PercentDecode("%41%42", false), "AB");
  std::string path;
  std::multimap<std::string, std::string> query;
  SplitTarget("/x%zz", path, query);
  EXPECT_EQ(path, "/x%zz");
}

}  // namespace
}  // namespace cairn::server
