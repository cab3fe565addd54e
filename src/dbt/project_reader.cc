#include <fmt/format.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/error.h"
#include "dbt/artifact_readers.h"

namespace cairn::dbt {
namespace {

constexpr std::size_t kExamples = 5;

std::string FileName(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

std::string Examples(const std::vector<std::string_view>& ids) {
  std::string out;
  for (std::size_t i = 0; i < ids.size() && i < kExamples; ++i) {
    if (i > 0) out += ", ";
    out += ids[i];
  }
  if (ids.size() > kExamples) out += ", ...";
  return out;
}

template <typename Result>
void CheckKnown(const ManifestIds& ids, const std::vector<Result>& results, const std::string& path,
                const std::string& manifest_path) {
  std::vector<std::string_view> unknown;
  for (const Result& result : results) {
    if (!ids.contains(result.unique_id)) unknown.push_back(result.unique_id);
  }
  if (unknown.empty()) return;
  throw Error(
      ErrorCode::kInconsistent,
      fmt::format("{} unique_id{} in {} {} not in the manifest ({}), e.g. {}", unknown.size(),
                  unknown.size() == 1 ? "" : "s", FileName(path),
                  unknown.size() == 1 ? "is" : "are", FileName(manifest_path), Examples(unknown)),
      {.file = path});
}

// catalog.json lags the manifest; entries the manifest no longer has are
// dropped rather than failing the ingestion.
void DropUnknown(const ManifestIds& ids, std::vector<CatalogTable>& tables, const std::string& path,
                 std::string_view section, std::vector<std::string>& warnings) {
  std::vector<std::string_view> unknown;
  for (const CatalogTable& table : tables) {
    if (!ids.contains(table.unique_id)) unknown.push_back(table.unique_id);
  }
  if (unknown.empty()) return;
  warnings.push_back(fmt::format("{}: dropped {} {} entr{} not in the manifest, e.g. {}",
                                 FileName(path), unknown.size(), section,
                                 unknown.size() == 1 ? "y" : "ies", Examples(unknown)));
  std::erase_if(tables, [&](const CatalogTable& table) { return !ids.contains(table.unique_id); });
}

}  // namespace

Project ReadProjectEntities(const ArtifactPaths& paths) {
  if (paths.manifest.empty()) {
    throw Error(ErrorCode::kInvalidArgument, "a dbt project needs a manifest.json");
  }
  Project project;
  // One file after the other, manifest first. Reading the manifest on its own
  // thread was measured on the 231 MB benchmark manifest (2 vCPUs): no faster
  // (both threads are bound by page faults and memory bandwidth) and 20% more
  // peak memory, because the other files' buffers then coexist with the
  // manifest's. Read first, the manifest's text and index are gone before the
  // others are loaded. (catalog.json alone beside the manifest, so that the
  // tables could be handed to the store sooner: no measurable gain on a
  // loaded machine, and 24 MiB more at the peak.)
  project.manifest = ReadManifest(paths.manifest);
  if (!paths.catalog.empty()) {
    project.catalog = ReadCatalog(paths.catalog);
    const ManifestIds ids = NodeIds(project.manifest);
    DropUnknown(ids, project.catalog->nodes, paths.catalog, "node", project.warnings);
    DropUnknown(ids, project.catalog->sources, paths.catalog, "source", project.warnings);
  }
  return project;
}

void ReadProjectHistory(const ArtifactPaths& paths, const ManifestIds& ids, Project& project) {
  if (!paths.run_results.empty()) project.run_results = ReadRunResults(paths.run_results);
  if (!paths.sources.empty()) project.sources = ReadSourceFreshness(paths.sources);
  if (project.run_results) {
    CheckKnown(ids, project.run_results->results, paths.run_results, paths.manifest);
  }
  if (project.sources) CheckKnown(ids, project.sources->results, paths.sources, paths.manifest);
}

ManifestIds NodeIds(const Manifest& manifest) {
  ManifestIds ids;
  ids.reserve(manifest.nodes.size());
  for (const Node& node : manifest.nodes) ids.insert(node.unique_id);
  return ids;
}

Project ReadProject(const ArtifactPaths& paths) {
  Project project = ReadProjectEntities(paths);
  ReadProjectHistory(paths, NodeIds(project.manifest), project);
  return project;
}

}  // namespace cairn::dbt
