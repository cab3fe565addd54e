#include "cloud/dbt_cloud_discovery_client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "cloud/fake_dbt_cloud_test_util.h"
#include "core/error.h"

namespace cairn::cloud {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

TEST(DiscoveryEndpointTest, MetadataHostFollowsTheDeployment) {
  auto endpoint = [](const DbtCloudCredentials& credentials) {
    return DiscoveryEndpoint(credentials);
  };
  EXPECT_EQ(endpoint({}), "https://metadata.cloud.getdbt.com/graphql");
  EXPECT_EQ(endpoint({.domain = "emea.dbt.com"}), "https://metadata.emea.dbt.com/graphql");
  EXPECT_EQ(endpoint({.domain = "au.dbt.com"}), "https://metadata.au.dbt.com/graphql");
  EXPECT_EQ(endpoint({.domain = "ab123.us1.dbt.com"}), "https://ab123.metadata.us1.dbt.com/graphql")
      << "a cell keeps the account prefix first";
  EXPECT_EQ(endpoint({.domain = "cloud.acme.getdbt.com"}),
            "https://metadata.cloud.acme.getdbt.com/graphql");
  EXPECT_EQ(endpoint({.access_url = "https://xy9.us1.dbt.com/"}),
            "https://xy9.metadata.us1.dbt.com/graphql");
  EXPECT_EQ(endpoint({.access_url = "http://127.0.0.1:8080"}),
            "http://metadata.127.0.0.1:8080/graphql");
  EXPECT_EQ(endpoint({.discovery_url = "http://127.0.0.1:9/graphql"}),
            "http://127.0.0.1:9/graphql");
}

class DiscoveryClientTest : public testing::FakeDbtCloudTest {
 protected:
  DbtCloudDiscoveryClient Client(const std::string& key = testing::kFakeApiKey) {
    return DbtCloudDiscoveryClient(
        {.account_id = "1", .api_key = key, .discovery_url = Url("/graphql")}, http_);
  }

  HttpClient http_{{.connect_timeout = 2000ms, .max_attempts = 2, .backoff_base = 10ms}};
};

constexpr const char* kModels = R"graphql(
query Models($env: BigInt!, $first: Int, $after: String) {
  environment(id: $env) {
    applied {
      models(first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { node { uniqueId name executionInfo { lastRunStatus } } }
      }
    }
  }
})graphql";

TEST_F(DiscoveryClientTest, AQueryAnswersWhatItSelects) {
  json answer = Client().Query("{ environment(id: 7) { adapterType dbtProjectName } }");
  EXPECT_EQ(answer["data"]["environment"],
            (json{{"adapterType", "duckdb"}, {"dbtProjectName", "jaffle_shop"}}));
}

TEST_F(DiscoveryClientTest, EveryNodeOfAConnectionComesByCursorPages) {
  std::vector<std::size_t> pages;
  std::vector<json> models =
      Client().AllNodes(kModels, {{"env", 7}}, {"environment", "applied", "models"}, 5,
                        [&](std::size_t fetched, std::int64_t total) {
                          pages.push_back(fetched);
                          EXPECT_EQ(total, 13);
                        });
  ASSERT_EQ(models.size(), 13u);
  EXPECT_EQ(pages, (std::vector<std::size_t>{5, 10, 13}));
  EXPECT_TRUE(std::any_of(models.begin(), models.end(), [](const json& model) {
    return model["uniqueId"] == "model.jaffle_shop.customers" &&
           model["executionInfo"]["lastRunStatus"] == "success";
  }));
}

TEST_F(DiscoveryClientTest, GraphQlErrorsOnA200AreErrors) {
  try {
    Client().Query("{ environment(id: 7) { applied { nope } } }");
    FAIL() << "an unknown field was answered";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(error.what()).find("Cannot query field 'nope'"), std::string::npos)
        << error.what();
  }
  EXPECT_THROW(Client().AllNodes(kModels, {{"env", 8}}, {"environment", "applied", "models"}),
               Error)
      << "an unknown environment";
}

TEST_F(DiscoveryClientTest, ARefusedKeyIsNamedButNeverShown) {
  try {
    Client("dbtc_wrong_key_0123").Query("{ environment(id: 7) { adapterType } }");
    FAIL() << "a wrong key was accepted";
  } catch (const Error& error) {
    std::string message = error.what();
    EXPECT_NE(message.find("the API key was refused (HTTP 401)"), std::string::npos) << message;
    EXPECT_EQ(message.find("dbtc_wrong_key_0123"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace cairn::cloud
