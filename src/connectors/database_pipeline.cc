#include "connectors/database_pipeline.h"

#include <nlohmann/json.hpp>

#include "catalog/model.h"

namespace cairn::connectors {
namespace {

constexpr const char* kConfigPath = "$.source.sourceConfig.config";

FilterPattern PatternAt(const nlohmann::json& config, const char* key) {
  auto it = config.find(key);
  return it == config.end() ? FilterPattern()
                            : FilterPattern::FromJson(*it, std::string(kConfigPath) + "." + key);
}

}  // namespace

DatabasePipeline DatabasePipeline::FromJson(const nlohmann::json& config) {
  DatabasePipeline pipeline;
  pipeline.mark_deleted_tables_ = config.value("markDeletedTables", true);
  pipeline.include_tables_ = config.value("includeTables", true);
  pipeline.include_views_ = config.value("includeViews", true);
  pipeline.include_tags_ = config.value("includeTags", true);
  pipeline.use_fqn_ = config.value("useFqnForFiltering", false);
  pipeline.databases_ = PatternAt(config, "databaseFilterPattern");
  pipeline.schemas_ = PatternAt(config, "schemaFilterPattern");
  pipeline.tables_ = PatternAt(config, "tableFilterPattern");
  return pipeline;
}

std::vector<NestedSchema> DatabasePipelineSchema(const nlohmann::json& /*source*/) {
  return {{.pointer = "/sourceConfig/config", .schema_file = "pipelines/database_metadata.json"}};
}

bool DatabasePipeline::Count(bool kept) {
  if (!kept) ++filtered_;
  return kept;
}

bool DatabasePipeline::KeepsDatabase(std::string_view service, std::string_view database) {
  const std::string fqn = catalog::QuoteFqnPart(service) + "." + catalog::QuoteFqnPart(database);
  return Count(databases_.Keeps(use_fqn_ ? std::string_view(fqn) : database));
}

bool DatabasePipeline::KeepsSchema(std::string_view service, std::string_view database,
                                   std::string_view schema) {
  const std::string fqn = catalog::QuoteFqnPart(service) + "." + catalog::QuoteFqnPart(database) +
                          "." + catalog::QuoteFqnPart(schema);
  return Count(schemas_.Keeps(use_fqn_ ? std::string_view(fqn) : schema));
}

bool DatabasePipeline::KeepsTable(std::string_view service, std::string_view database,
                                  std::string_view schema, std::string_view table, bool is_view) {
  if (!(is_view ? include_views_ : include_tables_)) return Count(false);
  const std::string fqn = catalog::TableFqn(service, database, schema, table);
  return Count(tables_.Keeps(use_fqn_ ? std::string_view(fqn) : table));
}

}  // namespace cairn::connectors
