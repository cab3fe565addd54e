#include "catalog/model_json.h"

namespace cairn::catalog {
namespace {

// Stored JSON text back to JSON; text that is not JSON stays a string.
nlohmann::json Embedded(const std::string& text) {
  if (text.empty()) return nullptr;
  nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return value.is_discarded() ? nlohmann::json(text) : value;
}

nlohmann::json OrNull(const std::string& text) {
  return text.empty() ? nlohmann::json() : nlohmann::json(text);
}

nlohmann::json ToJson(const ApplyCounts& counts) {
  return {{"added", counts.added},
          {"updated", counts.updated},
          {"removed", counts.removed},
          {"unchanged", counts.unchanged},
          {"marked_deleted", counts.marked_deleted}};
}

}  // namespace

nlohmann::json ToJson(const Column& column) {
  return {{"name", column.name},
          {"ordinal", column.ordinal},
          {"data_type", OrNull(column.data_type)},
          {"description", column.description},
          {"tags", column.tags},
          {"meta", Embedded(column.meta_json)},
          {"constraints", Embedded(column.constraints_json)}};
}

nlohmann::json ToJson(const Table& table) {
  nlohmann::json columns = nlohmann::json::array();
  for (const Column& column : table.columns) columns.push_back(ToJson(column));
  return {{"fqn", table.fqn},
          {"database", table.database},
          {"schema", table.schema},
          {"name", table.name},
          {"table_type", table.table_type},
          {"description", table.description},
          {"tags", table.tags},
          {"owners", table.owners},
          {"stats", Embedded(table.stats_json)},
          {"definition", OrNull(table.definition)},
          {"deleted_at", OrNull(table.deleted_at)},
          {"columns", std::move(columns)}};
}

nlohmann::json ToJson(const DbtNode& node) {
  nlohmann::json out = {{"fqn", node.fqn},
                        {"table_fqn", OrNull(node.table_fqn)},
                        {"unique_id", node.unique_id},
                        {"resource_type", node.resource_type},
                        {"name", node.name},
                        {"package_name", node.package_name},
                        {"original_file_path", node.original_file_path},
                        {"description", node.description},
                        {"tags", node.tags},
                        {"owners", node.owners},
                        {"meta", Embedded(node.meta_json)},
                        {"materialized", OrNull(node.materialized)},
                        {"language", OrNull(node.language)},
                        {"raw_code", OrNull(node.raw_code)},
                        {"compiled_code", OrNull(node.compiled_code)},
                        {"access", OrNull(node.access)},
                        {"group", OrNull(node.group_name)},
                        {"version", OrNull(node.version)},
                        {"latest_version", OrNull(node.latest_version)},
                        {"contract_enforced", node.contract_enforced},
                        {"constraints", Embedded(node.constraints_json)},
                        {"depends_on", node.depends_on}};
  if (!node.test_name.empty() || node.resource_type == "test") {
    out["test"] = {{"name", node.test_name},
                   {"column", OrNull(node.test_column)},
                   {"kwargs", Embedded(node.test_kwargs_json)},
                   {"severity", OrNull(node.severity)}};
  }
  if (node.resource_type == "source") {
    out["source"] = {{"source_name", node.source_name},
                     {"loader", OrNull(node.loader)},
                     {"freshness", Embedded(node.freshness_json)}};
  }
  if (!node.exposure_type.empty() || !node.url.empty() || !node.label.empty()) {
    out["exposure"] = {{"label", OrNull(node.label)},
                       {"type", OrNull(node.exposure_type)},
                       {"url", OrNull(node.url)},
                       {"maturity", OrNull(node.maturity)}};
  }
  return out;
}

nlohmann::json ToJson(const NodeRun& run) {
  nlohmann::json out = {
      {"invocation_id", run.invocation_id},
      {"unique_id", run.unique_id},
      {"resource_type", OrNull(run.resource_type)},
      {"status", run.status},
      {"execution_seconds", run.execution_seconds},
      {"started_at", OrNull(run.started_at)},
      {"completed_at", OrNull(run.completed_at)},
      {"message", OrNull(run.message)},
      {"failures", run.failures ? nlohmann::json(*run.failures) : nlohmann::json()},
      {"rows_affected", run.rows_affected ? nlohmann::json(*run.rows_affected) : nlohmann::json()}};
  if (!run.max_loaded_at.empty() || run.age_seconds) {
    out["max_loaded_at"] = OrNull(run.max_loaded_at);
    out["age_seconds"] = run.age_seconds ? nlohmann::json(*run.age_seconds) : nlohmann::json();
  }
  return out;
}

nlohmann::json ToJson(const TestSummary& test) {
  nlohmann::json history = nlohmann::json::array();
  for (const NodeRun& run : test.history) history.push_back(ToJson(run));
  return {{"unique_id", test.unique_id},
          {"fqn", test.fqn},
          {"name", test.name},
          {"test_name", test.test_name},
          {"column", OrNull(test.column)},
          {"latest_status", OrNull(test.latest_status)},
          {"history", std::move(history)}};
}

nlohmann::json ToJson(const EntityDetail& entity) {
  nlohmann::json tests = nlohmann::json::array();
  for (const TestSummary& test : entity.tests) tests.push_back(ToJson(test));
  nlohmann::json runs = nlohmann::json::array();
  for (const NodeRun& run : entity.runs) runs.push_back(ToJson(run));
  nlohmann::json edits = nlohmann::json::array();
  for (const Edit& edit : entity.edits) edits.push_back(ToJson(edit));
  return {{"kind", entity.kind},
          {"service", entity.service},
          {"table", entity.table ? ToJson(*entity.table) : nlohmann::json()},
          {"dbt", entity.node ? ToJson(*entity.node) : nlohmann::json()},
          {"tests", std::move(tests)},
          {"runs", std::move(runs)},
          {"edits", std::move(edits)}};
}

nlohmann::json ToJson(const Edit& edit) {
  return {{"target", edit.target_fqn},          {"field", edit.field},
          {"value", Embedded(edit.value_json)}, {"ingested", Embedded(edit.ingested_json)},
          {"edited_by", edit.edited_by},        {"edited_at", edit.edited_at}};
}

nlohmann::json ToJson(const InvocationSummary& summary) {
  const Invocation& invocation = summary.invocation;
  return {{"invocation_id", invocation.invocation_id},
          {"service", summary.service},
          {"artifact", invocation.artifact},
          {"command", OrNull(invocation.command)},
          {"dbt_version", OrNull(invocation.dbt_version)},
          {"generated_at", invocation.generated_at},
          {"elapsed_seconds", invocation.elapsed_seconds},
          {"results", summary.results}};
}

nlohmann::json ToJson(const SearchPage& page) {
  nlohmann::json hits = nlohmann::json::array();
  for (const SearchHit& hit : page.hits) {
    hits.push_back({{"fqn", hit.fqn},
                    {"name", hit.name},
                    {"resource_type", hit.resource_type},
                    {"description", hit.description},
                    {"score", hit.score},
                    {"test_status", hit.test_status}});
  }
  nlohmann::json out = {{"total", page.total}, {"hits", std::move(hits)}};
  if (page.facets) out["facets"] = ToJson(*page.facets);
  return out;
}

nlohmann::json ToJson(const SearchFacets& facets) {
  auto values = [](const std::vector<FacetCount>& counts) {
    nlohmann::json out = nlohmann::json::array();
    for (const FacetCount& count : counts) {
      out.push_back({{"value", count.value}, {"count", count.count}});
    }
    return out;
  };
  return {{"resource_type", values(facets.resource_type)},
          {"schema", values(facets.schema)},
          {"tag", values(facets.tag)},
          {"owner", values(facets.owner)},
          {"test_status", values(facets.test_status)}};
}

nlohmann::json ToJson(const LineageGraph& graph) {
  nlohmann::json nodes = nlohmann::json::array();
  for (const LineageNode& node : graph.nodes) {
    nodes.push_back({{"fqn", node.fqn},
                     {"name", node.name},
                     {"resource_type", node.resource_type},
                     {"distance", node.distance},
                     {"test_status", node.test_status}});
  }
  nlohmann::json edges = nlohmann::json::array();
  for (const LineageEdge& edge : graph.edges) {
    edges.push_back({{"upstream", edge.upstream_fqn},
                     {"downstream", edge.downstream_fqn},
                     {"upstream_column", OrNull(edge.upstream_column)},
                     {"downstream_column", OrNull(edge.downstream_column)}});
  }
  return {{"root", graph.root}, {"nodes", std::move(nodes)}, {"edges", std::move(edges)}};
}

nlohmann::json ToJson(const CatalogCounts& counts) {
  return {{"services", counts.services},
          {"tables", counts.tables},
          {"columns", counts.columns},
          {"nodes", counts.nodes},
          {"lineage_edges", counts.lineage_edges},
          {"invocations", counts.invocations},
          {"runs", counts.runs}};
}

nlohmann::json ToJson(const ApplyReport& report) {
  return {{"tables", ToJson(report.tables)},
          {"nodes", ToJson(report.nodes)},
          {"lineage_edges", report.lineage_edges},
          {"invocations_added", report.invocations_added},
          {"runs_added", report.runs_added}};
}

}  // namespace cairn::catalog
