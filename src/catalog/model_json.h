#pragma once

#include <nlohmann/json.hpp>

#include "catalog/model.h"

// JSON forms of the read-side catalog model, shared by `cairn ... --json`
// and the REST API so the two never disagree. Stored JSON text (meta, stats,
// kwargs) is embedded as JSON, not as strings.
namespace cairn::catalog {

nlohmann::json ToJson(const Column& column);
nlohmann::json ToJson(const Table& table);
nlohmann::json ToJson(const DbtNode& node);
nlohmann::json ToJson(const NodeRun& run);
nlohmann::json ToJson(const TestSummary& test);
nlohmann::json ToJson(const EntityDetail& entity);
nlohmann::json ToJson(const Edit& edit);
nlohmann::json ToJson(const InvocationSummary& summary);
nlohmann::json ToJson(const SearchPage& page);
nlohmann::json ToJson(const SearchFacets& facets);
nlohmann::json ToJson(const LineageGraph& graph);
nlohmann::json ToJson(const CatalogCounts& counts);
nlohmann::json ToJson(const ApplyReport& report);

}  // namespace cairn::catalog
