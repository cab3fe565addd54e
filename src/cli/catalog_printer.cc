#include "cli/catalog_printer.h"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "core/ascii.h"

namespace cairn::cli {
namespace {

std::string FirstLine(const std::string& text, std::size_t width) {
  std::string line = text.substr(0, text.find('\n'));
  if (line.size() > width) line = line.substr(0, width - 3) + "...";
  return line;
}

std::string Joined(const std::vector<std::string>& items) {
  return items.empty() ? std::string("-") : fmt::format("{}", fmt::join(items, ", "));
}

void PrintCounts(std::ostream& out, const char* what, std::int64_t seen,
                 const catalog::ApplyCounts& c) {
  fmt::print(out, "  {:<8} {:>7} seen: {} added, {} updated, {} removed, {} unchanged{}\n", what,
             seen, c.added, c.updated, c.removed, c.unchanged,
             c.marked_deleted > 0 ? fmt::format(", {} marked deleted", c.marked_deleted) : "");
}

// The last few statuses, newest first, e.g. "pass pass fail".
std::string Trail(const std::vector<catalog::NodeRun>& runs, std::size_t count) {
  std::vector<std::string> statuses;
  for (std::size_t i = 0; i < runs.size() && i < count; ++i) statuses.push_back(runs[i].status);
  return fmt::format("{}", fmt::join(statuses, " "));
}

// Stored JSON text as a value, or null when it is not JSON.
nlohmann::ordered_json ParsedOrNull(const std::string& text) {
  nlohmann::ordered_json value =
      nlohmann::ordered_json::parse(text, nullptr, /*allow_exceptions=*/false);
  return value.is_discarded() ? nlohmann::ordered_json() : value;
}

std::string ScalarText(const nlohmann::ordered_json& value) {
  if (value.is_string()) return value.get<std::string>();
  // dbt's catalog.json wraps each stat: {"label": ..., "value": ...}.
  if (value.is_object() && value.contains("value")) return ScalarText(value["value"]);
  return value.dump();
}

// "row_count 50, bytes 8192": what the warehouse (or dbt's catalog) measured.
std::string StatsLine(const std::string& stats_json) {
  nlohmann::ordered_json stats = ParsedOrNull(stats_json);
  if (!stats.is_object() || stats.empty()) return "";
  std::vector<std::string> parts;
  for (const auto& [name, value] : stats.items()) {
    if (name == "has_stats") continue;
    parts.push_back(fmt::format("{} {}", name, ScalarText(value)));
  }
  return Joined(parts);
}

// "primary key, not null, references shop.sales.customers(id)".
std::string ConstraintsLine(const std::string& constraints_json) {
  nlohmann::ordered_json constraints = ParsedOrNull(constraints_json);
  if (!constraints.is_array()) return "";
  std::vector<std::string> parts;
  for (const nlohmann::ordered_json& constraint : constraints) {
    std::string type = constraint.value("type", "");
    if (type == "foreign_key") {
      std::vector<std::string> to_columns;
      for (const auto& column : constraint.value("to_columns", nlohmann::ordered_json::array())) {
        to_columns.push_back(ScalarText(column));
      }
      parts.push_back(fmt::format("references {}({})", constraint.value("to", "?"),
                                  fmt::join(to_columns, ", ")));
    } else if (!type.empty()) {
      std::replace(type.begin(), type.end(), '_', ' ');
      parts.push_back(type);
    }
  }
  return parts.empty() ? "" : fmt::format("{}", fmt::join(parts, ", "));
}

void PrintColumns(const catalog::EntityDetail& entity, std::ostream& out) {
  const auto& columns = entity.table->columns;
  std::map<std::string, std::vector<std::string>> tests_by_column;
  for (const catalog::TestSummary& test : entity.tests) {
    if (test.column.empty()) continue;
    tests_by_column[AsciiLower(test.column)].push_back(fmt::format(
        "{} {}", test.test_name, test.latest_status.empty() ? "not run" : test.latest_status));
  }
  fmt::print(out, "\nColumns ({})\n", columns.size());
  std::size_t name_width = 4;
  std::size_t type_width = 4;
  for (const auto& c : columns) {
    name_width = std::max(name_width, c.name.size());
    type_width = std::max(type_width, c.data_type.size());
  }
  for (const auto& c : columns) {
    fmt::print(out, "  {:>3}  {:<{}}  {:<{}}  {}\n", c.ordinal, c.name, name_width, c.data_type,
               type_width, FirstLine(c.description, 60));
    if (std::string constraints = ConstraintsLine(c.constraints_json); !constraints.empty()) {
      fmt::print(out, "       {:<{}}  {}\n", "", name_width + type_width, constraints);
    }
    if (auto it = tests_by_column.find(AsciiLower(c.name)); it != tests_by_column.end()) {
      fmt::print(out, "       {:<{}}  tests: {}\n", "", name_width + type_width,
                 Joined(it->second));
    }
  }
}

void PrintTests(const catalog::EntityDetail& entity, std::ostream& out) {
  if (entity.tests.empty()) return;
  fmt::print(out, "\nTests ({})\n", entity.tests.size());
  for (const catalog::TestSummary& test : entity.tests) {
    fmt::print(out, "  {:<9} {}{}\n", test.latest_status.empty() ? "not run" : test.latest_status,
               test.name, test.column.empty() ? "" : fmt::format("  [column {}]", test.column));
    if (test.history.size() > 1)
      fmt::print(out, "            history (newest first): {}\n", Trail(test.history, 10));
  }
}

void PrintRuns(const catalog::EntityDetail& entity, std::ostream& out) {
  if (entity.runs.empty()) return;
  fmt::print(out, "\nRuns (newest first)\n");
  for (std::size_t i = 0; i < entity.runs.size() && i < 10; ++i) {
    const catalog::NodeRun& run = entity.runs[i];
    fmt::print(out, "  {:<9} {:>8.2f} s  {}  {}\n", run.status, run.execution_seconds,
               run.completed_at.empty() ? run.started_at : run.completed_at,
               FirstLine(run.message, 60));
  }
}

}  // namespace

void PrintIngestReport(const ingest::IngestReport& report, const catalog::CatalogCounts& totals,
                       std::ostream& out) {
  if (report.unchanged) {
    fmt::print(out,
               "Service '{}' is unchanged: the artifacts are byte-identical to its last ingest, so "
               "nothing was read or written (checked in {:.2f} s; --force re-ingests)\n",
               report.service, report.elapsed_seconds);
  } else {
    fmt::print(out, "Ingested service '{}' in {:.2f} s (read {:.2f} s, write {:.2f} s)\n",
               report.service, report.elapsed_seconds, report.read_seconds, report.write_seconds);
  }
  PrintCounts(out, "tables", report.tables_seen, report.applied.tables);
  PrintCounts(out, "nodes", report.nodes_seen, report.applied.nodes);
  if (report.filtered > 0) {
    fmt::print(out, "  {:<8} {:>7} databases, schemas and tables left out by the filters\n",
               "filtered", report.filtered);
  }
  fmt::print(out, "  {:<8} {:>7} edges\n", "lineage", report.applied.lineage_edges);
  fmt::print(out, "  {:<8} {:>7} new invocations, {} results added\n", "history",
             report.applied.invocations_added, report.applied.runs_added);
  fmt::print(out, "Catalog now holds {} services, {} tables, {} columns, {} dbt nodes, {} runs\n",
             totals.services, totals.tables, totals.columns, totals.nodes, totals.runs);
  if (!report.warnings.empty()) {
    fmt::print(out, "{} warning(s):\n", report.warnings.size());
    for (std::size_t i = 0; i < report.warnings.size() && i < 20; ++i) {
      fmt::print(out, "  - {}\n", report.warnings[i]);
    }
    if (report.warnings.size() > 20)
      fmt::print(out, "  ... and {} more\n", report.warnings.size() - 20);
  }
}

void PrintSearchPage(const catalog::SearchPage& page, const catalog::SearchQuery& query,
                     std::ostream& out) {
  if (page.hits.empty()) {
    fmt::print(out, "No results for '{}'.\n", query.text);
    return;
  }
  fmt::print(out, "{} result(s) for '{}', showing {}-{}:\n", page.total, query.text,
             query.offset + 1, query.offset + static_cast<int>(page.hits.size()));
  for (const catalog::SearchHit& hit : page.hits) {
    fmt::print(out, "  {:<14} {}\n", hit.resource_type, hit.fqn);
    if (!hit.description.empty())
      fmt::print(out, "  {:<14} {}\n", "", FirstLine(hit.description, 90));
  }
}

void PrintEntity(const catalog::EntityDetail& entity, std::ostream& out) {
  if (entity.table) {
    const catalog::Table& t = *entity.table;
    if (!t.deleted_at.empty()) {
      fmt::print(out, "DELETED: gone from the warehouse since {}\n", t.deleted_at);
    }
    fmt::print(out, "{}\n  {} {}\n", t.fqn, t.table_type,
               entity.node ? fmt::format("built by dbt {} {}", entity.node->resource_type,
                                         entity.node->unique_id)
                           : std::string());
  } else if (entity.node) {
    fmt::print(out, "{}\n  dbt {} {}\n", entity.node->fqn, entity.node->resource_type,
               entity.node->unique_id);
  }
  const std::string& description = entity.table && !entity.table->description.empty()
                                       ? entity.table->description
                                       : (entity.node ? entity.node->description : std::string());
  if (!description.empty()) fmt::print(out, "\n{}\n", description);
  if (entity.table) {
    if (std::string stats = StatsLine(entity.table->stats_json); !stats.empty()) {
      fmt::print(out, "\n  stats: {}\n", stats);
    }
  }
  if (entity.node) {
    const catalog::DbtNode& n = *entity.node;
    fmt::print(out, "\n  materialized: {}   owners: {}   tags: {}\n",
               n.materialized.empty() ? "-" : n.materialized, Joined(n.owners), Joined(n.tags));
    if (!n.access.empty() || !n.group_name.empty() || !n.version.empty() || n.contract_enforced) {
      fmt::print(out, "  access: {}   group: {}   version: {}   contract enforced: {}\n",
                 n.access.empty() ? "-" : n.access, n.group_name.empty() ? "-" : n.group_name,
                 n.version.empty() ? "-" : n.version, n.contract_enforced ? "yes" : "no");
    }
    if (!n.original_file_path.empty()) fmt::print(out, "  file: {}\n", n.original_file_path);
    if (!n.depends_on.empty()) fmt::print(out, "  depends on: {}\n", Joined(n.depends_on));
  }
  if (entity.table) PrintColumns(entity, out);
  if (entity.table && !entity.table->definition.empty()) {
    fmt::print(out, "\n  definition:\n    {}\n", entity.table->definition);
  }
  PrintTests(entity, out);
  PrintRuns(entity, out);
}

void PrintLineage(const catalog::LineageGraph& graph, std::ostream& out) {
  std::vector<catalog::LineageNode> nodes = graph.nodes;
  std::stable_sort(nodes.begin(), nodes.end(),
                   [](const auto& a, const auto& b) { return a.distance < b.distance; });
  fmt::print(out, "Lineage of {} ({} nodes, {} edges)\n", graph.root, nodes.size(),
             graph.edges.size());
  for (const catalog::LineageNode& node : nodes) {
    const char* arrow = node.distance < 0   ? "upstream  "
                        : node.distance > 0 ? "downstream"
                                            : "root      ";
    fmt::print(out, "  {} {:>3}  {:<14} {}\n", arrow, node.distance, node.resource_type, node.fqn);
  }
}

}  // namespace cairn::cli
