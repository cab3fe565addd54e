#include "connectors/filter_pattern.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace cairn::connectors {
namespace {

constexpr const char* kPath = "$.source.sourceConfig.config.tableFilterPattern";

TEST(FilterPatternTest, NoPatternKeepsEverythingEvenAnEmptyName) {
  FilterPattern none;
  EXPECT_TRUE(none.Keeps("orders"));
  EXPECT_TRUE(none.Keeps(""));
  EXPECT_TRUE(FilterPattern::FromJson(nlohmann::json(), kPath).Keeps("orders"));
}

TEST(FilterPatternTest, MatchesAtTheStartInAnyCaseWithoutAnEndAnchor) {
  FilterPattern sales({"sales"}, {}, kPath);
  EXPECT_TRUE(sales.Keeps("sales"));
  EXPECT_TRUE(sales.Keeps("sales_2024"));
  EXPECT_TRUE(sales.Keeps("SALES_old"));
  EXPECT_FALSE(sales.Keeps("presales"));
  FilterPattern exact({"sales$"}, {}, kPath);
  EXPECT_TRUE(exact.Keeps("Sales"));
  EXPECT_FALSE(exact.Keeps("sales_2024"));
}

TEST(FilterPatternTest, IncludesWinAndExcludesAreThenIgnored) {
  FilterPattern both({"stg_"}, {"stg_tmp"}, kPath);
  EXPECT_TRUE(both.Keeps("stg_tmp_orders")) << "OpenMetadata ignores excludes next to includes";
  EXPECT_FALSE(both.Keeps("fct_orders"));
  FilterPattern excludes({}, {"tmp_", ".*_backup$"}, kPath);
  EXPECT_FALSE(excludes.Keeps("TMP_load"));
  EXPECT_FALSE(excludes.Keeps("orders_backup"));
  EXPECT_TRUE(excludes.Keeps("orders"));
  EXPECT_FALSE(excludes.Keeps("")) << "with a pattern, an empty name is dropped";
}

TEST(FilterPatternTest, FromJsonReadsBothListsAndABadRegexNamesItsPlace) {
  auto pattern = nlohmann::json::parse(R"({"includes": ["dim_", "fct_"], "excludes": ["x"]})");
  FilterPattern marts = FilterPattern::FromJson(pattern, kPath);
  EXPECT_TRUE(marts.Keeps("fct_orders"));
  EXPECT_FALSE(marts.Keeps("stg_orders"));
  try {
    FilterPattern::FromJson(nlohmann::json::parse(R"({"excludes": ["ok", "(unclosed"]})"), kPath);
    FAIL() << "a bad regex must be refused";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidConfig);
    EXPECT_EQ(error.context().json_path, std::string(kPath) + ".excludes[1]");
    EXPECT_NE(error.message().find("'(unclosed' is not a valid regular expression"),
              std::string::npos)
        << error.message();
  }
}

}  // namespace
}  // namespace cairn::connectors
