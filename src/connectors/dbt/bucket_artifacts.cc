#include "connectors/dbt/bucket_artifacts.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "core/ascii.h"
#include "core/error.h"

namespace cairn::connectors::dbt {
namespace {

namespace fs = std::filesystem;
using cloud::S3Object;

struct Directory {
  std::vector<const S3Object*> files;  // direct children only
};

std::string DirectoryOf(const std::string& key) {
  std::size_t slash = key.rfind('/');
  return slash == std::string::npos ? std::string() : key.substr(0, slash + 1);
}

std::string FileNameOf(const std::string& key) {
  std::size_t slash = key.rfind('/');
  return AsciiLower(slash == std::string::npos ? key : key.substr(slash + 1));
}

const S3Object* Named(const Directory& directory, const std::string& name) {
  for (const S3Object* file : directory.files) {
    if (FileNameOf(file->key) == name) return file;
  }
  return nullptr;
}

bool Newer(const S3Object* a, const S3Object* b) {
  return a->last_modified != b->last_modified ? a->last_modified > b->last_modified
                                              : a->key < b->key;
}

// run_results.json, else the newest of the files that dbt or CI named
// run_results*; the others are only reported.
const S3Object* RunResultsIn(const Directory& directory, std::vector<std::string>& warnings) {
  std::vector<const S3Object*> candidates;
  for (const S3Object* file : directory.files) {
    const std::string name = FileNameOf(file->key);
    if (name.find("run_results") != std::string::npos && name.ends_with(".json")) {
      candidates.push_back(file);
    }
  }
  if (candidates.empty()) return nullptr;
  const S3Object* chosen = Named(directory, "run_results.json");
  if (chosen == nullptr) chosen = *std::min_element(candidates.begin(), candidates.end(), Newer);
  for (const S3Object* other : candidates) {
    if (other != chosen) {
      warnings.push_back(fmt::format("read {}; {} was not read (one run_results per ingestion)",
                                     chosen->key, other->key));
    }
  }
  return chosen;
}

// Of several directories with a manifest, the prefix itself, then its
// target/, then the one whose manifest is newest.
std::string ChooseProject(const std::map<std::string, Directory>& directories,
                          const std::vector<std::string>& projects, const std::string& prefix) {
  for (const std::string& preferred : {prefix, prefix + "target/"}) {
    if (std::find(projects.begin(), projects.end(), preferred) != projects.end()) return preferred;
  }
  std::vector<const S3Object*> manifests;
  manifests.reserve(projects.size());
  for (const std::string& project : projects) {
    manifests.push_back(Named(directories.at(project), "manifest.json"));
  }
  return DirectoryOf((*std::min_element(manifests.begin(), manifests.end(), Newer))->key);
}

}  // namespace

std::vector<const S3Object*> BucketArtifacts::Objects() const {
  std::vector<const S3Object*> out = {&manifest};
  for (const auto* optional : {&run_results, &catalog, &sources}) {
    if (optional->has_value()) out.push_back(&**optional);
  }
  return out;
}

std::string NormalizePrefix(const std::string& prefix) {
  return prefix.empty() || prefix.ends_with('/') ? prefix : prefix + "/";
}

BucketArtifacts FindArtifacts(const std::vector<S3Object>& objects, const std::string& prefix,
                              const std::string& where) {
  const std::string base = NormalizePrefix(prefix);
  std::map<std::string, Directory> directories;
  for (const S3Object& object : objects) {
    if (object.key.starts_with(base)) directories[DirectoryOf(object.key)].files.push_back(&object);
  }
  std::vector<std::string> projects;
  for (const auto& [name, directory] : directories) {
    if (Named(directory, "manifest.json") != nullptr) projects.push_back(name);
  }
  if (projects.empty()) {
    throw Error(ErrorCode::kNotFound,
                fmt::format("no manifest.json under {} ({} object{} listed): point the prefix at "
                            "the directory dbt's target/ is copied to",
                            where, objects.size(), objects.size() == 1 ? "" : "s"));
  }
  BucketArtifacts found;
  found.objects_listed = objects.size();
  found.directory = ChooseProject(directories, projects, base);
  for (const std::string& project : projects) {
    if (project != found.directory) {
      found.warnings.push_back(fmt::format(
          "{}manifest.json is another dbt project and was not read (read {}manifest.json; "
          "narrow the prefix to choose)",
          project, found.directory));
    }
  }
  const Directory& directory = directories.at(found.directory);
  found.manifest = *Named(directory, "manifest.json");
  auto optional = [](const S3Object* object) {
    return object == nullptr ? std::nullopt : std::optional<S3Object>(*object);
  };
  found.catalog = optional(Named(directory, "catalog.json"));
  found.sources = optional(Named(directory, "sources.json"));
  found.run_results = optional(RunResultsIn(directory, found.warnings));
  return found;
}

ArtifactBucket::ArtifactBucket(BucketSpec spec, const cloud::HttpClient& http)
    : spec_(std::move(spec)), http_(http), session_(http, spec_.credentials, spec_.assume_role) {
  spec_.prefix = NormalizePrefix(spec_.prefix);
}

ArtifactBucket::~ArtifactBucket() = default;

cloud::S3Client ArtifactBucket::Client() {
  return {spec_.location, session_.Current(), http_};
}

BucketArtifacts ArtifactBucket::List() {
  std::vector<S3Object> objects = Client().List(spec_.prefix);
  return FindArtifacts(objects, spec_.prefix, Where());
}

S3Object ArtifactBucket::Download(const S3Object& object, const fs::path& path) {
  return Client().Download(object.key, path);
}

cairn::dbt::ArtifactPaths ArtifactBucket::DownloadAll(const BucketArtifacts& found,
                                                      const fs::path& directory) {
  fs::create_directories(directory);
  cairn::dbt::ArtifactPaths paths;
  auto fetch = [&](const std::optional<S3Object>& object, const char* name, std::string& path) {
    if (!object) return;
    path = (directory / name).string();
    Download(*object, path);
  };
  paths.manifest = (directory / "manifest.json").string();
  Download(found.manifest, paths.manifest);
  fetch(found.run_results, "run_results.json", paths.run_results);
  fetch(found.catalog, "catalog.json", paths.catalog);
  fetch(found.sources, "sources.json", paths.sources);
  return paths;
}

std::string ArtifactBucket::Where() const {
  return fmt::format("{}://{}/{}", spec_.location.scheme, spec_.location.bucket, spec_.prefix);
}

}  // namespace cairn::connectors::dbt
