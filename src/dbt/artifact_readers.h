#pragma once

#include <string>
#include <string_view>
#include <unordered_set>

#include "dbt/project.h"

// Readers for dbt's JSON artifacts, built on simdjson On-Demand over the whole
// file. Each reader:
//  - accepts every schema version dbt has written (manifest v1-v12, run-results
//    v1-v6, catalog v1, sources v1-v3) by probing fields, not by trusting the
//    version number; unknown fields and unknown top-level keys are skipped;
//  - rejects a file whose metadata.dbt_schema_version names another artifact
//    kind, or a version newer than Cairn knows (ErrorCode::kUnsupported);
//  - throws cairn::Error naming the file, the JSON path and, for malformed
//    JSON, the byte offset (ErrorCode::kParse).
// Readers are stateless and safe to call from several threads at once.
namespace cairn::dbt {

inline constexpr int kMaxManifestVersion = 12;
inline constexpr int kMaxRunResultsVersion = 6;
inline constexpr int kMaxCatalogVersion = 1;
inline constexpr int kMaxSourcesVersion = 3;

Manifest ReadManifest(const std::string& path);
RunResults ReadRunResults(const std::string& path);
Catalog ReadCatalog(const std::string& path);
SourceFreshness ReadSourceFreshness(const std::string& path);

// The same from text held in memory; `label` names it in errors.
Manifest ParseManifest(const std::string& json, const std::string& label);
RunResults ParseRunResults(const std::string& json, const std::string& label);
Catalog ParseCatalog(const std::string& json, const std::string& label);
SourceFreshness ParseSourceFreshness(const std::string& json, const std::string& label);

// Reads every file that is named (manifest required), then checks that the
// other files describe the same project: every unique_id in run_results and
// sources must exist in the manifest (ErrorCode::kInconsistent, naming the
// file, the count and the first unknown ids). catalog.json is often older than
// the manifest (docs generate runs less often), so its unknown entries are
// dropped with a line in Project::warnings instead.
Project ReadProject(const ArtifactPaths& paths);

// The unique_ids of a manifest's nodes, which the other artifacts are
// checked against; views into strings that must outlive the set.
using ManifestIds = std::unordered_set<std::string_view>;
ManifestIds NodeIds(const Manifest& manifest);

// ReadProject in two steps, for a caller that maps the entities before the
// history is read: the manifest and catalog.json, then run_results.json and
// sources.json into the same project, checked against `ids` (the
// manifest's, which may be gone from the project by then).
Project ReadProjectEntities(const ArtifactPaths& paths);
void ReadProjectHistory(const ArtifactPaths& paths, const ManifestIds& ids, Project& project);

}  // namespace cairn::dbt
