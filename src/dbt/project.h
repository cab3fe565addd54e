#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The normalised form of dbt's artifacts. Readers (manifest_reader.h, ...)
// fill these structs from any schema version; everything downstream sees one
// shape. Fields a given dbt version does not write are left empty, never
// guessed. JSON-valued fields that Cairn only stores and shows (meta, kwargs,
// constraints, stats) are kept as compact JSON text.
namespace cairn::dbt {

enum class ResourceType {
  kModel,
  kSeed,
  kSnapshot,
  kSource,
  kTest,
  kUnitTest,
  kAnalysis,
  kOperation,  // on-run-start/end hooks
  kSqlOperation,
  kExposure,
  kMetric,
  kSemanticModel,
  kSavedQuery,
  kFunction,  // dbt 1.11 user-defined functions
  kUnknown,   // a resource type newer than Cairn: kept, never fatal
};

std::string_view ResourceTypeName(ResourceType type);
ResourceType ParseResourceType(std::string_view name);

enum class ArtifactKind { kManifest, kRunResults, kCatalog, kSources };

std::string_view ArtifactKindName(ArtifactKind kind);  // "manifest", "run-results", ...

// metadata{} common to all artifacts.
struct ArtifactMetadata {
  ArtifactKind kind = ArtifactKind::kManifest;
  int schema_version = 0;  // N from ".../manifest/vN.json"
  std::string dbt_version;
  std::string generated_at;  // ISO 8601 as written by dbt
  std::string invocation_id;
  std::string adapter_type;  // manifest only
  std::string project_name;  // manifest only; dbt >= 1.6 writes it
};

struct Column {
  std::string name;
  std::string description;
  std::string data_type;  // as declared in YAML; the warehouse type comes from catalog.json
  std::vector<std::string> tags;
  std::string meta_json = "{}";
  std::string constraints_json = "[]";
};

// What a data test checks. Generic tests carry test_metadata; singular tests
// only their SQL.
struct TestInfo {
  std::string test_name;       // "not_null", "relationships", or the singular test's name
  std::string test_namespace;  // "dbt_utils" for package tests, empty for core ones
  std::string column_name;     // empty for model-level tests
  // The node under test: attached_node when dbt wrote it, else the first
  // model/seed/snapshot/source in depends_on.nodes.
  std::string attached_node;
  std::string kwargs_json = "{}";
  std::string severity;  // "ERROR" / "WARN"
};

// One dbt resource: a node, source, exposure, metric, semantic model, saved
// query, unit test or function.
struct Node {
  std::string unique_id;
  ResourceType resource_type = ResourceType::kUnknown;
  std::string resource_type_name;  // as written, for kUnknown
  std::string name;
  std::string package_name;
  std::string original_file_path;
  std::vector<std::string> fqn;  // dbt's own fqn list

  // The relation it builds or reads; alias for nodes, identifier for sources.
  std::string database;
  std::string schema;
  std::string alias;
  std::string relation_name;  // empty for ephemeral models and for commands that leave it out

  std::string description;
  std::vector<std::string> tags;
  std::string meta_json = "{}";
  std::vector<std::string> owners;  // meta.owner (string or list), exposure owner name/email

  std::string materialized;  // config.materialized
  std::string language;      // "sql" / "python"
  std::string raw_code;      // raw_code, or raw_sql before dbt 1.3
  std::string
      compiled_code;   // compiled_code / compiled_sql; empty when the command did not compile
  std::string access;  // "public" / "protected" / "private"
  std::string group;
  std::string version;  // model versions; kept as text (dbt allows 2 or "2")
  std::string latest_version;
  bool contract_enforced = false;
  std::string constraints_json = "[]";  // model-level constraints
  std::string checksum;
  std::vector<std::string> doc_blocks;  // doc block unique_ids referenced (dbt >= 1.10)
  std::vector<std::string> depends_on;  // depends_on.nodes, in the order dbt wrote them
  std::vector<Column> columns;

  std::optional<TestInfo> test;  // tests only

  // Sources.
  std::string source_name;
  std::string loader;
  std::string loaded_at_field;
  std::string freshness_json;  // the freshness criteria object, "" when absent

  // Exposures, metrics, saved queries.
  std::string label;
  std::string exposure_type;  // dashboard, notebook, ...
  std::string url;
  std::string maturity;
};

// A {% docs %} block.
struct DocBlock {
  std::string unique_id;
  std::string name;
  std::string package_name;
  std::string block_contents;
};

struct Manifest {
  ArtifactMetadata metadata;
  std::vector<Node> nodes;  // every enabled resource of every kind
  std::vector<Node> disabled;
  std::vector<DocBlock> docs;
  std::uint64_t macro_count = 0;
};

// run_results.json: one result per node executed by one invocation.
struct NodeResult {
  std::string unique_id;
  std::string status;  // success, error, skipped, pass, fail, warn, runtime error, ...
  double execution_time = 0;
  std::string started_at;  // from timing[name=execute], else timing[name=compile]
  std::string completed_at;
  std::string message;
  std::optional<std::int64_t> failures;
  std::optional<std::int64_t> rows_affected;  // adapter_response.rows_affected
  std::string thread_id;
  std::string adapter_response_json = "{}";
};

struct RunResults {
  ArtifactMetadata metadata;
  double elapsed_time = 0;
  std::string command;  // args.which: run, test, build, seed, ...
  std::vector<NodeResult> results;
};

struct CatalogColumn {
  std::string name;
  std::string type;
  std::int64_t index = 0;
  std::string comment;
};

struct CatalogTable {
  std::string unique_id;
  std::string database;
  std::string schema;
  std::string name;
  std::string type;  // "BASE TABLE", "VIEW", "table", ...
  std::string comment;
  std::string owner;
  std::vector<CatalogColumn> columns;
  std::string stats_json = "{}";  // {id: {label, value, description}} for included stats only
};

struct Catalog {
  ArtifactMetadata metadata;
  std::vector<CatalogTable> nodes;
  std::vector<CatalogTable> sources;
};

// sources.json (dbt source freshness).
struct FreshnessResult {
  std::string unique_id;
  std::string status;  // pass, warn, error, runtime error
  std::string max_loaded_at;
  std::string snapshotted_at;
  std::optional<double> max_loaded_at_time_ago_in_s;
  std::string criteria_json = "{}";
  std::string error;  // for runtime errors
  double execution_time = 0;
};

struct SourceFreshness {
  ArtifactMetadata metadata;
  double elapsed_time = 0;
  std::vector<FreshnessResult> results;
};

// The files of one dbt project state. Only the manifest is required.
struct ArtifactPaths {
  std::string manifest;
  std::string run_results;
  std::string catalog;
  std::string sources;
};

struct Project {
  Manifest manifest;
  std::optional<RunResults> run_results;
  std::optional<Catalog> catalog;
  std::optional<SourceFreshness> sources;
  std::vector<std::string> warnings;  // things skipped while reading, for the run report
};

}  // namespace cairn::dbt
