#include "server/http/router.h"

#include <gtest/gtest.h>

namespace cairn::server {
namespace {

Router MakeRouter() {
  Router router;
  router.Add({.method = Method::kGet, .pattern = "/api/v1/entities/{fqn}"});
  router.Add({.method = Method::kPost, .pattern = "/integration/dbt/manifest/"});
  router.Add(
      {.method = Method::kGet, .pattern = "/assets/{path...}", .access = auth::Access::kNone});
  router.Add(
      {.method = Method::kDelete, .pattern = "/api/v3/accounts/{account}/service-tokens/{id}/"});
  return router;
}

TEST(RouterTest, CapturesSegments) {
  Router router = MakeRouter();
  Router::Match match = router.Find(Method::kGet, "/api/v1/entities/shop.db.main.orders");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.params.at("fqn"), "shop.db.main.orders");

  match = router.Find(Method::kDelete, "/api/v3/accounts/1/service-tokens/7/");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.params.at("account"), "1");
  EXPECT_EQ(match.params.at("id"), "7");
}

TEST(RouterTest, TrailingSlashIsOptional) {
  Router router = MakeRouter();
  EXPECT_NE(router.Find(Method::kPost, "/integration/dbt/manifest").route, nullptr);
  EXPECT_NE(router.Find(Method::kPost, "/integration/dbt/manifest/").route, nullptr);
}

TEST(RouterTest, RestCaptureTakesSlashes) {
  Router router = MakeRouter();
  Router::Match match = router.Find(Method::kGet, "/assets/js/app.js");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.params.at("path"), "js/app.js");
}

TEST(RouterTest, WrongMethodIsNotAllowedAndUnknownPathIsNotFound) {
  Router router = MakeRouter();
  Router::Match match = router.Find(Method::kPost, "/api/v1/entities/x");
  EXPECT_EQ(match.route, nullptr);
  EXPECT_TRUE(match.method_not_allowed);

  match = router.Find(Method::kGet, "/api/v1/nothing");
  EXPECT_EQ(match.route, nullptr);
  EXPECT_FALSE(match.method_not_allowed);

  EXPECT_EQ(router.Find(Method::kGet, "/api/v1/entities").route, nullptr);
  EXPECT_EQ(router.Find(Method::kGet, "/api/v1/entities/a/b").route, nullptr);
}

TEST(RouterTest, HeadIsServedByGet) {
  Router router = MakeRouter();
  EXPECT_NE(router.Find(Method::kHead, "/api/v1/entities/x").route, nullptr);
}

}  // namespace
}  // namespace cairn::server
