// Every real artifact in fixtures/dbt parses, and its counts equal the ones
// PROVENANCE.md lists for it (computed there with Python's json module).

#include <gtest/gtest.h>

#include <cctype>
#include <map>
#include <string>

#include "dbt/artifact_readers.h"

namespace cairn::dbt {
namespace {

std::string Fixture(const std::string& relative) {
  return std::string(CAIRN_SHARED_DIR) + "/fixtures/dbt/" + relative;
}

// "versions/dbt-core-state/manifest_v7.json" -> "versions_dbt_core_state_manifest_v7_json"
template <typename Param>
std::string PathName(const ::testing::TestParamInfo<Param>& info) {
  std::string name = info.param.path;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

struct ManifestCounts {
  const char* path;
  std::size_t nodes;  // the manifest's "nodes" map: models, seeds, tests, ...
  std::size_t model, seed, snapshot, test, analysis, operation;
  std::size_t sources, exposures, metrics, semantic_models, saved_queries, unit_tests, functions;
  std::uint64_t macros;
  std::size_t docs, disabled;
};

// From PROVENANCE.md "counts:" lines; "n/a" (the key does not exist) is 0.
constexpr ManifestCounts kManifests[] = {
    // path, nodes, model, seed, snapshot, test, analysis, operation, sources, exposures,
    // metrics, semantic_models, saved_queries, unit_tests, functions, macros, docs, disabled
    {"versions/manifest_v1.json", 32, 8, 3, 0, 21, 0, 0, 0, 0, 0, 0, 0, 0, 0, 156, 3, 0},
    {"versions/manifest_v2.json", 32, 8, 3, 0, 21, 0, 0, 0, 0, 0, 0, 0, 0, 0, 164, 3, 0},
    {"versions/manifest_v3.json", 31, 8, 3, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 184, 3, 0},
    {"versions/manifest_v4.json", 28, 5, 3, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 188, 3, 1},
    {"versions/manifest_v5.json", 49, 25, 3, 0, 20, 0, 1, 6, 0, 0, 0, 0, 0, 0, 554, 3, 0},
    {"versions/manifest_v6.json", 28, 5, 3, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 285, 3, 0},
    {"versions/manifest_v7.json", 28, 5, 3, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 319, 3, 0},
    {"versions/manifest_v8.json", 28, 5, 3, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 334, 3, 0},
    {"versions/manifest_v9.json", 60, 34, 3, 0, 21, 0, 2, 0, 0, 0, 0, 0, 0, 0, 844, 3, 0},
    {"versions/manifest_v10.json", 29, 6, 3, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 391, 3, 0},
    {"versions/manifest_v11.json", 60, 35, 3, 0, 20, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1105, 3, 0},
    {"versions/manifest_v12.json", 40, 13, 0, 0, 27, 0, 0, 6, 0, 19, 6, 3, 3, 0, 744, 1, 6},
    {"versions/dbt-core-state/manifest_v1.json", 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 143, 1,
     0},
    {"versions/dbt-core-state/manifest_v2.json", 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 152, 1,
     0},
    {"versions/dbt-core-state/manifest_v3.json", 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 167, 1,
     0},
    {"versions/dbt-core-state/manifest_v4.json", 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 165, 1,
     0},
    {"versions/dbt-core-state/manifest_v5.json", 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 167, 1,
     0},
    {"versions/dbt-core-state/manifest_v6.json", 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 256, 1,
     0},
    {"versions/dbt-core-state/manifest_v7.json", 7, 1, 1, 1, 3, 1, 0, 1, 1, 1, 0, 0, 0, 0, 292, 2,
     9},
    {"versions/dbt-core-state/manifest_v8.json", 7, 1, 1, 1, 3, 1, 0, 1, 1, 1, 0, 0, 0, 0, 292, 2,
     9},
    {"versions/dbt-core-state/manifest_v9.json", 7, 1, 1, 1, 3, 1, 0, 1, 1, 1, 0, 0, 0, 0, 311, 2,
     9},
    {"versions/dbt-core-state/manifest_v10.json", 8, 2, 1, 1, 3, 1, 0, 1, 1, 4, 1, 0, 0, 0, 355, 2,
     9},
    {"versions/dbt-core-state/manifest_v11.json", 8, 2, 1, 1, 3, 1, 0, 1, 1, 4, 1, 0, 0, 0, 404, 2,
     9},
    {"versions/dbt-core-state/manifest_v12.json", 8, 2, 1, 1, 3, 1, 0, 1, 1, 4, 1, 0, 0, 0, 450, 2,
     9},
    {"projects/jaffle_shop_bigquery_dbt-0.20.2/manifest.json", 27, 7, 1, 0, 18, 1, 0, 4, 0, 0, 0, 0,
     0, 0, 350, 2, 0},
    {"projects/jaffle_shop_duckdb_dbt-1.12.0/manifest.json", 46, 13, 6, 0, 27, 0, 0, 6, 0, 23, 6, 3,
     3, 0, 672, 1, 0},
    {"projects/jaffle_shop_snowflake_dbt-1.7.7/manifest.json", 34, 5, 3, 0, 26, 0, 0, 3, 0, 0, 0, 0,
     0, 0, 430, 3, 0},
    {"projects/solana_models_snowflake_dbt-1.2.0/manifest.json", 894, 102, 11, 0, 776, 0, 5, 17, 0,
     0, 0, 0, 0, 0, 754, 57, 10},
    {"projects/tuva_snowflake_dbt-1.3.1_build/manifest.json", 290, 183, 61, 2, 44, 0, 0, 3, 0, 0, 0,
     0, 0, 0, 431, 1, 0},
    {"projects/tuva_snowflake_dbt-1.7.8/manifest.json", 431, 297, 77, 0, 57, 0, 0, 0, 0, 0, 0, 0, 0,
     0, 577, 2, 4},
};

class ManifestFixtureTest : public ::testing::TestWithParam<ManifestCounts> {};

TEST_P(ManifestFixtureTest, CountsMatchProvenance) {
  const ManifestCounts& want = GetParam();
  const Manifest manifest = ReadManifest(Fixture(want.path));
  std::map<ResourceType, std::size_t> by_type;
  for (const Node& node : manifest.nodes) {
    ++by_type[node.resource_type];
    EXPECT_FALSE(node.unique_id.empty());
    EXPECT_EQ(node.unique_id.substr(0, node.resource_type_name.size()), node.resource_type_name)
        << node.unique_id;
  }
  const std::size_t in_nodes_map = by_type[ResourceType::kModel] + by_type[ResourceType::kSeed] +
                                   by_type[ResourceType::kSnapshot] + by_type[ResourceType::kTest] +
                                   by_type[ResourceType::kAnalysis] +
                                   by_type[ResourceType::kOperation];
  EXPECT_EQ(in_nodes_map, want.nodes);
  EXPECT_EQ(by_type[ResourceType::kModel], want.model);
  EXPECT_EQ(by_type[ResourceType::kSeed], want.seed);
  EXPECT_EQ(by_type[ResourceType::kSnapshot], want.snapshot);
  EXPECT_EQ(by_type[ResourceType::kTest], want.test);
  EXPECT_EQ(by_type[ResourceType::kAnalysis], want.analysis);
  EXPECT_EQ(by_type[ResourceType::kOperation], want.operation);
  EXPECT_EQ(by_type[ResourceType::kSource], want.sources);
  EXPECT_EQ(by_type[ResourceType::kExposure], want.exposures);
  EXPECT_EQ(by_type[ResourceType::kMetric], want.metrics);
  EXPECT_EQ(by_type[ResourceType::kSemanticModel], want.semantic_models);
  EXPECT_EQ(by_type[ResourceType::kSavedQuery], want.saved_queries);
  EXPECT_EQ(by_type[ResourceType::kUnitTest], want.unit_tests);
  EXPECT_EQ(by_type[ResourceType::kFunction], want.functions);
  EXPECT_EQ(by_type[ResourceType::kUnknown], 0u);
  EXPECT_EQ(manifest.nodes.size(), want.nodes + want.sources + want.exposures + want.metrics +
                                       want.semantic_models + want.saved_queries + want.unit_tests +
                                       want.functions);
  EXPECT_EQ(manifest.macro_count, want.macros);
  EXPECT_EQ(manifest.docs.size(), want.docs);
  EXPECT_EQ(manifest.disabled.size(), want.disabled);
  EXPECT_EQ(manifest.metadata.kind, ArtifactKind::kManifest);
  EXPECT_GE(manifest.metadata.schema_version, 1);
  EXPECT_FALSE(manifest.metadata.dbt_version.empty());
  EXPECT_FALSE(manifest.metadata.invocation_id.empty());
  EXPECT_FALSE(manifest.metadata.adapter_type.empty());
}

INSTANTIATE_TEST_SUITE_P(AllManifests, ManifestFixtureTest, ::testing::ValuesIn(kManifests),
                         PathName<ManifestCounts>);

struct ResultCounts {
  const char* path;
  std::size_t results;
  std::map<std::string, std::size_t> status;
  const char* command;
  double elapsed_time;  // rounded to 2 decimals in PROVENANCE.md
  int schema_version;
};

// NOLINTNEXTLINE(cert-err58-cpp): test data; failing to build it should fail the binary.
const ResultCounts kRunResults[] = {
    {"versions/run_results_v1.json", 8, {{"success", 8}}, "run", 7.89, 1},
    {"versions/run_results_v2.json", 32, {{"success", 32}}, "generate", 1.38, 2},
    {"versions/run_results_v3.json", 31, {{"success", 11}, {"pass", 20}}, "build", 28.75, 3},
    {"versions/run_results_v4.json",
     29,
     {{"success", 8}, {"pass", 20}, {"error", 1}},
     "build",
     16.18,
     4},
    {"versions/run_results_v5.json", 58, {{"success", 38}, {"pass", 20}}, "build", 68.86, 5},
    {"versions/run_results_v6.json", 61, {{"success", 41}, {"pass", 20}}, "build", 38.73, 6},
    {"versions/dbt-core-state/run_results_v4.json", 2, {{"success", 2}}, "run", 0.18, 4},
    {"versions/dbt-core-state/run_results_v5.json", 2, {{"success", 2}}, "run", 0.18, 5},
    {"versions/dbt-core-state/run_results_v6.json", 2, {{"success", 2}}, "run", 0.64, 6},
    {"projects/jaffle_shop_bigquery_dbt-0.20.2/run_results.json",
     27,
     {{"success", 27}},
     "rpc",
     1.58,
     2},
    {"projects/jaffle_shop_duckdb_dbt-1.12.0/run_results.json",
     46,
     {{"success", 46}},
     "generate",
     0.32,
     6},
    {"projects/jaffle_shop_snowflake_dbt-1.7.7/run_results.json",
     34,
     {{"success", 34}},
     "generate",
     1.40,
     5},
    {"projects/tuva_snowflake_dbt-1.3.1_build/run_results.json",
     260,
     {{"success", 216}, {"pass", 40}, {"warn", 4}},
     "build",
     171.87,
     4},
    {"projects/tuva_snowflake_dbt-1.7.8/run_results.json",
     389,
     {{"success", 389}},
     "generate",
     8.65,
     5},
};

class RunResultsFixtureTest : public ::testing::TestWithParam<ResultCounts> {};

TEST_P(RunResultsFixtureTest, CountsMatchProvenance) {
  const ResultCounts& want = GetParam();
  const RunResults results = ReadRunResults(Fixture(want.path));
  EXPECT_EQ(results.results.size(), want.results);
  std::map<std::string, std::size_t> status;
  for (const NodeResult& result : results.results) {
    ++status[result.status];
    EXPECT_FALSE(result.unique_id.empty());
  }
  EXPECT_EQ(status, want.status);
  EXPECT_EQ(results.command, want.command);
  EXPECT_NEAR(results.elapsed_time, want.elapsed_time, 0.005);
  EXPECT_EQ(results.metadata.kind, ArtifactKind::kRunResults);
  EXPECT_EQ(results.metadata.schema_version, want.schema_version);
}

INSTANTIATE_TEST_SUITE_P(AllRunResults, RunResultsFixtureTest, ::testing::ValuesIn(kRunResults),
                         PathName<ResultCounts>);

struct CatalogCounts {
  const char* path;
  std::size_t nodes, sources, columns;
};

constexpr CatalogCounts kCatalogs[] = {
    {"versions/catalog_v1.json", 38, 0, 542},
    {"projects/jaffle_shop_bigquery_dbt-0.20.2/catalog.json", 8, 3, 48},
    {"projects/jaffle_shop_duckdb_dbt-1.12.0/catalog.json", 19, 6, 138},
    {"projects/jaffle_shop_snowflake_dbt-1.7.7/catalog.json", 8, 3, 51},
    {"projects/solana_models_snowflake_dbt-1.2.0/catalog.json", 860, 17, 6948},
    {"projects/tuva_snowflake_dbt-1.3.1_build/catalog.json", 216, 3, 3095},
    {"projects/tuva_snowflake_dbt-1.7.8/catalog.json", 332, 0, 3997},
};

class CatalogFixtureTest : public ::testing::TestWithParam<CatalogCounts> {};

TEST_P(CatalogFixtureTest, CountsMatchProvenance) {
  const CatalogCounts& want = GetParam();
  const Catalog catalog = ReadCatalog(Fixture(want.path));
  EXPECT_EQ(catalog.nodes.size(), want.nodes);
  EXPECT_EQ(catalog.sources.size(), want.sources);
  std::size_t columns = 0;
  for (const auto* tables : {&catalog.nodes, &catalog.sources}) {
    for (const CatalogTable& table : *tables) {
      columns += table.columns.size();
      EXPECT_FALSE(table.unique_id.empty());
      EXPECT_FALSE(table.name.empty());
    }
  }
  EXPECT_EQ(columns, want.columns);
  EXPECT_EQ(catalog.metadata.kind, ArtifactKind::kCatalog);
  EXPECT_EQ(catalog.metadata.schema_version, 1);
}

INSTANTIATE_TEST_SUITE_P(AllCatalogs, CatalogFixtureTest, ::testing::ValuesIn(kCatalogs),
                         PathName<CatalogCounts>);

struct FreshnessCounts {
  const char* path;
  std::size_t results;
  std::map<std::string, std::size_t> status;
  double elapsed_time;
  int schema_version;
};

// NOLINTNEXTLINE(cert-err58-cpp): test data; failing to build it should fail the binary.
const FreshnessCounts kSources[] = {
    {"versions/sources_v1.json", 1, {{"warn", 1}}, 1.60, 1},
    {"versions/sources_v3.json", 1, {{"error", 1}}, 2.51, 3},
    {"projects/jaffle_shop_bigquery_dbt-0.20.2/sources.json", 1, {{"warn", 1}}, 1.60, 1},
    {"projects/jaffle_shop_snowflake_dbt-1.7.7/sources.json", 1, {{"error", 1}}, 2.51, 3},
};

class SourcesFixtureTest : public ::testing::TestWithParam<FreshnessCounts> {};

TEST_P(SourcesFixtureTest, CountsMatchProvenance) {
  const FreshnessCounts& want = GetParam();
  const SourceFreshness freshness = ReadSourceFreshness(Fixture(want.path));
  EXPECT_EQ(freshness.results.size(), want.results);
  std::map<std::string, std::size_t> status;
  for (const FreshnessResult& result : freshness.results) ++status[result.status];
  EXPECT_EQ(status, want.status);
  EXPECT_NEAR(freshness.elapsed_time, want.elapsed_time, 0.005);
  EXPECT_EQ(freshness.metadata.kind, ArtifactKind::kSources);
  EXPECT_EQ(freshness.metadata.schema_version, want.schema_version);
}

INSTANTIATE_TEST_SUITE_P(AllSources, SourcesFixtureTest, ::testing::ValuesIn(kSources),
                         PathName<FreshnessCounts>);

}  // namespace
}  // namespace cairn::dbt
