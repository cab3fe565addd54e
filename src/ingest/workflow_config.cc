#include "ingest/workflow_config.h"

#include <fmt/format.h>

#include "core/error.h"
#include "ingest/schema_validator.h"

namespace cairn::ingest {
namespace {

WorkflowConfig Validate(ConfigDocument document, const connectors::Registry& registry) {
  static const SchemaValidator kWorkflowSchema("workflow.json");
  kWorkflowSchema.Validate(document);

  WorkflowConfig config;
  const nlohmann::json& source = document.value.at("source");
  const std::string type = source.at("type").get<std::string>();
  config.connector = registry.Find(type);
  if (config.connector == nullptr) {
    throw Error(ErrorCode::kInvalidConfig,
                fmt::format("unknown source type '{}' (known: {})", type,
                            fmt::join(registry.Types(), ", ")),
                {.file = document.file,
                 .line = document.LineOf("/source/type"),
                 .json_path = "$.source.type"});
  }
  SchemaValidator(config.connector->schema_file).Validate(document, "/source");
  if (config.connector->nested_schemas) {
    for (const auto& nested : config.connector->nested_schemas(source)) {
      SchemaValidator(nested.schema_file).Validate(document, "/source" + nested.pointer);
    }
  }

  config.service_name = source.at("serviceName").get<std::string>();
  const nlohmann::json& sink = document.value.at("sink");
  config.sink_type = sink.at("type").get<std::string>();
  if (config.sink_type == "metadata-rest") config.rest_sink = ReadRestSinkConfig(document);
  if (auto it = sink.find("config"); it != sink.end()) config.sink_db = it->value("db", "");
  if (auto it = document.value.find("workflowConfig"); it != document.value.end()) {
    config.logger_level = it->value("loggerLevel", "INFO");
  }
  config.document = std::move(document);
  return config;
}

}  // namespace

WorkflowConfig LoadWorkflowConfig(const std::string& path, const connectors::Registry& registry) {
  return Validate(LoadConfigDocument(path), registry);
}

WorkflowConfig ParseWorkflowConfig(const std::string& text, const std::string& label,
                                   const connectors::Registry& registry) {
  return Validate(ParseConfigDocument(text, label), registry);
}

}  // namespace cairn::ingest
