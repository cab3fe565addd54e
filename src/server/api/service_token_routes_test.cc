#include "server/api/service_token_routes.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "catalog/store.h"

namespace cairn::server {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class ServiceTokenRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = fs::temp_directory_path() /
            ("cairn_token_routes_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db");
    catalog::OpenStore("sqlite:" + path_.string());
    store_ = auth::OpenSqliteTokenStore(path_.string());
    tokens_ = std::make_unique<auth::TokenService>(*store_);
    AddServiceTokenRoutes(router_, *tokens_, 7);
  }
  void TearDown() override {
    tokens_.reset();
    store_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path_.string() + suffix);
  }

  Response Call(Method method, const std::string& path, std::string body = "",
                std::multimap<std::string, std::string> query = {}) {
    Request request;
    request.method = method;
    request.path = path;
    request.target = path;
    request.query = std::move(query);
    request.body = std::move(body);
    Router::Match match = router_.Find(method, path);
    EXPECT_NE(match.route, nullptr) << path;
    EXPECT_EQ(match.route->access, auth::Access::kAdmin);
    request.params = match.params;
    try {
      return match.route->handler(request);
    } catch (const Error& e) {
      return ErrorResponseFor(path, e);
    }
  }

  json Created(const std::string& body) {
    Response response = Call(Method::kPost, "/api/v3/accounts/7/service-tokens/", body);
    EXPECT_EQ(response.status, 200) << response.body;
    return json::parse(response.body)["data"];
  }

  fs::path path_;
  std::unique_ptr<auth::TokenStore> store_;
  std::unique_ptr<auth::TokenService> tokens_;
  Router router_;
};

TEST_F(ServiceTokenRoutesTest, CreateShowsTheSecretOnceInTheV3Shape) {
  json data = Created(R"({"name": "reader", "permission_grants": [
                          {"permission_set": "metadata_only", "project_id": 42}]})");
  EXPECT_EQ(data["name"], "reader");
  EXPECT_EQ(data["account_id"], 7);
  EXPECT_EQ(data["state"], 1);
  EXPECT_EQ(data["permission_grants"][0]["permission_set"], "metadata_only");
  EXPECT_EQ(data["permission_grants"][0]["project_id"], 42);
  std::string secret = data["token_string"];
  EXPECT_EQ(tokens_->Authenticate("Token " + secret)->access, auth::Access::kRead);

  std::string one =
      "/api/v3/accounts/7/service-tokens/" + std::to_string(data["id"].get<int>()) + "/";
  json got = json::parse(Call(Method::kGet, one).body);
  EXPECT_TRUE(got["status"]["is_success"]);
  EXPECT_FALSE(got["data"].contains("token_string"));
  json permissions = json::parse(Call(Method::kGet, one + "permissions/").body)["data"];
  EXPECT_EQ(permissions[0]["service_token_id"], data["id"]);
  EXPECT_EQ(permissions[0]["all_projects"], false);
}

TEST_F(ServiceTokenRoutesTest, DeleteDeactivatesAndKeepsTheRecord) {
  json data = Created(R"({"name": "ci", "permission_grants": [{"permission_set": "job_admin"}]})");
  std::string one =
      "/api/v3/accounts/7/service-tokens/" + std::to_string(data["id"].get<int>()) + "/";
  Response deleted = Call(Method::kDelete, one);
  EXPECT_EQ(deleted.status, 204);
  EXPECT_TRUE(deleted.body.empty());
  EXPECT_FALSE(tokens_->Authenticate("Bearer " + data["token_string"].get<std::string>()));
  EXPECT_EQ(json::parse(Call(Method::kGet, one).body)["data"]["state"], 2);
  json active = json::parse(
      Call(Method::kGet, "/api/v3/accounts/7/service-tokens/", "", {{"state", "1"}}).body);
  EXPECT_TRUE(active["data"].empty());
  EXPECT_EQ(active["extra"]["filters"]["state"], 1);
}

TEST_F(ServiceTokenRoutesTest, ListPages) {
  for (int i = 0; i < 5; ++i) Created(R"({"name": "t)" + std::to_string(i) + R"("})");
  json page = json::parse(Call(Method::kGet, "/api/v3/accounts/7/service-tokens/", "",
                               {{"limit", "2"}, {"offset", "2"}})
                              .body);
  EXPECT_EQ(page["data"].size(), 2u);
  EXPECT_EQ(page["data"][0]["name"], "t2");
  EXPECT_EQ(page["extra"]["pagination"]["count"], 2);
  EXPECT_EQ(page["extra"]["pagination"]["total_count"], 5);
}

TEST_F(ServiceTokenRoutesTest, ErrorsUseTheEnvelopeAndNameTheProblem) {
  Response bad = Call(Method::kPost, "/api/v3/accounts/7/service-tokens/",
                      R"({"name": "x", "permission_grants": [{"permission_set": "root"}]})");
  EXPECT_EQ(bad.status, 400);
  json body = json::parse(bad.body);
  EXPECT_FALSE(body["status"]["is_success"]);
  EXPECT_NE(body["status"]["user_message"].get<std::string>().find("'root'"), std::string::npos);
  EXPECT_TRUE(body["data"].is_null());
  EXPECT_EQ(Call(Method::kPost, "/api/v3/accounts/7/service-tokens/", "{}").status, 400);
  EXPECT_EQ(Call(Method::kGet, "/api/v3/accounts/8/service-tokens/").status, 404);
  EXPECT_EQ(Call(Method::kGet, "/api/v3/accounts/7/service-tokens/99/").status, 404);
  EXPECT_EQ(Call(Method::kGet, "/api/v3/accounts/7/service-tokens/abc/").status, 404);
}

TEST_F(ServiceTokenRoutesTest, RenameAndTerraformsDeactivate) {
  json data = Created(R"({"name": "old"})");
  std::string one =
      "/api/v3/accounts/7/service-tokens/" + std::to_string(data["id"].get<int>()) + "/";
  EXPECT_EQ(json::parse(Call(Method::kPut, one, R"({"name": "new"})").body)["data"]["name"], "new");
  EXPECT_EQ(json::parse(Call(Method::kPost, one, R"({"state": 2})").body)["data"]["state"], 2);
  EXPECT_EQ(Call(Method::kPost, one, R"({"state": 3})").status, 400);
}

}  // namespace
}  // namespace cairn::server
