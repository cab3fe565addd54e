#include "connectors/dbt/dbt_mapper.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "catalog/staged_snapshot.h"
#include "core/ascii.h"

namespace cairn::connectors::dbt {
namespace {

using cairn::dbt::Node;
using cairn::dbt::ResourceType;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

bool IsEphemeral(const Node& node) {
  return node.resource_type == ResourceType::kModel && node.materialized == "ephemeral";
}

// Resources that are relations in the warehouse.
bool BuildsRelation(const Node& node) {
  switch (node.resource_type) {
    case ResourceType::kModel:
      return !IsEphemeral(node);
    case ResourceType::kSeed:
    case ResourceType::kSnapshot:
    case ResourceType::kSource:
      return true;
    default:
      return false;
  }
}

// Table-less resources that still stand in the lineage graph as consumers.
bool IsLineageConsumer(const Node& node) {
  switch (node.resource_type) {
    case ResourceType::kExposure:
    case ResourceType::kMetric:
    case ResourceType::kSemanticModel:
    case ResourceType::kSavedQuery:
      return true;
    default:
      return false;
  }
}

// What kind of relation a node builds when catalog.json does not say.
std::string TableTypeFromMaterialization(const Node& node) {
  if (node.resource_type == ResourceType::kSource) return "table";
  const std::string& m = node.materialized;
  if (m == "view") return "view";
  if (m == "materialized_view" || m == "materializedview") return "materialized_view";
  if (m == "dynamic_table") return "dynamic_table";
  return "table";  // table, incremental, seed, snapshot, custom materializations
}

// catalog.json writes the warehouse's own words ("BASE TABLE", "VIEW", "table").
std::string TableTypeFromCatalog(std::string_view type) {
  std::string lower = AsciiLower(type);
  if (lower.find("materialized") != std::string::npos) return "materialized_view";
  if (lower.find("view") != std::string::npos) return "view";
  if (lower.find("external") != std::string::npos) return "external";
  if (lower.find("dynamic") != std::string::npos) return "dynamic_table";
  return "table";
}

// Adapters without databases (spark, hive) leave it empty; the FQN needs a part.
std::string DatabaseOrDefault(const std::string& database) {
  return database.empty() ? std::string("default") : database;
}

}  // namespace

// Fills `snapshot` (a StagedSnapshot's, when `staged` is set): the parts
// in the order StagedSnapshot publishes them.
class ProjectMapper {
 public:
  ProjectMapper(cairn::dbt::Project& project, const MapOptions& options,
                std::vector<std::string>& warnings, catalog::ServiceSnapshot& snapshot)
      : project_(project), options_(options), warnings_(warnings), snapshot_(snapshot) {}

  void MapEntities(catalog::StagedSnapshot* staged) {
    snapshot_.service = options_.service;
    snapshot_.service_type = "dbt";
    snapshot_.origin = "dbt";
    IndexNodes();
    IndexCatalog();
    // Lineage needs every node's depends_on, so it runs before nodes are
    // consumed by the moves below.
    MapLineage();
    MapTables();
    if (staged != nullptr) staged->Publish(catalog::SnapshotPart::kTables);
    // Tables took what they needed from catalog.json; its memory is reused
    // by the nodes mapped next instead of adding to the peak.
    catalog_of_.clear();
    project_.catalog.reset();
    MapNodes();
    MapDocs();
    ForgetManifestNodes();
    if (staged != nullptr) staged->Publish(catalog::SnapshotPart::kNodes);
  }

  const cairn::dbt::ManifestIds& NodeIds() const { return node_ids_; }

  void MapHistory() {
    MapRunResults();
    MapSourceFreshness();
  }

 private:
  void IndexNodes() {
    auto& nodes = project_.manifest.nodes;
    by_id_.reserve(nodes.size());
    fqn_of_.reserve(nodes.size());
    for (const Node& node : nodes) {
      by_id_.emplace(node.unique_id, &node);
      if (BuildsRelation(node)) {
        fqn_of_.emplace(node.unique_id,
                        catalog::TableFqn(options_.service, DatabaseOrDefault(node.database),
                                          node.schema, node.alias));
      } else {
        fqn_of_.emplace(node.unique_id, catalog::NodeFqn(options_.service, node.unique_id));
      }
    }
  }

  void IndexCatalog() {
    if (!project_.catalog) return;
    for (auto* tables : {&project_.catalog->nodes, &project_.catalog->sources}) {
      for (cairn::dbt::CatalogTable& table : *tables) catalog_of_.emplace(table.unique_id, &table);
    }
  }

  const std::string& FqnOf(const std::string& unique_id) const { return fqn_of_.at(unique_id); }

  // The lineage endpoints a dependency stands for: itself when it is a
  // relation or consumer; an ephemeral model's own upstreams, recursively.
  const std::vector<std::string>& EndpointsOf(const std::string& unique_id) {
    if (auto it = endpoints_.find(unique_id); it != endpoints_.end()) return it->second;
    // Inserted empty before recursing: a cycle through ephemeral models ends
    // here. References into an unordered_map survive the rehashes below.
    std::vector<std::string>& result = endpoints_[unique_id];
    auto node = by_id_.find(unique_id);
    if (node == by_id_.end()) return result;
    if (BuildsRelation(*node->second) || IsLineageConsumer(*node->second)) {
      result.push_back(FqnOf(unique_id));
    } else if (IsEphemeral(*node->second)) {
      for (const std::string& upstream : node->second->depends_on) {
        const std::vector<std::string>& ends = EndpointsOf(upstream);
        if (&ends == &result) continue;  // depends on itself
        result.insert(result.end(), ends.begin(), ends.end());
      }
    }
    return result;
  }

  void MapLineage() {
    std::unordered_set<std::string> seen;
    for (const Node& node : project_.manifest.nodes) {
      if (!BuildsRelation(node) && !IsLineageConsumer(node)) continue;
      const std::string& downstream = FqnOf(node.unique_id);
      for (const std::string& dependency : node.depends_on) {
        for (const std::string& upstream : EndpointsOf(dependency)) {
          if (upstream == downstream) continue;
          std::string key = upstream;
          key += '\n';
          key += downstream;
          if (!seen.insert(std::move(key)).second) continue;
          snapshot_.lineage.push_back({.upstream_fqn = upstream, .downstream_fqn = downstream});
        }
      }
    }
  }

  void MapTables() {
    // Two resources can name one relation (a source over a model's output);
    // they share the table, the first one describing it.
    std::unordered_map<std::string, std::size_t> table_index;
    table_index.reserve(project_.manifest.nodes.size());
    snapshot_.tables.reserve(project_.manifest.nodes.size());
    for (Node& node : project_.manifest.nodes) {
      if (!BuildsRelation(node)) continue;
      const std::string& fqn = FqnOf(node.unique_id);
      auto [it, inserted] = table_index.emplace(AsciiLower(fqn), snapshot_.tables.size());
      if (!inserted) continue;
      snapshot_.tables.push_back(MakeTable(node, fqn));
    }
    snapshot_.tables.shrink_to_fit();
  }

  // Consumes the node's columns (MapNodes does not need them) and the
  // node's catalog.json entry (one per unique_id, so used once).
  catalog::Table MakeTable(Node& node, const std::string& fqn) {
    catalog::Table table;
    table.fqn = fqn;
    table.database = DatabaseOrDefault(node.database);
    table.schema = node.schema;
    table.name = node.alias;
    table.description = node.description;
    if (options_.include_tags) table.tags = node.tags;
    table.owners = node.owners;
    table.table_type = TableTypeFromMaterialization(node);
    cairn::dbt::CatalogTable* warehouse = nullptr;
    if (auto it = catalog_of_.find(node.unique_id); it != catalog_of_.end()) warehouse = it->second;
    if (warehouse != nullptr) {
      if (!warehouse->type.empty()) table.table_type = TableTypeFromCatalog(warehouse->type);
      if (table.description.empty()) table.description = std::move(warehouse->comment);
      table.stats_json = std::move(warehouse->stats_json);
    }
    table.columns = MergeColumns(node.columns, warehouse);
    // Freed now rather than with the project: the snapshot's next
    // allocations reuse the memory (peak RSS of a 10k-model ingest).
    std::vector<cairn::dbt::Column>().swap(node.columns);
    return table;
  }

  // Fills `column` with what the project's YAML documents about it.
  void Document(catalog::Column& column, cairn::dbt::Column& yaml) const {
    if (!yaml.description.empty()) column.description = std::move(yaml.description);
    if (column.data_type.empty()) column.data_type = std::move(yaml.data_type);
    if (options_.include_tags) column.tags = std::move(yaml.tags);
    column.meta_json = std::move(yaml.meta_json);
    column.constraints_json = std::move(yaml.constraints_json);
  }

  // Warehouse order first (catalog.json's index), then columns documented in
  // YAML but absent from the warehouse, in the order dbt wrote them. Names
  // keep the warehouse's case (Snowflake's CUSTOMER_ID), as queries see them;
  // tests name columns in the project's case and match case-insensitively.
  std::vector<catalog::Column> MergeColumns(std::vector<cairn::dbt::Column>& documented,
                                            cairn::dbt::CatalogTable* warehouse) const {
    std::vector<catalog::Column> columns;
    columns.reserve(documented.size() + (warehouse != nullptr ? warehouse->columns.size() : 0));
    std::vector<bool> used(documented.size(), false);
    if (warehouse != nullptr) {
      std::vector<cairn::dbt::CatalogColumn*> ordered;
      ordered.reserve(warehouse->columns.size());
      for (auto& column : warehouse->columns) ordered.push_back(&column);
      std::stable_sort(ordered.begin(), ordered.end(),
                       [](auto* a, auto* b) { return a->index < b->index; });
      for (cairn::dbt::CatalogColumn* source : ordered) {
        catalog::Column column;
        column.name = std::move(source->name);
        column.data_type = std::move(source->type);
        column.description = std::move(source->comment);
        // YAML usually lists columns in table order: try the same position first.
        const std::size_t position = columns.size();
        std::size_t match = documented.size();
        if (position < documented.size() &&
            EqualsIgnoreCase(documented[position].name, column.name)) {
          match = position;
        } else {
          for (std::size_t i = 0; i < documented.size(); ++i) {
            if (!used[i] && EqualsIgnoreCase(documented[i].name, column.name)) {
              match = i;
              break;
            }
          }
        }
        if (match < documented.size() && !used[match]) {
          used[match] = true;
          Document(column, documented[match]);
        }
        columns.push_back(std::move(column));
      }
    }
    for (std::size_t i = 0; i < documented.size(); ++i) {
      if (used[i]) continue;
      catalog::Column column;
      column.name = std::move(documented[i].name);
      Document(column, documented[i]);
      columns.push_back(std::move(column));
    }
    for (std::size_t i = 0; i < columns.size(); ++i) columns[i].ordinal = static_cast<int>(i + 1);
    return columns;
  }

  // The table a test checks: its attached node's relation, when it has one.
  std::string TestedTable(const Node& test) {
    if (!test.test || test.test->attached_node.empty()) return {};
    auto it = by_id_.find(test.test->attached_node);
    if (it == by_id_.end()) {
      warnings_.push_back(fmt::format("test {} checks {}, which is not in the manifest",
                                      test.unique_id, test.test->attached_node));
      return {};
    }
    if (!BuildsRelation(*it->second)) return {};
    return FqnOf(test.test->attached_node);
  }

  void MapNodes() {
    snapshot_.nodes.reserve(project_.manifest.nodes.size());
    for (Node& node : project_.manifest.nodes) {
      catalog::DbtNode out;
      out.fqn = FqnOf(node.unique_id);
      if (BuildsRelation(node)) {
        out.table_fqn = out.fqn;
      } else if (node.resource_type == ResourceType::kTest) {
        out.table_fqn = TestedTable(node);
      }
      out.unique_id = node.unique_id;
      out.resource_type = node.resource_type == ResourceType::kUnknown
                              ? node.resource_type_name
                              : std::string(cairn::dbt::ResourceTypeName(node.resource_type));
      out.name = std::move(node.name);
      out.package_name = std::move(node.package_name);
      out.original_file_path = std::move(node.original_file_path);
      out.description = std::move(node.description);
      if (options_.include_tags) out.tags = std::move(node.tags);
      out.owners = std::move(node.owners);
      out.meta_json = std::move(node.meta_json);
      out.materialized = node.materialized;  // copied: TestedTable reads it on other nodes
      out.language = std::move(node.language);
      out.raw_code = std::move(node.raw_code);
      out.compiled_code = std::move(node.compiled_code);
      out.access = std::move(node.access);
      out.group_name = std::move(node.group);
      out.version = std::move(node.version);
      out.latest_version = std::move(node.latest_version);
      out.contract_enforced = node.contract_enforced;
      out.constraints_json = std::move(node.constraints_json);
      out.depends_on = std::move(node.depends_on);
      if (node.test) {
        out.test_name = std::move(node.test->test_name);
        out.test_column = std::move(node.test->column_name);
        out.test_kwargs_json = std::move(node.test->kwargs_json);
        out.severity = std::move(node.test->severity);
      }
      out.source_name = std::move(node.source_name);
      out.loader = std::move(node.loader);
      out.freshness_json = std::move(node.freshness_json);
      out.label = std::move(node.label);
      out.exposure_type = std::move(node.exposure_type);
      out.url = std::move(node.url);
      out.maturity = std::move(node.maturity);
      snapshot_.nodes.push_back(std::move(out));
    }
  }

  // The manifest's nodes were moved into the snapshot; what is left of
  // them (~1.4 KB each, 77 MB at 10k models) and the indexes over them are
  // freed before the history is read, which would otherwise add its
  // buffers to them. The history needs only each node's id and type: views
  // into the snapshot's nodes, which nobody changes once mapped.
  void ForgetManifestNodes() {
    node_ids_.reserve(snapshot_.nodes.size());
    resource_types_.reserve(snapshot_.nodes.size());
    for (const catalog::DbtNode& node : snapshot_.nodes) {
      node_ids_.insert(node.unique_id);
      resource_types_.emplace(node.unique_id, node.resource_type);
    }
    decltype(by_id_)().swap(by_id_);
    decltype(fqn_of_)().swap(fqn_of_);
    decltype(endpoints_)().swap(endpoints_);
    std::vector<Node>().swap(project_.manifest.nodes);
  }

  void MapDocs() {
    for (cairn::dbt::DocBlock& doc : project_.manifest.docs) {
      snapshot_.docs.push_back({.unique_id = std::move(doc.unique_id),
                                .name = std::move(doc.name),
                                .package_name = std::move(doc.package_name),
                                .block_contents = std::move(doc.block_contents)});
    }
  }

  // Old artifacts can lack an invocation_id; history still needs a stable key.
  static std::string InvocationKey(const cairn::dbt::ArtifactMetadata& metadata,
                                   std::string_view artifact) {
    if (!metadata.invocation_id.empty()) return metadata.invocation_id;
    return fmt::format("{}@{}", artifact, metadata.generated_at);
  }

  std::string ResourceTypeOf(const std::string& unique_id) const {
    auto it = resource_types_.find(unique_id);
    return it == resource_types_.end() ? std::string() : std::string(it->second);
  }

  void MapRunResults() {
    if (!project_.run_results) return;
    cairn::dbt::RunResults& results = *project_.run_results;
    const std::string invocation = InvocationKey(results.metadata, "run_results");
    snapshot_.invocations.push_back({.invocation_id = invocation,
                                     .artifact = "run_results",
                                     .command = results.command,
                                     .dbt_version = results.metadata.dbt_version,
                                     .generated_at = results.metadata.generated_at,
                                     .elapsed_seconds = results.elapsed_time});
    for (cairn::dbt::NodeResult& result : results.results) {
      catalog::NodeRun run;
      run.invocation_id = invocation;
      run.resource_type = ResourceTypeOf(result.unique_id);
      run.unique_id = std::move(result.unique_id);
      run.status = AsciiLower(result.status);  // dbt Fusion writes "Pass", dbt Core "pass"
      run.execution_seconds = result.execution_time;
      run.started_at = std::move(result.started_at);
      run.completed_at = std::move(result.completed_at);
      run.message = std::move(result.message);
      run.failures = result.failures;
      run.rows_affected = result.rows_affected;
      snapshot_.runs.push_back(std::move(run));
    }
  }

  void MapSourceFreshness() {
    if (!project_.sources) return;
    cairn::dbt::SourceFreshness& freshness = *project_.sources;
    const std::string invocation = InvocationKey(freshness.metadata, "sources");
    snapshot_.invocations.push_back({.invocation_id = invocation,
                                     .artifact = "sources",
                                     .command = "source freshness",
                                     .dbt_version = freshness.metadata.dbt_version,
                                     .generated_at = freshness.metadata.generated_at,
                                     .elapsed_seconds = freshness.elapsed_time});
    for (cairn::dbt::FreshnessResult& result : freshness.results) {
      catalog::NodeRun run;
      run.invocation_id = invocation;
      run.resource_type = "source";
      run.unique_id = std::move(result.unique_id);
      run.status = AsciiLower(result.status);  // dbt Fusion writes "Pass", dbt Core "pass"
      run.execution_seconds = result.execution_time;
      run.started_at = result.snapshotted_at;
      run.completed_at = std::move(result.snapshotted_at);
      run.message = std::move(result.error);
      run.max_loaded_at = std::move(result.max_loaded_at);
      run.age_seconds = result.max_loaded_at_time_ago_in_s;
      snapshot_.runs.push_back(std::move(run));
    }
  }

  cairn::dbt::Project& project_;
  const MapOptions& options_;
  std::vector<std::string>& warnings_;
  catalog::ServiceSnapshot& snapshot_;
  std::unordered_map<std::string_view, const Node*> by_id_;
  std::unordered_map<std::string, std::string> fqn_of_;
  std::unordered_map<std::string_view, cairn::dbt::CatalogTable*> catalog_of_;
  std::unordered_map<std::string, std::vector<std::string>> endpoints_;
  // Once the manifest's nodes are gone: views into the snapshot's nodes.
  cairn::dbt::ManifestIds node_ids_;
  std::unordered_map<std::string_view, std::string_view> resource_types_;
};

catalog::ServiceSnapshot MapProject(cairn::dbt::Project&& project, const MapOptions& options,
                                    std::vector<std::string>& warnings) {
  catalog::ServiceSnapshot snapshot;
  ProjectMapper mapper(project, options, warnings, snapshot);
  mapper.MapEntities(nullptr);
  mapper.MapHistory();
  return snapshot;
}

StagedProjectMapper::StagedProjectMapper(cairn::dbt::Project& project, const MapOptions& options,
                                         std::vector<std::string>& warnings,
                                         catalog::StagedSnapshot& out)
    : out_(out),
      mapper_(std::make_unique<ProjectMapper>(project, options, warnings, out.snapshot())) {}

StagedProjectMapper::~StagedProjectMapper() = default;

void StagedProjectMapper::MapEntities() {
  mapper_->MapEntities(&out_);
}

const cairn::dbt::ManifestIds& StagedProjectMapper::NodeIds() const {
  return mapper_->NodeIds();
}

void StagedProjectMapper::MapHistory() {
  mapper_->MapHistory();
}

std::string DefaultServiceName(const cairn::dbt::Manifest& manifest) {
  if (!manifest.metadata.project_name.empty()) return manifest.metadata.project_name;
  std::map<std::string, int> models_per_package;
  for (const Node& node : manifest.nodes) {
    if (node.resource_type == ResourceType::kModel) ++models_per_package[node.package_name];
  }
  auto best = std::max_element(models_per_package.begin(), models_per_package.end(),
                               [](const auto& a, const auto& b) { return a.second < b.second; });
  return best == models_per_package.end() ? std::string("dbt") : best->first;
}

}  // namespace cairn::connectors::dbt
