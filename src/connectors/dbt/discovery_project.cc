#include "connectors/dbt/discovery_project.h"

#include <fmt/format.h>

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "cloud/http_client.h"
#include "connectors/dbt/dbt_mapper.h"
#include "core/error.h"

namespace cairn::connectors::dbt {
namespace {

using nlohmann::json;
namespace cd = cairn::dbt;

constexpr const char* kEnvironment = R"graphql(
query Environment($env: BigInt!) {
  environment(id: $env) { adapterType dbtProjectName applied { lastUpdatedAt } }
})graphql";

// The fields every connection's nodes are read with; $first/$after page.
#define CAIRN_CATALOG_FIELDS                                                                   \
  "catalog { owner comment rowCountStat bytesStat columns { name index type description tags " \
  "meta } }"
#define CAIRN_EXECUTION_FIELDS \
  "executionInfo { lastRunStatus lastRunError executeCompletedAt executionTime }"

constexpr const char* kModels =
    "query Models($env: BigInt!, $first: Int, $after: String) { environment(id: $env) { applied {"
    " models(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor }"
    " edges { node { uniqueId name description database schema alias materializedType tags meta"
    " fqn filePath packageName access group language rawCode compiledCode contractEnforced"
    " " CAIRN_CATALOG_FIELDS " " CAIRN_EXECUTION_FIELDS " parents { uniqueId } } } } } } }";
constexpr const char* kSources =
    "query Sources($env: BigInt!, $first: Int, $after: String) { environment(id: $env) { applied {"
    " sources(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor }"
    " edges { node { uniqueId name sourceName description database schema identifier loader"
    " tags meta " CAIRN_CATALOG_FIELDS " } } } } } }";
constexpr const char* kTests =
    "query Tests($env: BigInt!, $first: Int, $after: String) { environment(id: $env) { applied {"
    " tests(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor }"
    " edges { node { uniqueId name description columnName testType testedNodeUniqueId tags"
    " " CAIRN_EXECUTION_FIELDS " parents { uniqueId } } } } } } }";
#undef CAIRN_CATALOG_FIELDS
#undef CAIRN_EXECUTION_FIELDS

// A string member, "" when absent or null.
std::string Text(const json& node, const char* key) {
  auto it = node.find(key);
  return it != node.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<std::string> Strings(const json& node, const char* key) {
  std::vector<std::string> out;
  auto it = node.find(key);
  if (it == node.end() || !it->is_array()) return out;
  for (const json& item : *it) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

std::string JsonText(const json& node, const char* key, const char* empty) {
  auto it = node.find(key);
  return it != node.end() && !it->is_null() ? it->dump() : std::string(empty);
}

std::vector<std::string> Parents(const json& node) {
  std::vector<std::string> ids;
  for (const json& parent : node.value("parents", json::array()))
    ids.push_back(Text(parent, "uniqueId"));
  return ids;
}

// meta.owner, a string or a list, as the manifest reader takes it.
std::vector<std::string> Owners(const json& meta) {
  if (!meta.is_object() || !meta.contains("owner")) return {};
  const json& owner = meta["owner"];
  if (owner.is_string()) return {owner.get<std::string>()};
  std::vector<std::string> owners;
  if (owner.is_array()) {
    for (const json& name : owner) {
      if (name.is_string()) owners.push_back(name.get<std::string>());
    }
  }
  return owners;
}

cd::Node CommonNode(const json& from, cd::ResourceType type) {
  cd::Node node;
  node.unique_id = Text(from, "uniqueId");
  node.resource_type = type;
  node.name = Text(from, "name");
  node.description = Text(from, "description");
  node.tags = Strings(from, "tags");
  node.meta_json = JsonText(from, "meta", "{}");
  node.owners = Owners(from.value("meta", json::object()));
  node.database = Text(from, "database");
  node.schema = Text(from, "schema");
  // The package is the unique_id's second part ("model.jaffle_shop.x").
  if (node.package_name = Text(from, "packageName"); node.package_name.empty()) {
    std::size_t first = node.unique_id.find('.');
    std::size_t second = node.unique_id.find('.', first + 1);
    if (first != std::string::npos && second != std::string::npos) {
      node.package_name = node.unique_id.substr(first + 1, second - first - 1);
    }
  }
  return node;
}

// The node's catalog entry (warehouse columns and stats), when Discovery has one.
void AddCatalog(const json& from, const cd::Node& node, std::vector<cd::CatalogTable>& out,
                std::vector<cd::Column>& columns) {
  const json catalog = from.value("catalog", json());
  if (!catalog.is_object()) return;
  cd::CatalogTable table{.unique_id = node.unique_id,
                         .database = node.database,
                         .schema = node.schema,
                         .name = node.alias,
                         .comment = Text(catalog, "comment"),
                         .owner = Text(catalog, "owner")};
  json stats = json::object();
  for (const auto& [key, id, label] : {std::tuple{"rowCountStat", "row_count", "Row Count"},
                                       std::tuple{"bytesStat", "bytes", "Approximate Size"}}) {
    if (catalog.contains(key) && catalog[key].is_number()) {
      stats[id] = {{"id", id}, {"label", label}, {"value", catalog[key]}, {"include", true}};
    }
  }
  table.stats_json = stats.dump();
  for (const json& column : catalog.value("columns", json::array())) {
    table.columns.push_back(
        cd::CatalogColumn{.name = Text(column, "name"),
                          .type = Text(column, "type"),
                          .index = column.value("index", json()).is_number_integer()
                                       ? column["index"].get<std::int64_t>()
                                       : 0});
    columns.push_back(cd::Column{.name = Text(column, "name"),
                                 .description = Text(column, "description"),
                                 .tags = Strings(column, "tags"),
                                 .meta_json = JsonText(column, "meta", "{}")});
  }
  out.push_back(std::move(table));
}

void AddResult(const json& from, const std::string& unique_id, cd::RunResults& results) {
  const json info = from.value("executionInfo", json());
  if (!info.is_object() || Text(info, "lastRunStatus").empty()) return;
  cd::NodeResult result{.unique_id = unique_id,
                        .status = Text(info, "lastRunStatus"),
                        .completed_at = Text(info, "executeCompletedAt"),
                        .message = Text(info, "lastRunError")};
  if (info.contains("executionTime") && info["executionTime"].is_number()) {
    result.execution_time = info["executionTime"].get<double>();
  }
  results.results.push_back(std::move(result));
}

cd::Node ModelNode(const json& from, cd::Project& project, cd::RunResults& results) {
  cd::Node node = CommonNode(from, cd::ResourceType::kModel);
  node.alias = Text(from, "alias").empty() ? node.name : Text(from, "alias");
  node.fqn = Strings(from, "fqn");
  node.original_file_path = Text(from, "filePath");
  node.materialized = Text(from, "materializedType");
  node.access = Text(from, "access");
  node.group = Text(from, "group");
  node.language = Text(from, "language");
  node.raw_code = Text(from, "rawCode");
  node.compiled_code = Text(from, "compiledCode");
  node.contract_enforced = from.value("contractEnforced", json(false)).is_boolean() &&
                           from["contractEnforced"].get<bool>();
  node.depends_on = Parents(from);
  AddCatalog(from, node, project.catalog->nodes, node.columns);
  AddResult(from, node.unique_id, results);
  return node;
}

cd::Node SourceNode(const json& from, cd::Project& project) {
  cd::Node node = CommonNode(from, cd::ResourceType::kSource);
  node.alias = Text(from, "identifier").empty() ? node.name : Text(from, "identifier");
  node.source_name = Text(from, "sourceName");
  node.loader = Text(from, "loader");
  AddCatalog(from, node, project.catalog->sources, node.columns);
  return node;
}

cd::Node TestNode(const json& from, cd::RunResults& results) {
  cd::Node node = CommonNode(from, cd::ResourceType::kTest);
  node.depends_on = Parents(from);
  std::string attached = Text(from, "testedNodeUniqueId");
  if (attached.empty() && !node.depends_on.empty()) attached = node.depends_on.front();
  node.test = cd::TestInfo{
      .test_name = node.name, .column_name = Text(from, "columnName"), .attached_node = attached};
  AddResult(from, node.unique_id, results);
  return node;
}

}  // namespace

cd::Project ReadDiscoveryProject(const cloud::DbtCloudDiscoveryClient& client,
                                 const std::string& environment_id,
                                 const DiscoveryProgress& progress) {
  // Environment ids are BigInt: a number when it is one.
  const bool numeric = !environment_id.empty() &&
                       environment_id.find_first_not_of("0123456789") == std::string::npos;
  const json variables = {
      {"env", numeric ? json(std::stoll(environment_id)) : json(environment_id)}};
  json environment = client.Query(kEnvironment, variables)["data"]["environment"];
  if (!environment.is_object()) {
    throw Error(
        ErrorCode::kNotFound,
        fmt::format("dbt Cloud environment {} is not known to the Discovery API", environment_id));
  }
  const std::string updated = Text(environment.value("applied", json::object()), "lastUpdatedAt");

  cd::Project project;
  cd::ArtifactMetadata& metadata = project.manifest.metadata;
  metadata.adapter_type = Text(environment, "adapterType");
  metadata.project_name = Text(environment, "dbtProjectName");
  metadata.generated_at = updated;
  metadata.invocation_id = fmt::format("dbt-cloud-environment-{}-{}", environment_id, updated);
  project.catalog.emplace();
  project.catalog->metadata = {.kind = cd::ArtifactKind::kCatalog, .generated_at = updated};
  cd::RunResults results{.metadata = {.kind = cd::ArtifactKind::kRunResults,
                                      .generated_at = updated,
                                      .invocation_id = metadata.invocation_id},
                         .command = "build"};

  auto page = [&](const char* query, const char* connection) {
    return client.AllNodes(query, variables, {"environment", "applied", connection}, 500,
                           [&](std::size_t fetched, std::int64_t total) {
                             if (progress) progress(connection, fetched, total);
                           });
  };
  for (const json& model : page(kModels, "models")) {
    project.manifest.nodes.push_back(ModelNode(model, project, results));
  }
  for (const json& source : page(kSources, "sources")) {
    project.manifest.nodes.push_back(SourceNode(source, project));
  }
  for (const json& test : page(kTests, "tests")) {
    project.manifest.nodes.push_back(TestNode(test, results));
  }
  if (!results.results.empty()) project.run_results = std::move(results);
  project.warnings.push_back(
      "read from the dbt Cloud Discovery API (no run artifacts): seeds, snapshots, exposures, "
      "metrics and docs blocks are not included");
  return project;
}

namespace {

class DiscoverySource : public Source {
 public:
  DiscoverySource(cloud::DbtCloudCredentials credentials, std::string environment_id,
                  std::string service, bool include_tags)
      : client_(std::move(credentials), http_),
        environment_id_(std::move(environment_id)),
        service_(std::move(service)),
        include_tags_(include_tags) {}

  catalog::ServiceSnapshot Read(ProgressListener& progress) override {
    const std::string phase =
        "reading environment " + environment_id_ + " from " + client_.endpoint();
    progress.PhaseStarted(phase, 0);
    cairn::dbt::Project project = ReadDiscoveryProject(client_, environment_id_);
    progress.PhaseFinished(phase);
    warnings_ = project.warnings;
    const MapOptions options{
        .service = service_.empty() ? DefaultServiceName(project.manifest) : service_,
        .include_tags = include_tags_};
    return MapProject(std::move(project), options, warnings_);
  }

  std::vector<std::string> Warnings() const override { return warnings_; }

 private:
  cloud::HttpClient http_;  // before client_, which keeps a reference
  cloud::DbtCloudDiscoveryClient client_;
  std::string environment_id_;
  std::string service_;
  bool include_tags_;
  std::vector<std::string> warnings_;
};

}  // namespace

std::unique_ptr<Source> MakeDiscoverySource(cloud::DbtCloudCredentials credentials,
                                            std::string environment_id, std::string service,
                                            bool include_tags) {
  return std::make_unique<DiscoverySource>(std::move(credentials), std::move(environment_id),
                                           std::move(service), include_tags);
}

}  // namespace cairn::connectors::dbt
