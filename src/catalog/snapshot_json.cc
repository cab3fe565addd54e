#include "catalog/snapshot_json.h"

#include <fmt/format.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"

namespace cairn::catalog {
namespace {

using nlohmann::json;

// ---- Writing ----------------------------------------------------------------

json OptionalNumber(const auto& value) {
  return value ? json(*value) : json();
}

const char* MissingTablesName(MissingTables missing) {
  switch (missing) {
    case MissingTables::kRemove:
      return "remove";
    case MissingTables::kMarkDeleted:
      return "mark_deleted";
    case MissingTables::kKeep:
      return "keep";
  }
  return "remove";
}

json ColumnJson(const Column& column) {
  return {{"name", column.name},
          {"ordinal", column.ordinal},
          {"data_type", column.data_type},
          {"description", column.description},
          {"tags", column.tags},
          {"meta_json", column.meta_json},
          {"constraints_json", column.constraints_json}};
}

json TableJson(const Table& table) {
  json columns = json::array();
  for (const Column& column : table.columns) columns.push_back(ColumnJson(column));
  return {{"fqn", table.fqn},
          {"database", table.database},
          {"schema", table.schema},
          {"name", table.name},
          {"table_type", table.table_type},
          {"description", table.description},
          {"tags", table.tags},
          {"owners", table.owners},
          {"stats_json", table.stats_json},
          {"definition", table.definition},
          {"deleted_at", table.deleted_at},
          {"columns", std::move(columns)}};
}

json NodeJson(const DbtNode& node) {
  return {{"fqn", node.fqn},
          {"table_fqn", node.table_fqn},
          {"unique_id", node.unique_id},
          {"resource_type", node.resource_type},
          {"name", node.name},
          {"package_name", node.package_name},
          {"original_file_path", node.original_file_path},
          {"description", node.description},
          {"tags", node.tags},
          {"owners", node.owners},
          {"meta_json", node.meta_json},
          {"materialized", node.materialized},
          {"language", node.language},
          {"raw_code", node.raw_code},
          {"compiled_code", node.compiled_code},
          {"access", node.access},
          {"group_name", node.group_name},
          {"version", node.version},
          {"latest_version", node.latest_version},
          {"contract_enforced", node.contract_enforced},
          {"constraints_json", node.constraints_json},
          {"depends_on", node.depends_on},
          {"test_name", node.test_name},
          {"test_column", node.test_column},
          {"test_kwargs_json", node.test_kwargs_json},
          {"severity", node.severity},
          {"source_name", node.source_name},
          {"loader", node.loader},
          {"freshness_json", node.freshness_json},
          {"label", node.label},
          {"exposure_type", node.exposure_type},
          {"url", node.url},
          {"maturity", node.maturity}};
}

json EdgeJson(const LineageEdge& edge) {
  return {{"upstream_fqn", edge.upstream_fqn},
          {"downstream_fqn", edge.downstream_fqn},
          {"upstream_column", edge.upstream_column},
          {"downstream_column", edge.downstream_column}};
}

json DocJson(const DocBlock& doc) {
  return {{"unique_id", doc.unique_id},
          {"name", doc.name},
          {"package_name", doc.package_name},
          {"block_contents", doc.block_contents}};
}

json InvocationJson(const Invocation& invocation) {
  return {{"invocation_id", invocation.invocation_id},
          {"artifact", invocation.artifact},
          {"command", invocation.command},
          {"dbt_version", invocation.dbt_version},
          {"generated_at", invocation.generated_at},
          {"elapsed_seconds", invocation.elapsed_seconds}};
}

json RunJson(const NodeRun& run) {
  return {{"invocation_id", run.invocation_id},
          {"unique_id", run.unique_id},
          {"resource_type", run.resource_type},
          {"status", run.status},
          {"execution_seconds", run.execution_seconds},
          {"started_at", run.started_at},
          {"completed_at", run.completed_at},
          {"message", run.message},
          {"failures", OptionalNumber(run.failures)},
          {"rows_affected", OptionalNumber(run.rows_affected)},
          {"max_loaded_at", run.max_loaded_at},
          {"age_seconds", OptionalNumber(run.age_seconds)}};
}

template <typename T, typename ToJson>
json ArrayJson(const std::vector<T>& items, ToJson to_json) {
  json out = json::array();
  for (const T& item : items) out.push_back(to_json(item));
  return out;
}

json ReadSchemasJson(const std::optional<std::vector<SchemaRef>>& schemas) {
  if (!schemas) return nullptr;
  return ArrayJson(*schemas, [](const SchemaRef& ref) {
    return json{{"database", ref.database}, {"schema", ref.schema}};
  });
}

// ---- Reading ----------------------------------------------------------------

[[noreturn]] void Fail(const std::string& path, const std::string& problem) {
  throw Error(ErrorCode::kParse, problem, {.json_path = path});
}

// One JSON object of the document and where it is, so that every error names
// the member's path.
class ObjectReader {
 public:
  ObjectReader(const json& value, std::string path) : value_(value), path_(std::move(path)) {
    if (!value_.is_object()) Fail(path_, "expected an object");
  }

  const std::string& path() const { return path_; }
  std::string PathOf(std::string_view key) const { return fmt::format("{}.{}", path_, key); }

  // The member, or nullptr when absent (or null) and not required.
  const json* Find(std::string_view key, bool required = false) const {
    auto it = value_.find(key);
    if (it == value_.end() || it->is_null()) {
      if (required) Fail(PathOf(key), "missing (required)");
      return nullptr;
    }
    return &*it;
  }

  void Read(std::string_view key, std::string& out, bool required = false) const {
    if (const json* value = Find(key, required)) {
      if (!value->is_string()) Fail(PathOf(key), "expected a string");
      out = value->get<std::string>();
      if (required && out.empty()) Fail(PathOf(key), "must not be empty");
    }
  }

  void Read(std::string_view key, std::vector<std::string>& out) const {
    const json* value = Find(key);
    if (value == nullptr) return;
    if (!value->is_array()) Fail(PathOf(key), "expected an array of strings");
    out.clear();
    for (std::size_t i = 0; i < value->size(); ++i) {
      if (!(*value)[i].is_string())
        Fail(fmt::format("{}[{}]", PathOf(key), i), "expected a string");
      out.push_back((*value)[i].get<std::string>());
    }
  }

  void Read(std::string_view key, bool& out) const {
    if (const json* value = Find(key)) {
      if (!value->is_boolean()) Fail(PathOf(key), "expected true or false");
      out = value->get<bool>();
    }
  }

  void Read(std::string_view key, int& out) const {
    if (const json* value = Find(key)) {
      std::int64_t wide = Integer(*value, key);
      if (wide < std::numeric_limits<int>::min() || wide > std::numeric_limits<int>::max()) {
        Fail(PathOf(key), "integer out of range");
      }
      out = static_cast<int>(wide);
    }
  }

  void Read(std::string_view key, std::optional<std::int64_t>& out) const {
    const json* value = Find(key);
    out = value ? std::optional(Integer(*value, key)) : std::nullopt;
  }

  void Read(std::string_view key, double& out) const {
    if (const json* value = Find(key)) out = Number(*value, key);
  }

  void Read(std::string_view key, std::optional<double>& out) const {
    const json* value = Find(key);
    out = value ? std::optional(Number(*value, key)) : std::nullopt;
  }

  // An array of objects, each read by `read_one(ObjectReader)`.
  template <typename T, typename ReadOne>
  void ReadArray(std::string_view key, std::vector<T>& out, ReadOne read_one) const {
    const json* value = Find(key);
    if (value == nullptr) return;
    if (!value->is_array()) Fail(PathOf(key), "expected an array");
    out.reserve(value->size());
    for (std::size_t i = 0; i < value->size(); ++i) {
      out.push_back(read_one(ObjectReader((*value)[i], fmt::format("{}[{}]", PathOf(key), i))));
    }
  }

 private:
  std::int64_t Integer(const json& value, std::string_view key) const {
    if (value.is_number_unsigned() &&
        value.get<std::uint64_t>() >
            static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      Fail(PathOf(key), "integer out of range");
    }
    if (!value.is_number_integer()) Fail(PathOf(key), "expected an integer");
    return value.get<std::int64_t>();
  }

  double Number(const json& value, std::string_view key) const {
    if (!value.is_number()) Fail(PathOf(key), "expected a number");
    return value.get<double>();
  }

  const json& value_;
  std::string path_;
};

Column ReadColumn(const ObjectReader& in) {
  Column column;
  in.Read("name", column.name, /*required=*/true);
  in.Read("ordinal", column.ordinal);
  in.Read("data_type", column.data_type);
  in.Read("description", column.description);
  in.Read("tags", column.tags);
  in.Read("meta_json", column.meta_json);
  in.Read("constraints_json", column.constraints_json);
  return column;
}

Table ReadTable(const ObjectReader& in) {
  Table table;
  in.Read("fqn", table.fqn, /*required=*/true);
  in.Read("database", table.database);
  in.Read("schema", table.schema);
  in.Read("name", table.name, /*required=*/true);
  in.Read("table_type", table.table_type);
  in.Read("description", table.description);
  in.Read("tags", table.tags);
  in.Read("owners", table.owners);
  in.Read("stats_json", table.stats_json);
  in.Read("definition", table.definition);
  in.Read("deleted_at", table.deleted_at);
  in.ReadArray("columns", table.columns, ReadColumn);
  return table;
}

void ReadDbtSpecifics(const ObjectReader& in, DbtNode& node) {
  in.Read("test_name", node.test_name);
  in.Read("test_column", node.test_column);
  in.Read("test_kwargs_json", node.test_kwargs_json);
  in.Read("severity", node.severity);
  in.Read("source_name", node.source_name);
  in.Read("loader", node.loader);
  in.Read("freshness_json", node.freshness_json);
  in.Read("label", node.label);
  in.Read("exposure_type", node.exposure_type);
  in.Read("url", node.url);
  in.Read("maturity", node.maturity);
}

DbtNode ReadNode(const ObjectReader& in) {
  DbtNode node;
  in.Read("fqn", node.fqn, /*required=*/true);
  in.Read("table_fqn", node.table_fqn);
  in.Read("unique_id", node.unique_id, /*required=*/true);
  in.Read("resource_type", node.resource_type);
  in.Read("name", node.name);
  in.Read("package_name", node.package_name);
  in.Read("original_file_path", node.original_file_path);
  in.Read("description", node.description);
  in.Read("tags", node.tags);
  in.Read("owners", node.owners);
  in.Read("meta_json", node.meta_json);
  in.Read("materialized", node.materialized);
  in.Read("language", node.language);
  in.Read("raw_code", node.raw_code);
  in.Read("compiled_code", node.compiled_code);
  in.Read("access", node.access);
  in.Read("group_name", node.group_name);
  in.Read("version", node.version);
  in.Read("latest_version", node.latest_version);
  in.Read("contract_enforced", node.contract_enforced);
  in.Read("constraints_json", node.constraints_json);
  in.Read("depends_on", node.depends_on);
  ReadDbtSpecifics(in, node);
  return node;
}

LineageEdge ReadEdge(const ObjectReader& in) {
  LineageEdge edge;
  in.Read("upstream_fqn", edge.upstream_fqn, /*required=*/true);
  in.Read("downstream_fqn", edge.downstream_fqn, /*required=*/true);
  in.Read("upstream_column", edge.upstream_column);
  in.Read("downstream_column", edge.downstream_column);
  return edge;
}

DocBlock ReadDoc(const ObjectReader& in) {
  DocBlock doc;
  in.Read("unique_id", doc.unique_id, /*required=*/true);
  in.Read("name", doc.name);
  in.Read("package_name", doc.package_name);
  in.Read("block_contents", doc.block_contents);
  return doc;
}

Invocation ReadInvocation(const ObjectReader& in) {
  Invocation invocation;
  in.Read("invocation_id", invocation.invocation_id, /*required=*/true);
  in.Read("artifact", invocation.artifact);
  in.Read("command", invocation.command);
  in.Read("dbt_version", invocation.dbt_version);
  in.Read("generated_at", invocation.generated_at);
  in.Read("elapsed_seconds", invocation.elapsed_seconds);
  return invocation;
}

NodeRun ReadRun(const ObjectReader& in) {
  NodeRun run;
  in.Read("invocation_id", run.invocation_id, /*required=*/true);
  in.Read("unique_id", run.unique_id, /*required=*/true);
  in.Read("resource_type", run.resource_type);
  in.Read("status", run.status);
  in.Read("execution_seconds", run.execution_seconds);
  in.Read("started_at", run.started_at);
  in.Read("completed_at", run.completed_at);
  in.Read("message", run.message);
  in.Read("failures", run.failures);
  in.Read("rows_affected", run.rows_affected);
  in.Read("max_loaded_at", run.max_loaded_at);
  in.Read("age_seconds", run.age_seconds);
  return run;
}

MissingTables ReadMissingTables(const ObjectReader& in) {
  std::string name;
  in.Read("missing_tables", name);
  if (name.empty() || name == "remove") return MissingTables::kRemove;
  if (name == "mark_deleted") return MissingTables::kMarkDeleted;
  if (name == "keep") return MissingTables::kKeep;
  Fail(in.PathOf("missing_tables"), "expected remove, mark_deleted or keep");
}

std::optional<std::vector<SchemaRef>> ReadSchemas(const ObjectReader& in) {
  if (in.Find("read_schemas") == nullptr) return std::nullopt;
  std::vector<SchemaRef> schemas;
  in.ReadArray("read_schemas", schemas, [](const ObjectReader& ref) {
    SchemaRef schema;
    ref.Read("database", schema.database);
    ref.Read("schema", schema.schema);
    return schema;
  });
  return schemas;
}

void CheckFormat(const ObjectReader& in) {
  std::string format;
  in.Read("format", format, /*required=*/true);
  if (format != kSnapshotFormat) {
    throw Error(ErrorCode::kUnsupported,
                fmt::format("snapshot format '{}' is not one this version reads ({})", format,
                            kSnapshotFormat),
                {.json_path = in.PathOf("format")});
  }
}

}  // namespace

json TableToJson(const Table& table) {
  return TableJson(table);
}

Table TableFromJson(const json& table) {
  return ReadTable(ObjectReader(table, "$"));
}

json SnapshotToJson(const ServiceSnapshot& snapshot) {
  return {{"format", kSnapshotFormat},
          {"service", snapshot.service},
          {"service_type", snapshot.service_type},
          {"origin", snapshot.origin},
          {"missing_tables", MissingTablesName(snapshot.missing_tables)},
          {"read_schemas", ReadSchemasJson(snapshot.read_schemas)},
          {"artifact_fingerprint", snapshot.artifact_fingerprint},
          {"tables", ArrayJson(snapshot.tables, TableJson)},
          {"nodes", ArrayJson(snapshot.nodes, NodeJson)},
          {"lineage", ArrayJson(snapshot.lineage, EdgeJson)},
          {"docs", ArrayJson(snapshot.docs, DocJson)},
          {"invocations", ArrayJson(snapshot.invocations, InvocationJson)},
          {"runs", ArrayJson(snapshot.runs, RunJson)}};
}

ServiceSnapshot SnapshotFromJson(const json& document) {
  const ObjectReader in(document, "$");
  CheckFormat(in);
  ServiceSnapshot snapshot;
  in.Read("service", snapshot.service, /*required=*/true);
  in.Read("service_type", snapshot.service_type);
  in.Read("origin", snapshot.origin, /*required=*/true);
  snapshot.missing_tables = ReadMissingTables(in);
  snapshot.read_schemas = ReadSchemas(in);
  in.Read("artifact_fingerprint", snapshot.artifact_fingerprint);
  in.ReadArray("tables", snapshot.tables, ReadTable);
  in.ReadArray("nodes", snapshot.nodes, ReadNode);
  in.ReadArray("lineage", snapshot.lineage, ReadEdge);
  in.ReadArray("docs", snapshot.docs, ReadDoc);
  in.ReadArray("invocations", snapshot.invocations, ReadInvocation);
  in.ReadArray("runs", snapshot.runs, ReadRun);
  return snapshot;
}

ServiceSnapshot ParseSnapshot(std::istream& text) {
  json document;
  try {
    document = json::parse(text);
  } catch (const json::parse_error& error) {
    // nlohmann's what() is "[json.exception.parse_error.101] parse error at line 1, ...".
    std::string message = error.what();
    if (auto colon = message.find("] "); colon != std::string::npos) message.erase(0, colon + 2);
    throw Error(ErrorCode::kParse, "the snapshot is not JSON: " + message,
                {.offset = error.byte, .json_path = "$"});
  }
  return SnapshotFromJson(document);
}

}  // namespace cairn::catalog
