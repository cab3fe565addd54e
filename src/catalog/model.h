#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The catalog's entity model, independent of any source (DESIGN.md, "The
// catalog model"). Sources (connectors/) produce a ServiceSnapshot; a Store
// persists it and answers queries with the read-side structs at the bottom.
//
// Addressing: a table is `service.database.schema.table`, a column appends
// `.column`. A dbt resource without a relation of its own (test, exposure,
// metric, semantic model, saved query, unit test, analysis, ephemeral model)
// is addressed by `service.` + its dbt unique_id. Name parts containing a dot
// are double-quoted, as OpenMetadata does.
namespace cairn::catalog {

std::string QuoteFqnPart(std::string_view part);
std::string TableFqn(std::string_view service, std::string_view database, std::string_view schema,
                     std::string_view table);
std::string NodeFqn(std::string_view service, std::string_view unique_id);

struct Column {
  std::string name;
  int ordinal = 0;  // 1-based position
  std::string data_type;
  std::string description;
  std::vector<std::string> tags;
  std::string meta_json = "{}";
  std::string constraints_json = "[]";

  bool operator==(const Column&) const = default;
};

// A relation in the warehouse: table, view, materialized_view, ... or
// "ephemeral" for dbt models that exist only inside other models' SQL.
struct Table {
  std::string fqn;
  std::string database;
  std::string schema;
  std::string name;
  std::string
      table_type;  // table, view, materialized_view, incremental, snapshot, seed, external, ...
  std::string description;
  std::vector<std::string> tags;
  std::vector<std::string> owners;
  std::string stats_json = "{}";  // row count, bytes, ... from the warehouse
  std::string definition;         // a view's or materialized view's SELECT, as the warehouse has it
  std::vector<Column> columns;
  // Read side: when a warehouse ingestion found the table gone (ISO-8601
  // UTC); empty while it exists. Ignored by Apply, which sets it.
  std::string deleted_at;

  bool operator==(const Table&) const = default;
};

// A dbt resource. Models, seeds, snapshots and sources point at the Table
// they build or describe; tests point at the table (and column) they test.
struct DbtNode {
  std::string fqn;        // TableFqn for relation-backed nodes, else NodeFqn
  std::string table_fqn;  // the table it builds/describes/tests; empty for exposures etc.
  std::string unique_id;
  std::string resource_type;
  std::string name;
  std::string package_name;
  std::string original_file_path;
  std::string description;
  std::vector<std::string> tags;
  std::vector<std::string> owners;
  std::string meta_json = "{}";
  std::string materialized;
  std::string language;
  std::string raw_code;
  std::string compiled_code;
  std::string access;
  std::string group_name;
  std::string version;
  std::string latest_version;
  bool contract_enforced = false;
  std::string constraints_json = "[]";
  std::vector<std::string> depends_on;  // unique_ids, as dbt wrote them
  // Tests.
  std::string test_name;
  std::string test_column;
  std::string test_kwargs_json;
  std::string severity;
  // Sources.
  std::string source_name;
  std::string loader;
  std::string freshness_json;
  // Exposures and friends.
  std::string label;
  std::string exposure_type;
  std::string url;
  std::string maturity;

  bool operator==(const DbtNode&) const = default;
};

// Data flows from upstream to downstream. Column names are empty for a
// table-level edge.
struct LineageEdge {
  std::string upstream_fqn;
  std::string downstream_fqn;
  std::string upstream_column;
  std::string downstream_column;

  bool operator==(const LineageEdge&) const = default;
};

struct DocBlock {
  std::string unique_id;
  std::string name;
  std::string package_name;
  std::string block_contents;

  bool operator==(const DocBlock&) const = default;
};

// One dbt invocation whose results are kept as history.
struct Invocation {
  std::string invocation_id;
  std::string artifact;  // "run_results" or "sources"
  std::string command;   // run, test, build, source freshness, ...
  std::string dbt_version;
  std::string generated_at;
  double elapsed_seconds = 0;

  bool operator==(const Invocation&) const = default;
};

// The result of one node in one invocation: a model run, a test, a seed, or a
// source freshness check (status pass/warn/error with the loaded-at facts).
struct NodeRun {
  std::string invocation_id;
  std::string unique_id;
  std::string resource_type;
  std::string status;
  double execution_seconds = 0;
  std::string started_at;
  std::string completed_at;
  std::string message;
  std::optional<std::int64_t> failures;
  std::optional<std::int64_t> rows_affected;
  // Source freshness only.
  std::string max_loaded_at;
  std::optional<double> age_seconds;

  bool operator==(const NodeRun&) const = default;
};

// What Apply does with the stored tables of (service, origin) that a
// snapshot no longer lists.
enum class MissingTables {
  kRemove,       // dbt: a model deleted in dbt disappears (its history stays)
  kMarkDeleted,  // markDeletedTables: kept, marked deleted, out of search
  kKeep,         // markDeletedTables false: left as they were
};

struct SchemaRef {
  std::string database;
  std::string schema;

  bool operator==(const SchemaRef&) const = default;
};

// Everything one source (`origin`, e.g. "dbt") says about one service. Store::Apply
// makes the store hold exactly this for (service, origin): entities the
// snapshot no longer has are removed (tables as `missing_tables` says);
// history (invocations, runs) is only ever appended.
struct ServiceSnapshot {
  std::string service;
  std::string service_type;  // "dbt", later "postgres", "dynamodb", ...
  std::string origin;        // who set these fields: "dbt"
  std::vector<Table> tables;
  std::vector<DbtNode> nodes;
  std::vector<LineageEdge> lineage;
  std::vector<DocBlock> docs;
  std::vector<Invocation> invocations;
  std::vector<NodeRun> runs;
  MissingTables missing_tables = MissingTables::kRemove;
  // The schemas this snapshot read, when it read only some (a warehouse run
  // with filters): tables of other schemas are left as they are, whatever
  // `missing_tables` says. nullopt: every schema.
  std::optional<std::vector<SchemaRef>> read_schemas;
  // A digest of the input this snapshot was read from (the source's
  // Fingerprint()), kept with the service's state so that the next ingestion
  // of byte-identical input can stop before reading; empty when unknown.
  std::string artifact_fingerprint;

  bool operator==(const ServiceSnapshot&) const = default;
};

// What Apply changed, for the run report.
struct ApplyCounts {
  std::int64_t added = 0;
  std::int64_t updated = 0;
  std::int64_t removed = 0;
  std::int64_t unchanged = 0;
  std::int64_t marked_deleted = 0;  // tables only (MissingTables::kMarkDeleted)
};

struct ApplyReport {
  ApplyCounts tables;
  ApplyCounts nodes;
  std::int64_t lineage_edges = 0;
  std::int64_t invocations_added = 0;  // invocations already stored are skipped
  std::int64_t runs_added = 0;
};

// A service whose stored state was applied from input with a given
// fingerprint, and what an Apply of that same input would report: every
// table and node unchanged, nothing added.
struct UnchangedService {
  std::string service;
  ApplyReport stored;
};

// ---- Read side --------------------------------------------------------------

struct SearchQuery {
  std::string text;           // full-text query over names, descriptions, column names/descriptions
  std::string resource_type;  // optional filter: "table", "model", "source", "test", ...
  std::string tag;            // optional filter
  std::string owner;          // optional filter
  std::string schema;         // optional filter
  // Optional filter on the worst latest test result (see SearchHit::test_status):
  // "error", "fail", "warn", "pass" or "none"; any other value is refused.
  std::string test_status;
  bool facets = false;  // also count the matches by facet (SearchPage::facets)
  int limit = 20;
  int offset = 0;
};

struct SearchHit {
  std::string fqn;
  std::string name;
  std::string resource_type;  // dbt resource type, or "table" for warehouse-only tables
  std::string description;    // first part of it
  double score = 0;           // higher is better
  // The worst latest result of the tests on this entity (a test: its own
  // latest result), worst first: "error", "fail", "warn", "pass" (dbt's
  // "success" for a test too); "none" when it has no tests or none has a
  // result (a latest "skipped" counts as none).
  std::string test_status = "none";
};

// How many matches have one value of a facet.
struct FacetCount {
  std::string value;
  std::int64_t count = 0;
};

// Counts over every match of a search (all filters applied, before paging),
// per facet at most kMaxFacetValues values, most frequent first, ties by
// value. Tags and owners are lower-cased, as their filters compare them.
struct SearchFacets {
  static constexpr std::size_t kMaxFacetValues = 20;
  std::vector<FacetCount> resource_type;
  std::vector<FacetCount> schema;
  std::vector<FacetCount> tag;
  std::vector<FacetCount> owner;
  std::vector<FacetCount> test_status;
};

struct SearchPage {
  std::vector<SearchHit> hits;
  std::int64_t total = 0;
  std::optional<SearchFacets> facets;  // when the query asked for them
};

// A test attached to a table, with its latest result and recent history.
struct TestSummary {
  std::string unique_id;
  std::string fqn;
  std::string name;
  std::string test_name;
  std::string column;
  std::string latest_status;     // empty when never run
  std::vector<NodeRun> history;  // newest first
};

// A change a person made (in the UI or through the API), kept apart from what
// ingestion sets and laid over it when the entity is read.
struct Edit {
  std::string target_fqn;     // a table, a column (table FQN + "." + column) or a dbt node
  std::string field;          // "description", "tags" or "owners" (columns: description, tags)
  std::string value_json;     // a JSON string for description, an array of strings otherwise
  std::string edited_by;      // who made it (the token's name)
  std::string edited_at;      // ISO-8601, set by the store
  std::string ingested_json;  // on read: what ingestion set for this field, as JSON
};

// A table or table-less dbt resource with all it carries.
struct EntityDetail {
  std::string kind;  // "table" or "dbt_node"
  std::string service;
  std::optional<Table> table;
  std::optional<DbtNode> node;  // the dbt resource that builds/describes it, if any
  std::vector<TestSummary> tests;
  std::vector<NodeRun> runs;  // the node's own run history, newest first
  // Edits laid over the fields above (description, tags, owners of the table,
  // its node and its columns), with what ingestion had set.
  std::vector<Edit> edits;
};

enum class LineageDirection { kUpstream, kDownstream, kBoth };

struct LineageQuery {
  std::string fqn;
  LineageDirection direction = LineageDirection::kBoth;
  int depth = 1;
};

struct LineageNode {
  std::string fqn;
  std::string name;
  std::string resource_type;
  int distance = 0;                  // negative upstream, positive downstream
  std::string test_status = "none";  // as SearchHit::test_status, for highlighting failures
};

struct LineageGraph {
  std::string root;    // the table's or dbt node's fqn as stored (query.fqn when unknown)
  bool found = false;  // query.fqn names a table or dbt resource (by fqn or unique_id)
  std::vector<LineageNode> nodes;  // includes the root at distance 0
  std::vector<LineageEdge> edges;
};

// An invocation as listed: with its service and how many node results it has.
struct InvocationSummary {
  Invocation invocation;
  std::string service;
  std::int64_t results = 0;
};

struct CatalogCounts {
  std::int64_t services = 0;
  std::int64_t tables = 0;
  std::int64_t columns = 0;
  std::int64_t nodes = 0;
  std::int64_t lineage_edges = 0;
  std::int64_t invocations = 0;
  std::int64_t runs = 0;
};

}  // namespace cairn::catalog
