#include <array>
#include <string_view>
#include <utility>

#include "dbt/project.h"

namespace cairn::dbt {
namespace {

constexpr std::array<std::pair<std::string_view, ResourceType>, 14> kResourceTypes = {{
    {"model", ResourceType::kModel},
    {"seed", ResourceType::kSeed},
    {"snapshot", ResourceType::kSnapshot},
    {"source", ResourceType::kSource},
    {"test", ResourceType::kTest},
    {"unit_test", ResourceType::kUnitTest},
    {"analysis", ResourceType::kAnalysis},
    {"operation", ResourceType::kOperation},
    {"sql_operation", ResourceType::kSqlOperation},
    {"exposure", ResourceType::kExposure},
    {"metric", ResourceType::kMetric},
    {"semantic_model", ResourceType::kSemanticModel},
    {"saved_query", ResourceType::kSavedQuery},
    {"function", ResourceType::kFunction},
}};

}  // namespace

std::string_view ResourceTypeName(ResourceType type) {
  for (const auto& [name, value] : kResourceTypes) {
    if (value == type) return name;
  }
  return "unknown";
}

ResourceType ParseResourceType(std::string_view name) {
  for (const auto& [known, value] : kResourceTypes) {
    if (known == name) return value;
  }
  // dbt 0.x wrote "rpc" nodes for IDE queries; newer dbt may add types.
  if (name == "rpc") return ResourceType::kSqlOperation;
  return ResourceType::kUnknown;
}

std::string_view ArtifactKindName(ArtifactKind kind) {
  switch (kind) {
    case ArtifactKind::kManifest:
      return "manifest";
    case ArtifactKind::kRunResults:
      return "run-results";
    case ArtifactKind::kCatalog:
      return "catalog";
    case ArtifactKind::kSources:
      return "sources";
  }
  return "unknown";
}

}  // namespace cairn::dbt
