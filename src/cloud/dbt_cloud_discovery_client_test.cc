#include "cloud/dbt_cloud_discovery_client.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "cloud/moto_server_test_util.h"
#include "core/error.h"

extern char** environ;

namespace cairn::cloud {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kApiKey = "dbtc_discovery_test_key";
constexpr const char* kJaffle =
    CAIRN_SHARED_DIR "/fixtures/dbt/projects/jaffle_shop_duckdb_dbt-1.12.0";

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

// The local dbt Cloud of tests/fake_dbt_cloud, serving jaffle_shop as
// environment 7 of account 1.
class DiscoveryClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    port_ = testing::FreePort();
    std::vector<std::string> args = {"python3",
                                     "-m",
                                     "fake_dbt_cloud",
                                     "--port",
                                     std::to_string(port_),
                                     "--api-token",
                                     kApiKey,
                                     "--discovery-environment",
                                     std::string("7=") + kJaffle};
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    int stdin_pipe[2];
    ASSERT_EQ(::pipe(stdin_pipe), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    // The fake runs until its stdin closes: this process holds the other end.
    posix_spawn_file_actions_adddup2(&actions, stdin_pipe[0], 0);
    posix_spawn_file_actions_addclose(&actions, stdin_pipe[1]);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addchdir_np(&actions, CAIRN_SOURCE_DIR "/tests");
    int failed = posix_spawnp(&pid_, "python3", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(stdin_pipe[0]);
    stdin_ = stdin_pipe[1];
    ASSERT_EQ(failed, 0);
    HttpClient http({.connect_timeout = 500ms, .max_attempts = 1});
    for (int i = 0; i < 100; ++i) {
      try {
        if (http.Send({.url = Url("/_fake/requests")}).status == 200) return;
      } catch (const Error&) {
      }
      std::this_thread::sleep_for(100ms);
    }
    FAIL() << "the fake dbt Cloud did not start on port " << port_;
  }

  static void TearDownTestSuite() {
    if (pid_ > 0) {
      ::close(stdin_);
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  static std::string Url(const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  DbtCloudDiscoveryClient Client(const std::string& key = kApiKey) {
    return DbtCloudDiscoveryClient(
        {.account_id = "1", .api_key = key, .discovery_url = Url("/graphql")}, http_);
  }

  HttpClient http_{{.connect_timeout = 2000ms, .max_attempts = 2, .backoff_base = 10ms}};

  static inline int port_ = 0;
  static inline pid_t pid_ = 0;
  static inline int stdin_ = -1;
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
