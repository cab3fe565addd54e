#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <utility>

#include "core/error.h"
#include "core/file.h"
#include "dbt/project.h"

// What the remote dbt sources (http, s3, gcs, dbt Cloud) share: they stream
// the artifacts into a temporary directory and read them there as local
// files, relabelling errors with where the bytes came from.
namespace cairn::connectors::dbt {

// The artifacts in dbt's order, with the file name each is stored under.
struct ArtifactSlot {
  const char* kind;
  const char* file;
  std::string cairn::dbt::ArtifactPaths::*path;
};
inline constexpr ArtifactSlot kArtifactSlots[] = {
    {"manifest", "manifest.json", &cairn::dbt::ArtifactPaths::manifest},
    {"run_results", "run_results.json", &cairn::dbt::ArtifactPaths::run_results},
    {"catalog", "catalog.json", &cairn::dbt::ArtifactPaths::catalog},
    {"sources", "sources.json", &cairn::dbt::ArtifactPaths::sources},
};

// The downloads of one ingestion, and where each came from, so that a parse
// error names the URL or object instead of the temporary file. The
// directory is removed with the object.
class Downloads {
 public:
  Downloads()
      : directory_(ScopedDirectory::Unique(std::filesystem::temp_directory_path(),
                                           "cairn-dbt-artifacts-")) {}

  std::filesystem::path PathFor(const char* file) const { return directory_.path() / file; }
  const std::filesystem::path& directory() const { return directory_.path(); }
  void Remember(const std::string& path, std::string origin) { origins_[path] = std::move(origin); }

  // Runs `read`, rethrowing its cairn::Error with the origin of the file.
  template <typename Read>
  auto Relabeled(Read read) const {
    try {
      return read();
    } catch (const Error& error) {
      auto it = origins_.find(error.context().file);
      if (it == origins_.end()) throw;
      throw error.WithFile(it->second);
    }
  }

 private:
  ScopedDirectory directory_;
  std::map<std::string, std::string> origins_;
};

}  // namespace cairn::connectors::dbt
