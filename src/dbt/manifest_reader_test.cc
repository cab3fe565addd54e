#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/error.h"
#include "core/file.h"
#include "dbt/artifact_readers.h"
#include "dbt/json_cursor.h"

namespace cairn::dbt {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string Fixture(const std::string& relative) {
  return std::string(CAIRN_SHARED_DIR) + "/fixtures/dbt/" + relative;
}

const Node& Find(const std::vector<Node>& nodes, const std::string& unique_id) {
  auto it = std::find_if(nodes.begin(), nodes.end(),
                         [&](const Node& node) { return node.unique_id == unique_id; });
  if (it == nodes.end()) throw std::runtime_error("no node " + unique_id);
  return *it;
}

Error ParseError(const std::string& json, const std::string& label = "manifest.json") {
  try {
    ParseManifest(json, label);
  } catch (const Error& error) {
    return error;
  }
  throw std::runtime_error("no error for: " + json.substr(0, 200));
}

// A small manifest with one model; `nodes` replaces the nodes map.
std::string Manifest12(const std::string& nodes, const std::string& extra = "") {
  return R"({"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json",
    "dbt_version": "1.10.0", "adapter_type": "postgres", "project_name": "p",
    "invocation_id": "inv-1", "generated_at": "2025-01-01T00:00:00Z"},
    "nodes": )" +
         nodes + extra + "}";
}

// --- real manifests ---------------------------------------------------------

TEST(ManifestReaderTest, JaffleShopCustomersDependsOnStagingModels) {
  for (int version = 6; version <= 11; ++version) {
    SCOPED_TRACE(version);
    const Manifest manifest =
        ReadManifest(Fixture("versions/manifest_v" + std::to_string(version) + ".json"));
    const Node& customers = Find(manifest.nodes, "model.jaffle_shop.customers");
    EXPECT_THAT(customers.depends_on,
                ElementsAre("model.jaffle_shop.stg_customers", "model.jaffle_shop.stg_orders",
                            "model.jaffle_shop.stg_payments"));
    EXPECT_EQ(customers.materialized, "table");
    EXPECT_EQ(customers.resource_type, ResourceType::kModel);
    EXPECT_EQ(customers.name, "customers");
    EXPECT_EQ(customers.alias, "customers");
    EXPECT_FALSE(customers.compiled_code.empty());
    EXPECT_FALSE(customers.relation_name.empty());
  }
}

TEST(ManifestReaderTest, V1ReadsRawSqlAndHasNoRelationName) {
  const Manifest manifest = ReadManifest(Fixture("versions/manifest_v1.json"));
  EXPECT_EQ(manifest.metadata.schema_version, 1);
  EXPECT_EQ(manifest.metadata.dbt_version, "0.19.1");
  EXPECT_EQ(manifest.metadata.adapter_type, "bigquery");
  EXPECT_EQ(manifest.metadata.invocation_id, "c5d218c3-4376-492b-8a59-011b343ad9a3");
  EXPECT_EQ(manifest.metadata.generated_at, "2021-06-16T08:34:18.410075Z");
  EXPECT_EQ(manifest.metadata.project_name, "");  // dbt < 1.6 does not write it
  const Node& dim = Find(manifest.nodes, "model.jaffle_shop.dim_customers");
  EXPECT_THAT(dim.raw_code, StartsWith("with customers as (\n\n    select * from {{ ref('stg_"));
  EXPECT_THAT(dim.depends_on,
              ElementsAre("model.jaffle_shop.stg_customers", "model.jaffle_shop.customer_orders",
                          "model.jaffle_shop.customer_payments"));
  EXPECT_EQ(dim.compiled_code, "");  // the manifest of a `dbt run` in 0.19 has no compiled_sql
  EXPECT_EQ(dim.relation_name, "");  // relation_name arrived in dbt 0.21
  EXPECT_EQ(dim.database, "your-gcp-project");
  EXPECT_EQ(dim.fqn, (std::vector<std::string>{"jaffle_shop", "marts", "core", "dim_customers"}));
  EXPECT_EQ(Find(manifest.nodes, "model.jaffle_shop.stg_customers").materialized, "view");
}

TEST(ManifestReaderTest, V12ReadsRawCodeAndNewResourceTypes) {
  const Manifest manifest = ReadManifest(Fixture("versions/manifest_v12.json"));
  EXPECT_EQ(manifest.metadata.schema_version, 12);
  EXPECT_EQ(manifest.metadata.project_name, "jaffle_shop");
  EXPECT_EQ(manifest.metadata.adapter_type, "duckdb");
  const Node& customers = Find(manifest.nodes, "model.jaffle_shop.customers");
  EXPECT_THAT(customers.raw_code, StartsWith("with\n\ncustomers as (\n\n    select * from "));
  EXPECT_THAT(customers.depends_on,
              ElementsAre("model.jaffle_shop.stg_customers", "model.jaffle_shop.orders"));
  EXPECT_EQ(customers.relation_name, "\"jaffle_shop\".\"main\".\"customers\"");
  EXPECT_EQ(customers.language, "sql");
  EXPECT_EQ(customers.access, "protected");

  const Node& unit = Find(manifest.nodes,
                          "unit_test.jaffle_shop.stg_locations.test_does_location_opened_at_trunc_"
                          "to_date");
  EXPECT_EQ(unit.resource_type, ResourceType::kUnitTest);
  EXPECT_THAT(unit.depends_on, ElementsAre("model.jaffle_shop.stg_locations"));
  EXPECT_EQ(Find(manifest.nodes, "semantic_model.jaffle_shop.products").resource_type,
            ResourceType::kSemanticModel);
  EXPECT_EQ(Find(manifest.nodes, "saved_query.jaffle_shop.customer_order_metrics").resource_type,
            ResourceType::kSavedQuery);
  EXPECT_EQ(Find(manifest.nodes, "metric.jaffle_shop.lifetime_spend_pretax").resource_type,
            ResourceType::kMetric);
}

TEST(ManifestReaderTest, GenericTestMetadataV1DerivesAttachedNodeFromDependsOn) {
  const Manifest manifest = ReadManifest(Fixture("versions/manifest_v1.json"));
  const Node& test = Find(manifest.nodes, "test.jaffle_shop.not_null_stg_customers_customer_id");
  EXPECT_EQ(test.resource_type, ResourceType::kTest);
  ASSERT_TRUE(test.test.has_value());
  EXPECT_EQ(test.test->test_name, "not_null");
  EXPECT_EQ(test.test->test_namespace, "");
  EXPECT_EQ(test.test->column_name, "customer_id");
  EXPECT_EQ(test.test->attached_node, "model.jaffle_shop.stg_customers");
  EXPECT_EQ(test.test->severity, "ERROR");
  EXPECT_EQ(test.test->kwargs_json,
            R"({"column_name":"customer_id","model":"{{ ref('stg_customers') }}"})");
}

TEST(ManifestReaderTest, GenericTestMetadataV12HasAttachedNode) {
  const Manifest manifest = ReadManifest(Fixture("versions/manifest_v12.json"));
  const Node& test =
      Find(manifest.nodes, "test.jaffle_shop.not_null_stg_supplies_supply_uuid.515c6eda6d");
  ASSERT_TRUE(test.test.has_value());
  EXPECT_EQ(test.test->test_name, "not_null");
  EXPECT_EQ(test.test->column_name, "supply_uuid");
  EXPECT_EQ(test.test->attached_node, "model.jaffle_shop.stg_supplies");
  EXPECT_EQ(test.test->severity, "ERROR");
  EXPECT_EQ(
      test.test->kwargs_json,
      R"({"column_name":"supply_uuid","model":"{{ get_where_subquery(ref('stg_supplies')) }}"})");
  // Only tests carry test info.
  EXPECT_FALSE(Find(manifest.nodes, "model.jaffle_shop.customers").test.has_value());
}

TEST(ManifestReaderTest, SingularTestIsNamedAfterItself) {
  const Manifest manifest = ReadManifest(Fixture("versions/dbt-core-state/manifest_v12.json"));
  const Node& test = Find(manifest.nodes, "test.test.just_my");
  ASSERT_TRUE(test.test.has_value());
  EXPECT_EQ(test.test->test_name, "just_my");
  EXPECT_EQ(test.test->column_name, "");
  EXPECT_EQ(test.test->attached_node, "model.test.my_model");
  EXPECT_EQ(test.test->kwargs_json, "{}");
}

TEST(ManifestReaderTest, SeedWithoutDependsOnNodes) {
  // dbt 1.11 writes a seed's depends_on as {"macros": []}.
  const Manifest manifest = ReadManifest(Fixture("versions/dbt-core-state/manifest_v12.json"));
  const Node& seed = Find(manifest.nodes, "seed.test.my_seed");
  EXPECT_EQ(seed.resource_type, ResourceType::kSeed);
  EXPECT_TRUE(seed.depends_on.empty());
  EXPECT_EQ(seed.materialized, "seed");
  EXPECT_EQ(seed.raw_code, "");
}

TEST(ManifestReaderTest, SourcesUseIdentifierAsAlias) {
  const Manifest manifest = ReadManifest(Fixture("versions/dbt-core-state/manifest_v12.json"));
  const Node& source = Find(manifest.nodes, "source.test.my_source.my_table");
  EXPECT_EQ(source.resource_type, ResourceType::kSource);
  EXPECT_EQ(source.name, "my_table");
  EXPECT_EQ(source.alias, "my_seed");
  EXPECT_EQ(source.source_name, "my_source");
  EXPECT_EQ(source.loader, "a_loader");
  EXPECT_EQ(source.loaded_at_field, "");
  EXPECT_EQ(source.database, "dbt");
  EXPECT_EQ(source.schema, "my_source");
  EXPECT_EQ(source.relation_name, "\"dbt\".\"my_source\".\"my_seed\"");
  EXPECT_EQ(
      source.freshness_json,
      R"({"warn_after":{"count":null,"period":null},"error_after":{"count":null,"period":null},"filter":null})");
}

TEST(ManifestReaderTest, ExposureOwnerAndType) {
  for (const char* version : {"manifest_v7.json", "manifest_v12.json"}) {
    SCOPED_TRACE(version);
    const Manifest manifest =
        ReadManifest(Fixture(std::string("versions/dbt-core-state/") + version));
    const Node& exposure = Find(manifest.nodes, "exposure.test.simple_exposure");
    EXPECT_EQ(exposure.resource_type, ResourceType::kExposure);
    EXPECT_EQ(exposure.exposure_type, "dashboard");
    EXPECT_THAT(exposure.owners, ElementsAre("something@example.com"));
    EXPECT_THAT(exposure.depends_on,
                ElementsAre("source.test.my_source.my_table", "model.test.my_model"));
    EXPECT_EQ(exposure.maturity, "");
  }
}

TEST(ManifestReaderTest, DisabledDictCountsEveryResourceKind) {
  const Manifest manifest = ReadManifest(Fixture("versions/dbt-core-state/manifest_v12.json"));
  ASSERT_EQ(manifest.disabled.size(), 9u);
  std::vector<std::string> ids;
  for (const Node& node : manifest.disabled) ids.push_back(node.unique_id);
  EXPECT_THAT(ids, ElementsAre("model.test.disabled_model", "snapshot.test.disabled_snapshot_seed",
                               "analysis.test.disabled_al", "test.test.disabled_just_my",
                               "test.test.disabled_check_nothing_my_model_.f2c6a72d37",
                               "exposure.test.disabled_exposure", "metric.test.disabled_metric",
                               "seed.test.disabled_seed", "source.test.my_source.disabled_table"));
  EXPECT_EQ(manifest.disabled[8].resource_type, ResourceType::kSource);
  EXPECT_EQ(manifest.disabled[5].resource_type, ResourceType::kExposure);
}

TEST(ManifestReaderTest, DisabledListFormOfV1ToV3) {
  const Manifest manifest = ParseManifest(
      R"({"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v3.json"},
          "nodes": {}, "disabled": [
            {"unique_id": "model.p.old", "resource_type": "model", "name": "old", "config": {"materialized": "view"}},
            {"unique_id": "test.p.t", "resource_type": "test", "name": "t", "depends_on": {"nodes": ["model.p.old"]}}]})",
      "manifest.json");
  ASSERT_EQ(manifest.disabled.size(), 2u);
  EXPECT_EQ(manifest.disabled[0].materialized, "view");
  ASSERT_TRUE(manifest.disabled[1].test.has_value());
  EXPECT_EQ(manifest.disabled[1].test->attached_node, "model.p.old");
  EXPECT_TRUE(manifest.nodes.empty());
  EXPECT_EQ(manifest.metadata.schema_version, 3);
}

TEST(ManifestReaderTest, DocBlocks) {
  const Manifest manifest = ReadManifest(Fixture("versions/manifest_v1.json"));
  ASSERT_EQ(manifest.docs.size(), 3u);
  auto it = std::find_if(manifest.docs.begin(), manifest.docs.end(), [](const DocBlock& doc) {
    return doc.unique_id == "jaffle_shop.orders_status";
  });
  ASSERT_NE(it, manifest.docs.end());
  EXPECT_EQ(it->name, "orders_status");
  EXPECT_EQ(it->package_name, "jaffle_shop");
  EXPECT_THAT(it->block_contents, StartsWith("Orders can be one of the following statu"));
}

TEST(ManifestReaderTest, ColumnsInDocumentOrder) {
  const Manifest manifest = ReadManifest(Fixture("versions/manifest_v12.json"));
  const Node& customers = Find(manifest.nodes, "model.jaffle_shop.customers");
  ASSERT_FALSE(customers.columns.empty());
  EXPECT_EQ(customers.columns[0].name, "customer_id");
  EXPECT_EQ(customers.columns[0].meta_json, "{}");
  EXPECT_EQ(customers.columns[0].constraints_json, "[]");
}

// --- fields probed on synthetic manifests -----------------------------------

TEST(ManifestReaderTest, MetaOwnersVersionsContractsAndEscapes) {
  const Manifest manifest = ParseManifest(Manifest12(R"({
    "model.p.a": {"unique_id": "model.p.a", "name": "a", "resource_type": "model",
      "meta": {"owner": "ann@example.com", "tier": 1},
      "config": {"materialized": "incremental", "meta": {"owner": "ignored", "pii": true},
                 "contract": {"enforced": true}},
      "version": 2, "latest_version": "3", "access": "public", "group": "finance",
      "description": "Line one\nsays \"hi\" \u00e9 \ud83d\ude00",
      "constraints": [ {"type": "primary_key", "columns": ["id"]} ],
      "doc_blocks": ["doc.p.a_description"],
      "columns": {"id": {"name": "id", "data_type": "int", "tags": ["pk"],
                         "meta": {"owner": "x"}, "constraints": [{"type": "not_null"}]},
                  "amount": {"description": "$", "config": {"meta": {"unit": "usd"}}}},
      "checksum": {"name": "sha256", "checksum": "abc"},
      "some_future_field": {"deep": [1, 2, {"x": null}]}},
    "model.p.b": {"unique_id": "model.p.b", "resource_type": "model",
      "meta": {"owner": ["bob", "carol"]}, "contract": {"enforced": true, "alias_types": true}},
    "model.p.c": {"unique_id": "model.p.c", "resource_type": "model",
      "meta": null, "tags": "single", "depends_on": null, "description": null, "version": null}
  })",
                                                     R"(, "future_top_level": {"a": [1, 2]})"),
                                          "manifest.json");
  ASSERT_EQ(manifest.nodes.size(), 3u);
  const Node& a = manifest.nodes[0];
  EXPECT_EQ(a.meta_json, R"({"owner":"ann@example.com","tier":1,"pii":true})");
  EXPECT_THAT(a.owners, ElementsAre("ann@example.com"));
  EXPECT_EQ(a.materialized, "incremental");
  EXPECT_TRUE(a.contract_enforced);
  EXPECT_EQ(a.version, "2");
  EXPECT_EQ(a.latest_version, "3");
  EXPECT_EQ(a.access, "public");
  EXPECT_EQ(a.group, "finance");
  EXPECT_EQ(a.description, "Line one\nsays \"hi\" \xC3\xA9 \xF0\x9F\x98\x80");
  EXPECT_EQ(a.constraints_json, R"([{"type":"primary_key","columns":["id"]}])");
  EXPECT_THAT(a.doc_blocks, ElementsAre("doc.p.a_description"));
  EXPECT_EQ(a.checksum, "abc");
  ASSERT_EQ(a.columns.size(), 2u);
  EXPECT_EQ(a.columns[0].name, "id");
  EXPECT_EQ(a.columns[0].data_type, "int");
  EXPECT_THAT(a.columns[0].tags, ElementsAre("pk"));
  EXPECT_EQ(a.columns[0].meta_json, R"({"owner":"x"})");
  EXPECT_EQ(a.columns[0].constraints_json, R"([{"type":"not_null"}])");
  EXPECT_EQ(a.columns[1].name, "amount");  // from the key
  EXPECT_EQ(a.columns[1].description, "$");
  EXPECT_EQ(a.columns[1].meta_json, R"({"unit":"usd"})");

  const Node& b = manifest.nodes[1];
  EXPECT_THAT(b.owners, ElementsAre("bob", "carol"));
  EXPECT_TRUE(b.contract_enforced);
  EXPECT_EQ(b.name, "");

  const Node& c = manifest.nodes[2];
  EXPECT_EQ(c.meta_json, "{}");
  EXPECT_THAT(c.tags, ElementsAre("single"));
  EXPECT_TRUE(c.depends_on.empty());
  EXPECT_EQ(c.version, "");
}

TEST(ManifestReaderTest, MetadataAfterTheNodesIsStillCheckedFirst) {
  // dbt Fusion sorts top-level keys: "metadata" comes after "disabled" and "docs".
  const Manifest manifest = ParseManifest(
      R"({"docs": {}, "macros": {"macro.a": {}, "macro.b": {}},
          "metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json"},
          "nodes": {"seed.p.s": {"resource_type": "seed", "unique_id": "seed.p.s"}}})",
      "manifest.json");
  EXPECT_EQ(manifest.macro_count, 2u);
  ASSERT_EQ(manifest.nodes.size(), 1u);
  EXPECT_EQ(manifest.nodes[0].resource_type, ResourceType::kSeed);

  const Error error = ParseError(
      R"({"nodes": {"x": 1},
          "metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/catalog/v1.json"}})");
  EXPECT_EQ(error.code(), ErrorCode::kParse);
}

TEST(ManifestReaderTest, UnknownResourceTypeIsKept) {
  const Manifest manifest = ParseManifest(
      Manifest12(R"({"widget.p.w": {"unique_id": "widget.p.w", "resource_type": "widget"}})"),
      "manifest.json");
  ASSERT_EQ(manifest.nodes.size(), 1u);
  EXPECT_EQ(manifest.nodes[0].resource_type, ResourceType::kUnknown);
  EXPECT_EQ(manifest.nodes[0].resource_type_name, "widget");
}

TEST(ManifestReaderTest, ResourceTypeNamesRoundTrip) {
  for (ResourceType type :
       {ResourceType::kModel, ResourceType::kSeed, ResourceType::kSnapshot, ResourceType::kSource,
        ResourceType::kTest, ResourceType::kUnitTest, ResourceType::kAnalysis,
        ResourceType::kOperation, ResourceType::kSqlOperation, ResourceType::kExposure,
        ResourceType::kMetric, ResourceType::kSemanticModel, ResourceType::kSavedQuery,
        ResourceType::kFunction}) {
    EXPECT_EQ(ParseResourceType(ResourceTypeName(type)), type) << ResourceTypeName(type);
  }
  EXPECT_EQ(ResourceTypeName(ResourceType::kSemanticModel), "semantic_model");
  EXPECT_EQ(ParseResourceType("nonsense"), ResourceType::kUnknown);
  EXPECT_EQ(ArtifactKindName(ArtifactKind::kRunResults), "run-results");
}

// --- bad input --------------------------------------------------------------

TEST(ManifestReaderTest, TruncatedManifestNamesFileAndOffset) {
  const std::string text = ReadFile(Fixture("versions/manifest_v12.json"));
  ASSERT_EQ(text.substr(text.size() - 2), "}\n");
  for (std::size_t cut :
       {std::size_t{10}, std::size_t{1000}, std::size_t{500000}, text.size() - 2}) {
    SCOPED_TRACE(cut);
    const std::string truncated = text.substr(0, cut);
    const Error error = ParseError(truncated, "target/manifest.json");
    EXPECT_EQ(error.code(), ErrorCode::kParse);
    EXPECT_EQ(error.context().file, "target/manifest.json");
    ASSERT_TRUE(error.context().offset.has_value());
    EXPECT_LE(*error.context().offset, truncated.size());
    EXPECT_THAT(error.what(), HasSubstr("target/manifest.json"));
  }
  // Cut after a complete value: the JSON ends inside the nodes map.
  const std::size_t in_nodes = text.find("\"model.jaffle_shop.customers\"");
  ASSERT_NE(in_nodes, std::string::npos);
  const Error error = ParseError(text.substr(0, in_nodes - 1), "m.json");
  EXPECT_EQ(error.code(), ErrorCode::kParse);
  EXPECT_THAT(error.message(), HasSubstr("truncated"));
  EXPECT_EQ(error.context().offset, in_nodes - 1);
}

TEST(ManifestReaderTest, InvalidJsonInTheMiddleNamesPathAndOffset) {
  std::string text = ReadFile(Fixture("versions/manifest_v12.json"));
  const std::size_t node = text.find("\"model.jaffle_shop.customers\": {");
  ASSERT_NE(node, std::string::npos);
  const std::size_t colon = text.find("\"name\": ", node) + 6;
  ASSERT_EQ(text[colon], ':');
  text[colon] = ' ';  // "name"  "customers": a missing colon
  const Error error = ParseError(text, "m.json");
  EXPECT_EQ(error.code(), ErrorCode::kParse);
  EXPECT_EQ(error.context().json_path, "$.nodes[\"model.jaffle_shop.customers\"]");
  ASSERT_TRUE(error.context().offset.has_value());
  EXPECT_GE(*error.context().offset, colon - 10);
  EXPECT_LE(*error.context().offset, colon + 20);
  EXPECT_THAT(error.message(), HasSubstr("invalid JSON"));
}

TEST(ManifestReaderTest, WrongArtifactKind) {
  try {
    ReadManifest(Fixture("versions/run_results_v6.json"));
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kParse);
    EXPECT_EQ(error.message(), "is a dbt run-results artifact, expected a manifest");
    EXPECT_EQ(error.context().json_path, "$.metadata.dbt_schema_version");
    EXPECT_EQ(error.context().file, Fixture("versions/run_results_v6.json"));
  }
  const Error error = ParseError(R"({"nodes": {}, "metadata": {"dbt_version": "1.0"}})");
  EXPECT_EQ(error.code(), ErrorCode::kParse);
  EXPECT_EQ(error.message(), "is not a dbt artifact: metadata.dbt_schema_version is missing");
  EXPECT_EQ(ParseError(R"({"results": []})").code(), ErrorCode::kParse);
}

TEST(ManifestReaderTest, FutureSchemaVersionIsUnsupported) {
  std::string text = ReadFile(Fixture("versions/manifest_v12.json"));
  const std::size_t at = text.find("manifest/v12.json");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 17, "manifest/v13.json");
  const Error error = ParseError(text);
  EXPECT_EQ(error.code(), ErrorCode::kUnsupported);
  EXPECT_EQ(error.message(), "manifest schema v13 is newer than this Cairn supports (v1–v12)");
}

TEST(ManifestReaderTest, WrongTypeNamesThePath) {
  Error error = ParseError(Manifest12("[]"));
  EXPECT_EQ(error.code(), ErrorCode::kParse);
  EXPECT_EQ(error.context().json_path, "$.nodes");
  EXPECT_EQ(error.message(), "expected an object");

  error = ParseError(Manifest12(R"({"model.p.a": {"unique_id": "model.p.a", "name": 7}})"));
  EXPECT_EQ(error.context().json_path, "$.nodes[\"model.p.a\"].name");
  EXPECT_EQ(error.message(), "expected a string");

  error = ParseError(Manifest12(R"({"model.p.a": {"depends_on": {"nodes": [1]}}})"));
  EXPECT_EQ(error.context().json_path, "$.nodes[\"model.p.a\"].depends_on.nodes[0]");
  EXPECT_EQ(error.message(), "expected a string");

  error = ParseError(Manifest12(R"({"model.p.a": {"columns": {"id": {"tags": {}}}}})"));
  EXPECT_EQ(error.context().json_path, "$.nodes[\"model.p.a\"].columns.id.tags");
  EXPECT_EQ(error.message(), "expected an array");

  error = ParseError("[1, 2]");
  EXPECT_EQ(error.code(), ErrorCode::kParse);
  EXPECT_EQ(error.message(), "expected an object");
}

TEST(ManifestReaderTest, TrailingContentIsAnError) {
  const Error error = ParseError(Manifest12("{}") + "}");
  EXPECT_EQ(error.code(), ErrorCode::kParse);
  EXPECT_THAT(error.message(), HasSubstr("after the JSON document"));
}

TEST(ManifestReaderTest, EmptyAndMissingFiles) {
  Error error = ParseError("");
  EXPECT_EQ(error.code(), ErrorCode::kParse);
  EXPECT_EQ(error.context().file, "manifest.json");
  EXPECT_THAT(error.message(), HasSubstr("empty"));
  EXPECT_EQ(ParseError("  \n").code(), ErrorCode::kParse);

  const std::string empty =
      (std::filesystem::temp_directory_path() / "cairn_dbt_empty_manifest.json").string();
  std::ofstream(empty).close();
  try {
    ReadManifest(empty);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kParse);
    EXPECT_EQ(e.context().file, empty);
  }
  std::filesystem::remove(empty);

  const std::string missing = "/nonexistent/target/manifest.json";
  try {
    ReadManifest(missing);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    EXPECT_THAT(e.what(), HasSubstr(missing));
  }
}

}  // namespace
}  // namespace cairn::dbt

namespace cairn::dbt {
namespace {

// Without the SIMD flags in src/dbt/CMakeLists.txt, On-Demand compiles for the
// scalar kernel and every ingestion gets ~25 % slower, with no other symptom.
TEST(SimdKernelTest, OnDemandUsesASimdKernel) {
  EXPECT_NE(internal::OnDemandKernel(), "fallback");
}

}  // namespace
}  // namespace cairn::dbt
