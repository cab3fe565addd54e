#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "catalog/model.h"
#include "connectors/filter_pattern.h"
#include "connectors/source.h"

// The sourceConfig.config of a warehouse connector: OpenMetadata's
// DatabaseServiceMetadataPipeline (schemas/pipelines/database_metadata.json).
// Connectors ask it, while they list, whether to read a database, a schema
// or a table, so that what is filtered out is never described at all.
namespace cairn::connectors {

class DatabasePipeline {
 public:
  // Everything included, nothing filtered.
  DatabasePipeline() = default;
  // From a validated sourceConfig.config. Throws kInvalidConfig for a regex
  // that does not compile, naming its place.
  static DatabasePipeline FromJson(const nlohmann::json& config);

  bool mark_deleted_tables() const { return mark_deleted_tables_; }
  // markDeletedTables as Apply's MissingTables: tables gone from the source
  // are marked deleted, or left as they were.
  catalog::MissingTables missing_tables() const {
    return mark_deleted_tables_ ? catalog::MissingTables::kMarkDeleted
                                : catalog::MissingTables::kKeep;
  }
  bool include_tags() const { return include_tags_; }

  // Each answers by the bare name, or by the FQN with useFqnForFiltering,
  // and counts what it leaves out.
  bool KeepsDatabase(std::string_view service, std::string_view database);
  bool KeepsSchema(std::string_view service, std::string_view database, std::string_view schema);
  // Views and materialized views count as views for includeViews.
  bool KeepsTable(std::string_view service, std::string_view database, std::string_view schema,
                  std::string_view table, bool is_view);

  // Databases, schemas and tables left out so far, for the run report.
  std::int64_t filtered() const { return filtered_; }

 private:
  bool Count(bool kept);

  bool mark_deleted_tables_ = true;
  bool include_tables_ = true;
  bool include_views_ = true;
  bool include_tags_ = true;
  bool use_fqn_ = false;
  FilterPattern databases_;
  FilterPattern schemas_;
  FilterPattern tables_;
  std::int64_t filtered_ = 0;
};

// For Connector::nested_schemas: sourceConfig.config is the pipeline.
std::vector<NestedSchema> DatabasePipelineSchema(const nlohmann::json& source);

// The connector of a database service whose Source is made as
// `DatabaseSource(serviceName, serviceConnection.config, pipeline)`.
template <typename DatabaseSource>
Connector DatabaseConnector(const char* type, const char* schema_file) {
  auto factory = [](const SourceContext& context) -> std::unique_ptr<Source> {
    const nlohmann::json& source = *context.source;
    return std::make_unique<DatabaseSource>(
        context.service_name, source.at("serviceConnection").at("config"),
        DatabasePipeline::FromJson(source.at("sourceConfig").at("config")));
  };
  return Connector{.type = type,
                   .schema_file = schema_file,
                   .factory = factory,
                   .nested_schemas = DatabasePipelineSchema};
}

}  // namespace cairn::connectors
