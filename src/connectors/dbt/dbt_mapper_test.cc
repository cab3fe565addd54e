#include "connectors/dbt/dbt_mapper.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "dbt/artifact_readers.h"

namespace cairn::connectors::dbt {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

std::string Fixture(const std::string& relative) {
  return std::string(CAIRN_SHARED_DIR) + "/fixtures/dbt/" + relative;
}

cairn::dbt::ArtifactPaths ProjectFiles(const std::string& project, bool sources = true) {
  const std::string dir = Fixture("projects/" + project + "/");
  return {.manifest = dir + "manifest.json",
          .run_results = dir + "run_results.json",
          .catalog = dir + "catalog.json",
          .sources = sources ? dir + "sources.json" : ""};
}

catalog::ServiceSnapshot MapFiles(const cairn::dbt::ArtifactPaths& paths,
                                  const std::string& service) {
  std::vector<std::string> warnings;
  return MapProject(cairn::dbt::ReadProject(paths), {.service = service}, warnings);
}

const catalog::Table* FindTable(const catalog::ServiceSnapshot& snapshot, const std::string& fqn) {
  auto it = std::find_if(snapshot.tables.begin(), snapshot.tables.end(),
                         [&](const catalog::Table& t) { return t.fqn == fqn; });
  return it == snapshot.tables.end() ? nullptr : &*it;
}

const catalog::DbtNode* FindNode(const catalog::ServiceSnapshot& snapshot, const std::string& id) {
  auto it = std::find_if(snapshot.nodes.begin(), snapshot.nodes.end(),
                         [&](const catalog::DbtNode& n) { return n.unique_id == id; });
  return it == snapshot.nodes.end() ? nullptr : &*it;
}

std::vector<std::string> UpstreamsOf(const catalog::ServiceSnapshot& snapshot,
                                     const std::string& fqn) {
  std::vector<std::string> upstreams;
  for (const auto& edge : snapshot.lineage) {
    if (edge.downstream_fqn == fqn) upstreams.push_back(edge.upstream_fqn);
  }
  return upstreams;
}

// Snowflake: catalog.json names are upper case, the manifest's lower case; a
// seed and a source name the same relation.
TEST(DbtMapperTest, SnowflakeProjectMapsRelationsColumnsAndLineage) {
  const auto snapshot = MapFiles(ProjectFiles("jaffle_shop_snowflake_dbt-1.7.7"), "snow");
  EXPECT_EQ(snapshot.service, "snow");
  EXPECT_EQ(snapshot.origin, "dbt");
  // 3 seeds (each also a source) + 5 models.
  EXPECT_EQ(snapshot.tables.size(), 8u);

  const catalog::Table* dim = FindTable(snapshot, "snow.raw.jaffle_shop.dim_customers");
  ASSERT_NE(dim, nullptr);
  EXPECT_EQ(dim->table_type, "table");
  ASSERT_FALSE(dim->columns.empty());
  EXPECT_EQ(dim->columns[0].name, "CUSTOMER_ID");
  EXPECT_EQ(dim->columns[0].ordinal, 1);
  EXPECT_FALSE(dim->columns[0].data_type.empty());
  EXPECT_THAT(
      UpstreamsOf(snapshot, dim->fqn),
      UnorderedElementsAre("snow.raw.jaffle_shop.stg_customers", "snow.raw.jaffle_shop.stg_orders",
                           "snow.raw.jaffle_shop.stg_payments"));

  const catalog::Table* stg = FindTable(snapshot, "snow.raw.jaffle_shop.stg_customers");
  ASSERT_NE(stg, nullptr);
  EXPECT_EQ(stg->table_type, "view");
  EXPECT_THAT(UpstreamsOf(snapshot, stg->fqn), ElementsAre("snow.raw.jaffle_shop.raw_customers"));

  const catalog::DbtNode* unique =
      FindNode(snapshot, "test.jaffle_shop.unique_dim_customers_customer_id.15c9f1e2fd");
  ASSERT_NE(unique, nullptr);
  EXPECT_EQ(unique->table_fqn, dim->fqn);
  EXPECT_EQ(unique->test_column, "customer_id");
  EXPECT_EQ(unique->test_name, "unique");
  EXPECT_EQ(unique->fqn, "snow.test.jaffle_shop.unique_dim_customers_customer_id.15c9f1e2fd");

  // A singular test without attached_node is attached through depends_on.
  const catalog::DbtNode* singular =
      FindNode(snapshot, "test.jaffle_shop.assert_stg_payments_amount_is_positive");
  ASSERT_NE(singular, nullptr);
  EXPECT_EQ(singular->table_fqn, "snow.raw.jaffle_shop.stg_payments");

  // History: the build's 34 results and the freshness check, as two invocations.
  ASSERT_EQ(snapshot.invocations.size(), 2u);
  EXPECT_EQ(snapshot.invocations[0].artifact, "run_results");
  EXPECT_EQ(snapshot.invocations[1].artifact, "sources");
  EXPECT_EQ(snapshot.runs.size(), 35u);
  EXPECT_EQ(snapshot.runs.back().unique_id, "source.jaffle_shop.jaffle_shop.raw_orders");
  EXPECT_EQ(snapshot.runs.back().status, "error");
}

// Classic jaffle_shop (dbt 1.2-1.7): customers reads the three staging models.
TEST(DbtMapperTest, ClassicJaffleShopCustomersUpstreams) {
  for (const char* version : {"manifest_v6.json", "manifest_v8.json", "manifest_v11.json"}) {
    SCOPED_TRACE(version);
    const auto snapshot = MapFiles({.manifest = Fixture(std::string("versions/") + version)}, "bq");
    const auto* customers = FindNode(snapshot, "model.jaffle_shop.customers");
    ASSERT_NE(customers, nullptr);
    ASSERT_FALSE(customers->table_fqn.empty());
    std::vector<std::string> names;
    for (const std::string& upstream : UpstreamsOf(snapshot, customers->table_fqn)) {
      names.push_back(upstream.substr(upstream.rfind('.') + 1));
    }
    EXPECT_THAT(names, UnorderedElementsAre("stg_customers", "stg_orders", "stg_payments"));
  }
}

// dbt 0.19 (manifest v1): dim_customers reads two intermediate tables.
TEST(DbtMapperTest, OldestManifestLineage) {
  const auto snapshot = MapFiles({.manifest = Fixture("versions/manifest_v1.json")}, "bq");
  const auto* dim = FindNode(snapshot, "model.jaffle_shop.dim_customers");
  ASSERT_NE(dim, nullptr);
  std::vector<std::string> names;
  for (const std::string& upstream : UpstreamsOf(snapshot, dim->table_fqn)) {
    names.push_back(upstream.substr(upstream.rfind('.') + 1));
  }
  EXPECT_THAT(names, UnorderedElementsAre("stg_customers", "customer_orders", "customer_payments"));
  EXPECT_FALSE(dim->raw_code.empty());  // raw_sql in this version
}

cairn::dbt::Node MakeNode(const std::string& id, cairn::dbt::ResourceType type,
                          const std::string& materialized, std::vector<std::string> depends_on) {
  cairn::dbt::Node node;
  node.unique_id = id;
  node.resource_type = type;
  node.name = id.substr(id.rfind('.') + 1);
  node.database = "db";
  node.schema = "main";
  node.alias = node.name;
  node.materialized = materialized;
  node.depends_on = std::move(depends_on);
  return node;
}

// Ephemeral models are inlined into their consumers' SQL: lineage passes
// through them, and they get no table.
TEST(DbtMapperTest, LineagePassesThroughEphemeralModels) {
  using cairn::dbt::ResourceType;
  cairn::dbt::Project project;
  project.manifest.nodes = {
      MakeNode("source.p.raw.events", ResourceType::kSource, "", {}),
      MakeNode("model.p.eph_a", ResourceType::kModel, "ephemeral", {"source.p.raw.events"}),
      MakeNode("model.p.eph_b", ResourceType::kModel, "ephemeral",
               {"model.p.eph_a", "model.p.eph_b"}),
      MakeNode("model.p.sessions", ResourceType::kModel, "incremental", {"model.p.eph_b"}),
      MakeNode("exposure.p.dashboard", ResourceType::kExposure, "", {"model.p.sessions"}),
  };
  std::vector<std::string> warnings;
  const auto snapshot = MapProject(std::move(project), {.service = "s"}, warnings);
  EXPECT_EQ(snapshot.tables.size(), 2u);  // the source and sessions
  EXPECT_EQ(FindTable(snapshot, "s.db.main.eph_a"), nullptr);
  EXPECT_THAT(UpstreamsOf(snapshot, "s.db.main.sessions"), ElementsAre("s.db.main.events"));
  EXPECT_THAT(UpstreamsOf(snapshot, "s.exposure.p.dashboard"), ElementsAre("s.db.main.sessions"));
  EXPECT_EQ(snapshot.lineage.size(), 2u);
  EXPECT_EQ(FindNode(snapshot, "model.p.eph_a")->fqn, "s.model.p.eph_a");
  EXPECT_EQ(FindTable(snapshot, "s.db.main.sessions")->table_type, "table");
}

TEST(DbtMapperTest, TestOfUnknownNodeIsAWarning) {
  using cairn::dbt::ResourceType;
  cairn::dbt::Project project;
  cairn::dbt::Node test = MakeNode("test.p.not_null_gone_id", ResourceType::kTest, "test", {});
  test.test = cairn::dbt::TestInfo{
      .test_name = "not_null", .column_name = "id", .attached_node = "model.p.gone"};
  project.manifest.nodes = {test};
  std::vector<std::string> warnings;
  const auto snapshot = MapProject(std::move(project), {.service = "s"}, warnings);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0],
            "test test.p.not_null_gone_id checks model.p.gone, which is not in the manifest");
  EXPECT_EQ(snapshot.nodes[0].table_fqn, "");
}

TEST(DbtMapperTest, IncludeTagsOffDropsTags) {
  using cairn::dbt::ResourceType;
  cairn::dbt::Project project;
  cairn::dbt::Node model = MakeNode("model.p.m", ResourceType::kModel, "table", {});
  model.tags = {"finance"};
  project.manifest.nodes = {model};
  std::vector<std::string> warnings;
  const auto snapshot =
      MapProject(std::move(project), {.service = "s", .include_tags = false}, warnings);
  EXPECT_TRUE(snapshot.tables[0].tags.empty());
  EXPECT_TRUE(snapshot.nodes[0].tags.empty());
}

// dbt Fusion capitalises statuses; history must compare equal across engines.
TEST(DbtMapperTest, StatusesAreLowerCase) {
  using cairn::dbt::ResourceType;
  cairn::dbt::Project project;
  project.manifest.nodes = {MakeNode("source.p.raw.events", ResourceType::kSource, "", {})};
  project.sources = cairn::dbt::SourceFreshness{};
  project.sources->metadata.invocation_id = "inv-1";
  project.sources->results.push_back({.unique_id = "source.p.raw.events", .status = "Warn"});
  std::vector<std::string> warnings;
  const auto snapshot = MapProject(std::move(project), {.service = "s"}, warnings);
  ASSERT_EQ(snapshot.runs.size(), 1u);
  EXPECT_EQ(snapshot.runs[0].status, "warn");
  EXPECT_EQ(snapshot.invocations[0].invocation_id, "inv-1");
}

TEST(DbtMapperTest, DefaultServiceName) {
  cairn::dbt::Manifest manifest;
  EXPECT_EQ(DefaultServiceName(manifest), "dbt");
  manifest.nodes.push_back(MakeNode("model.shop.a", cairn::dbt::ResourceType::kModel, "table", {}));
  manifest.nodes.back().package_name = "shop";
  EXPECT_EQ(DefaultServiceName(manifest), "shop");
  manifest.metadata.project_name = "jaffle";
  EXPECT_EQ(DefaultServiceName(manifest), "jaffle");
}

}  // namespace
}  // namespace cairn::connectors::dbt
