#pragma once

#include <memory>
#include <string>
#include <vector>

#include "catalog/model.h"
#include "dbt/artifact_readers.h"
#include "dbt/project.h"

namespace cairn::catalog {
class StagedSnapshot;  // catalog/staged_snapshot.h
}  // namespace cairn::catalog

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

class ProjectMapper;

// MapProject in two steps into a snapshot that a store writes while it is
// mapped: MapEntities maps the service, lineage and tables (then publishes
// SnapshotPart::kTables of `out`), the nodes and doc blocks (then kNodes);
// MapHistory maps the run results and source freshness read into the
// project after that (dbt::ReadProjectHistory, checked against NodeIds()),
// leaving kAll to the caller. MapEntities frees the manifest's nodes.
// `project`, `options` and `warnings` must outlive the mapper.
class StagedProjectMapper {
 public:
  StagedProjectMapper(cairn::dbt::Project& project, const MapOptions& options,
                      std::vector<std::string>& warnings, catalog::StagedSnapshot& out);
  ~StagedProjectMapper();
  StagedProjectMapper(const StagedProjectMapper&) = delete;
  StagedProjectMapper& operator=(const StagedProjectMapper&) = delete;

  void MapEntities();
  // The manifest's node unique_ids, valid after MapEntities.
  const cairn::dbt::ManifestIds& NodeIds() const;
  void MapHistory();

 private:
  catalog::StagedSnapshot& out_;
  std::unique_ptr<ProjectMapper> mapper_;
};

// The service name to use when none is configured: the manifest's
// project_name, else the package most models belong to, else "dbt".
std::string DefaultServiceName(const cairn::dbt::Manifest& manifest);

}  // namespace cairn::connectors::dbt
