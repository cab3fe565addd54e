#include "connectors/dbt/dbt_source.h"

#include <fmt/format.h>

#include <array>
#include <filesystem>
#include <future>
#include <nlohmann/json.hpp>
#include <utility>

#include "catalog/staged_snapshot.h"
#include "connectors/dbt/dbt_cloud_run_source.h"
#include "connectors/dbt/dbt_mapper.h"
#include "connectors/dbt/remote_dbt_sources.h"
#include "core/error.h"
#include "core/file_digest.h"
#include "dbt/artifact_readers.h"

namespace cairn::connectors::dbt {
namespace {

namespace fs = std::filesystem;

// Part of every fingerprint: bump it whenever the readers or the mapper
// change what a snapshot holds for the same files, so that the next
// ingestion after an upgrade reads everything again.
constexpr const char* kFingerprintVersion = "dbt-artifacts/1";

class DbtSource : public Source {
 public:
  DbtSource(cairn::dbt::ArtifactPaths paths, std::string service, bool include_tags)
      : paths_(std::move(paths)), service_(std::move(service)), include_tags_(include_tags) {}

  catalog::ServiceSnapshot Read(ProgressListener& progress) override {
    catalog::StagedSnapshot staged;
    ReadStaged(progress, staged);
    return std::move(staged.snapshot());
  }

  // The tables are handed over as soon as the manifest and catalog.json
  // are mapped, the nodes next; run_results.json and sources.json are read
  // while the store writes them.
  void ReadStaged(ProgressListener& progress, catalog::StagedSnapshot& out) override {
    // Unless Ingest asked for the fingerprint first, it is taken on the
    // second core while the files are parsed.
    std::future<std::string> fingerprint;
    if (fingerprint_.empty()) {
      fingerprint = std::async(std::launch::async, [this] { return Digest(1); });
    }
    std::uint64_t bytes = 0;
    for (const std::string* path :
         {&paths_.manifest, &paths_.run_results, &paths_.catalog, &paths_.sources}) {
      std::error_code ec;
      if (!path->empty()) bytes += static_cast<std::uint64_t>(fs::file_size(*path, ec));
    }
    progress.PhaseStarted("reading dbt artifacts", bytes);
    cairn::dbt::Project project = cairn::dbt::ReadProjectEntities(paths_);
    progress.PhaseFinished("reading dbt artifacts");
    warnings_ = project.warnings;

    progress.PhaseStarted("mapping onto the catalog", 0);
    MapOptions options{
        .service = service_.empty() ? DefaultServiceName(project.manifest) : service_,
        .include_tags = include_tags_};
    // No phase starts from here on: the store may be waiting for the next
    // part inside its write transaction (see ProgressListener).
    StagedProjectMapper mapper(project, options, warnings_, out);
    mapper.MapEntities();
    cairn::dbt::ReadProjectHistory(paths_, mapper.NodeIds(), project);
    mapper.MapHistory();
    progress.PhaseFinished("mapping onto the catalog");
    std::string digest;
    if (!fingerprint.valid()) {
      digest = fingerprint_;
    } else {
      try {
        digest = fingerprint.get();
      } catch (const Error&) {  // a file went away after it was parsed
      }
    }
    if (!digest.empty() && UnchangedSinceDigested()) out.snapshot().artifact_fingerprint = digest;
  }

  std::string Fingerprint() override {
    if (fingerprint_.empty()) Digest(2);
    return fingerprint_;
  }

  std::vector<std::string> Warnings() const override { return warnings_; }

 private:
  // The files' bytes (each kind by name, so a missing file differs from an
  // empty one), the options and the service, hashed. Paths are left out: the
  // same artifacts copied elsewhere are the same project.
  std::string Digest(int threads) {
    std::vector<std::string> present;
    std::string text = FingerprintPreamble(service_, include_tags_);
    for (const auto& [kind, path] : Files()) {
      if (!path->empty()) present.push_back(*path);
    }
    digests_ = DigestFiles(present, threads);
    std::size_t next = 0;
    for (const auto& [kind, path] : Files()) {
      text += path->empty() ? fmt::format("{}=none\n", kind)
                            : fmt::format("{}={}\n", kind, digests_[next++].sha256);
    }
    fingerprint_ = "dbt:" + Sha256Hex(text);
    return fingerprint_;
  }

  std::array<std::pair<const char*, const std::string*>, 4> Files() const {
    return {{{"manifest", &paths_.manifest},
             {"run_results", &paths_.run_results},
             {"catalog", &paths_.catalog},
             {"sources", &paths_.sources}}};
  }

  // Whether every file still looks as it did when it was digested, i.e. what
  // was parsed is what the fingerprint describes.
  bool UnchangedSinceDigested() const {
    std::size_t next = 0;
    for (const auto& [kind, path] : Files()) {
      if (path->empty()) continue;
      try {
        if (StatFile(*path) != digests_[next++].stat) return false;
      } catch (const Error&) {
        return false;
      }
    }
    return true;
  }

  cairn::dbt::ArtifactPaths paths_;
  std::string service_;
  bool include_tags_;
  std::vector<std::string> warnings_;
  std::string fingerprint_;
  std::vector<FileDigest> digests_;  // of the files named in paths_, in Files() order
};

std::string StringOr(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::unique_ptr<Source> FromWorkflow(const SourceContext& context) {
  const nlohmann::json& config = context.source->at("sourceConfig").at("config");
  const nlohmann::json& config_source = config.at("dbtConfigSource");
  const bool include_tags = config.value("includeTags", true);
  const std::string type = config_source.value("dbtConfigType", "local");
  if (type == "http") {
    return MakeHttpDbtSource(HttpArtifactUrlsFrom(config_source),
                             TransferOptionsFrom(config_source), context.service_name,
                             include_tags);
  }
  if (type == "cloud") {
    return MakeDbtCloudRunSource(DbtCloudCredentialsFrom(config_source),
                                 DbtCloudRunQueryFrom(config_source), context.service_name,
                                 include_tags);
  }
  if (type == "s3" || type == "gcs") {
    return MakeBucketDbtSource(BucketSpecFrom(config_source), TransferOptionsFrom(config_source),
                               context.service_name, include_tags);
  }
  return MakeDbtSource(LocalArtifactPaths(config_source), context.service_name, include_tags);
}

// dbtConfigSource's fields depend on its dbtConfigType: each variant has its
// own schema (schemas/connectors/dbt/TYPE.json).
std::vector<NestedSchema> VariantSchemas(const nlohmann::json& source) {
  const nlohmann::json& config_source =
      source.at("sourceConfig").at("config").at("dbtConfigSource");
  const std::string type = config_source.value("dbtConfigType", "local");
  std::vector<NestedSchema> schemas = {
      {.pointer = "/sourceConfig/config/dbtConfigSource",
       .schema_file = fmt::format("connectors/dbt/{}.json", type)}};
  if (type == "s3") {
    schemas.push_back({.pointer = "/sourceConfig/config/dbtConfigSource/dbtSecurityConfig",
                       .schema_file = "common/aws_credentials.json"});
  }
  return schemas;
}

}  // namespace

Connector DbtConnector() {
  return Connector{.type = "dbt",
                   .schema_file = "connectors/dbt.json",
                   .factory = FromWorkflow,
                   .nested_schemas = VariantSchemas};
}

cairn::dbt::ArtifactPaths LocalArtifactPaths(const nlohmann::json& dbt_config_source) {
  return {.manifest = StringOr(dbt_config_source, "dbtManifestFilePath"),
          .run_results = StringOr(dbt_config_source, "dbtRunResultsFilePath"),
          .catalog = StringOr(dbt_config_source, "dbtCatalogFilePath"),
          .sources = StringOr(dbt_config_source, "dbtSourcesFilePath")};
}

cairn::dbt::ArtifactPaths ArtifactPathsInDirectory(const std::string& directory) {
  fs::path target(directory);
  std::error_code ec;
  if (!fs::is_directory(target, ec)) {
    throw Error(ErrorCode::kNotFound, "is not a directory", {.file = directory});
  }
  if (!fs::exists(target / "manifest.json", ec) &&
      fs::exists(target / "target" / "manifest.json", ec)) {
    target /= "target";
  }
  if (!fs::exists(target / "manifest.json", ec)) {
    throw Error(
        ErrorCode::kNotFound,
        "no manifest.json here or in target/ (run `dbt compile` or `dbt docs generate` first)",
        {.file = directory});
  }
  auto optional = [&](const char* name) {
    const fs::path path = target / name;
    return fs::exists(path, ec) ? path.string() : std::string();
  };
  return {.manifest = (target / "manifest.json").string(),
          .run_results = optional("run_results.json"),
          .catalog = optional("catalog.json"),
          .sources = optional("sources.json")};
}

std::string FingerprintPreamble(const std::string& service, bool include_tags) {
  return fmt::format("{}\ntags={}\nservice={}\n", kFingerprintVersion, include_tags ? 1 : 0,
                     service.empty() ? "(from the manifest)" : "=" + service);
}

std::unique_ptr<Source> MakeDbtSource(cairn::dbt::ArtifactPaths paths, std::string service,
                                      bool include_tags) {
  return std::make_unique<DbtSource>(std::move(paths), std::move(service), include_tags);
}

}  // namespace cairn::connectors::dbt
