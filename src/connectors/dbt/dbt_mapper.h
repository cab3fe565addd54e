#pragma once

#include <string>
#include <vector>

#include "catalog/model.h"
#include "dbt/project.h"

namespace cairn::connectors::dbt {

struct MapOptions {
  std::string service;       // the service the project's relations belong to
  bool include_tags = true;  // DbtPipeline.includeTags
};

// Maps a normalised dbt project onto the catalog model:
//  - models (but ephemeral ones), seeds, snapshots and sources become Tables
//    named by their relation (database, schema, alias/identifier); columns
//    merge the manifest (descriptions, tags, declared types) with catalog.json
//    (warehouse types, order, comments), matched case-insensitively;
//  - every dbt resource becomes a DbtNode; tests point at the table and
//    column they test;
//  - lineage edges follow depends_on.nodes between tables and the table-less
//    consumers (exposures, metrics, semantic models, saved queries), passing
//    through ephemeral models, which exist only inside other models' SQL;
//  - run_results and sources.json become invocations with one run per node.
// The project is consumed: large strings (SQL) are moved, not copied.
// `warnings` receives what was skipped.
catalog::ServiceSnapshot MapProject(cairn::dbt::Project&& project, const MapOptions& options,
                                    std::vector<std::string>& warnings);

// The service name to use when none is configured: the manifest's
// project_name, else the package most models belong to, else "dbt".
std::string DefaultServiceName(const cairn::dbt::Manifest& manifest);

}  // namespace cairn::connectors::dbt
