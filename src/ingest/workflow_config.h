#pragma once

#include <optional>
#include <string>

#include "connectors/registry.h"
#include "ingest/config_document.h"
#include "ingest/rest_sink_config.h"

namespace cairn::ingest {

// A validated ingestion workflow (schemas/workflow.json plus the schema of the
// connector that source.type names).
struct WorkflowConfig {
  ConfigDocument document;
  const connectors::Connector* connector = nullptr;
  std::string service_name;
  std::string sink_type;                    // metadata-store | metadata-rest
  std::string sink_db;                      // sink.config.db, empty for the default store
  std::optional<RestSinkConfig> rest_sink;  // set for metadata-rest
  std::string logger_level = "INFO";

  const nlohmann::json& source() const { return document.value.at("source"); }
};

// Throws Error kInvalidConfig naming the file, line, JSON path and what was
// expected; kNotFound when the file is missing; kUnsupported for an
// authProvider of a metadata-rest sink this version cannot use.
WorkflowConfig LoadWorkflowConfig(const std::string& path, const connectors::Registry& registry =
                                                               connectors::BuiltinConnectors());
WorkflowConfig ParseWorkflowConfig(
    const std::string& text, const std::string& label,
    const connectors::Registry& registry = connectors::BuiltinConnectors());

}  // namespace cairn::ingest
