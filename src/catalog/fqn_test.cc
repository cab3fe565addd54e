#include <gtest/gtest.h>

#include "catalog/model.h"

namespace cairn::catalog {
namespace {

TEST(FqnTest, PlainPartsAreJoinedWithDots) {
  EXPECT_EQ(TableFqn("shop", "analytics", "main", "customers"), "shop.analytics.main.customers");
}

TEST(FqnTest, PartsWithDotsAreQuoted) {
  EXPECT_EQ(QuoteFqnPart("my.db"), "\"my.db\"");
  EXPECT_EQ(TableFqn("shop", "my.db", "main", "orders.v2"), "shop.\"my.db\".main.\"orders.v2\"");
}

TEST(FqnTest, QuotesInsideAQuotedPartAreDoubled) {
  EXPECT_EQ(QuoteFqnPart("a.\"b\""), "\"a.\"\"b\"\"\"");
}

TEST(FqnTest, PartsWithoutDotsAreLeftAlone) {
  EXPECT_EQ(QuoteFqnPart("plain_name"), "plain_name");
  EXPECT_EQ(QuoteFqnPart(""), "");
}

TEST(FqnTest, NodeFqnKeepsTheUniqueIdAsIs) {
  EXPECT_EQ(NodeFqn("shop", "test.jaffle.not_null_customers_id.abc"),
            "shop.test.jaffle.not_null_customers_id.abc");
  EXPECT_EQ(NodeFqn("shop.eu", "exposure.jaffle.weekly"), "\"shop.eu\".exposure.jaffle.weekly");
}

}  // namespace
}  // namespace cairn::catalog
