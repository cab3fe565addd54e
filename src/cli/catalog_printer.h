#pragma once

#include <ostream>

#include "catalog/model.h"
#include "ingest/workflow.h"

// Human-readable renderings for the terminal. The --json forms come from
// catalog/model_json.h so that scripts and the REST API see the same shapes.
namespace cairn::cli {

void PrintIngestReport(const ingest::IngestReport& report, const catalog::CatalogCounts& totals,
                       std::ostream& out);
void PrintSearchPage(const catalog::SearchPage& page, const catalog::SearchQuery& query,
                     std::ostream& out);
void PrintEntity(const catalog::EntityDetail& entity, std::ostream& out);
void PrintLineage(const catalog::LineageGraph& graph, std::ostream& out);

}  // namespace cairn::cli
