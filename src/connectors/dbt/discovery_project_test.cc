#include "connectors/dbt/discovery_project.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "cloud/fake_dbt_cloud_test_util.h"
#include "connectors/dbt/dbt_mapper.h"
#include "core/error.h"
#include "dbt/artifact_readers.h"

namespace cairn::connectors::dbt {
namespace {

using namespace std::chrono_literals;

constexpr const char* kJaffle =
    CAIRN_SHARED_DIR "/fixtures/dbt/projects/jaffle_shop_duckdb_dbt-1.12.0";

class DiscoveryProjectTest : public cloud::testing::FakeDbtCloudTest {
 protected:
  cloud::DbtCloudDiscoveryClient Client() {
    return cloud::DbtCloudDiscoveryClient({.account_id = "1",
                                           .api_key = cloud::testing::kFakeApiKey,
                                           .discovery_url = Url("/graphql")},
                                          http_);
  }

  cloud::HttpClient http_{{.connect_timeout = 2000ms, .max_attempts = 2, .backoff_base = 10ms}};
};

std::set<std::string> TableFqns(const catalog::ServiceSnapshot& snapshot) {
  std::set<std::string> fqns;
  for (const catalog::Table& table : snapshot.tables) fqns.insert(table.fqn);
  return fqns;
}

TEST_F(DiscoveryProjectTest, AnEnvironmentReadsAsTheProjectItsArtifactsDescribe) {
  std::vector<std::string> connections;
  cairn::dbt::Project project =
      ReadDiscoveryProject(Client(), cloud::testing::kFakeEnvironment,
                           [&](const std::string& connection, std::size_t, std::int64_t) {
                             connections.push_back(connection);
                           });
  EXPECT_EQ(connections, (std::vector<std::string>{"models", "sources", "tests"}));
  EXPECT_EQ(project.manifest.metadata.project_name, "jaffle_shop");
  EXPECT_EQ(project.manifest.metadata.adapter_type, "duckdb");
  ASSERT_TRUE(project.run_results.has_value());
  ASSERT_TRUE(project.catalog.has_value());

  std::vector<std::string> warnings;
  catalog::ServiceSnapshot from_discovery =
      MapProject(std::move(project), {.service = "shop"}, warnings);
  catalog::ServiceSnapshot from_artifacts =
      MapProject(cairn::dbt::ReadProject({.manifest = std::string(kJaffle) + "/manifest.json",
                                          .run_results = std::string(kJaffle) + "/run_results.json",
                                          .catalog = std::string(kJaffle) + "/catalog.json"}),
                 {.service = "shop"}, warnings);
  std::set<std::string> expected;
  for (const catalog::Table& table : from_artifacts.tables) {
    if (table.table_type != "seed") expected.insert(table.fqn);
  }
  EXPECT_EQ(TableFqns(from_discovery), expected) << "every model and source; seeds are not in it";

  auto customers = std::find_if(from_discovery.tables.begin(), from_discovery.tables.end(),
                                [](const catalog::Table& t) { return t.name == "customers"; });
  ASSERT_NE(customers, from_discovery.tables.end());
  ASSERT_FALSE(customers->columns.empty());
  EXPECT_EQ(customers->columns.front().name, "customer_id");
  EXPECT_EQ(customers->columns.front().data_type, "VARCHAR")
      << "the warehouse type from the catalog";
  EXPECT_FALSE(customers->description.empty());

  auto tests = std::count_if(from_discovery.nodes.begin(), from_discovery.nodes.end(),
                             [](const catalog::DbtNode& n) { return n.resource_type == "test"; });
  EXPECT_GT(tests, 0);
  EXPECT_FALSE(from_discovery.runs.empty()) << "each node's last result";
  EXPECT_EQ(from_discovery.invocations.size(), 1u);
  EXPECT_FALSE(from_discovery.lineage.empty());
}

TEST_F(DiscoveryProjectTest, AnUnknownEnvironmentIsAClearError) {
  try {
    ReadDiscoveryProject(Client(), "404");
    FAIL() << "read an environment that does not exist";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("Environment 404 not found"), std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace cairn::connectors::dbt
