#include "server/sync/bucket_sync.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "connectors/dbt/bucket_artifacts.h"
#include "core/error.h"
#include "core/file.h"
#include "server/sync/sync_run.h"

namespace cairn::server {
namespace {

namespace fs = std::filesystem;
using connectors::dbt::ArtifactBucket;
using connectors::dbt::BucketArtifacts;
using ingest::ArtifactKind;
using ingest::ExtractionRun;
using nlohmann::json;

constexpr std::size_t kListPageSize = 1000;  // S3's most keys per ListObjectsV2 page

struct FoundArtifact {
  ArtifactKind kind;
  const cloud::S3Object* object;
};

std::vector<FoundArtifact> Artifacts(const BucketArtifacts& found) {
  std::vector<FoundArtifact> out = {{ArtifactKind::kManifest, &found.manifest}};
  for (const auto& [kind, object] : {std::pair{ArtifactKind::kRunResults, &found.run_results},
                                     std::pair{ArtifactKind::kCatalog, &found.catalog},
                                     std::pair{ArtifactKind::kSources, &found.sources}}) {
    if (object->has_value()) out.push_back({kind, &**object});
  }
  return out;
}

std::string MiB(std::uint64_t bytes) {
  return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1 << 20));
}

json ObjectJson(const cloud::S3Object& object) {
  return {{"key", object.key}, {"etag", object.etag}, {"bytes", object.size}};
}

// Whether the listing shows a different object than the last successful
// sync read: another key, another ETag, or no ETag to compare.
bool Changed(const json& previous, const char* kind, const cloud::S3Object& object) {
  if (object.etag.empty() || !previous.contains(kind)) return true;
  const json& before = previous[kind];
  return before.value("key", "") != object.key || before.value("etag", "") != object.etag;
}

// What a sync did, kept in the run's counts under "sync".
struct SyncCounts {
  std::size_t objects_listed = 0;
  std::size_t list_pages = 0;
  std::size_t get_requests = 0;
  std::uint64_t bytes_downloaded = 0;
  std::vector<std::string> changed;
  std::vector<std::string> unchanged;

  std::string Json(bool nothing_changed) const {
    return json{{"sync",
                 {{"objects_listed", objects_listed},
                  {"list_pages", list_pages},
                  {"get_requests", get_requests},
                  {"bytes_downloaded", bytes_downloaded},
                  {"changed", changed},
                  {"unchanged", unchanged},
                  {"nothing_changed", nothing_changed}}}}
        .dump();
  }
};

class Sync : public SyncRun {
 public:
  Sync(ingest::ExtractionService& extraction, SyncStateStore& state, const cloud::HttpClient& http,
       ExtractionRun run, const ingest::BucketSettings& settings,
       const std::function<void()>& keep_alive)
      : SyncRun(extraction, state, std::move(run), keep_alive), http_(http), settings_(settings) {}

 private:
  std::string FailedCounts() const override { return counts_.Json(false); }

  bool Fetch() override {
    ArtifactBucket bucket(ingest::SpecOf(settings_), http_);
    Log("info",
        fmt::format("listing {} (credentials: {})", bucket.Where(), bucket.credential_source()));
    BucketArtifacts found = bucket.List();
    counts_.objects_listed = found.objects_listed;
    counts_.list_pages =
        std::max<std::size_t>(1, (found.objects_listed + kListPageSize - 1) / kListPageSize);
    for (const std::string& warning : found.warnings) Log("warning", warning);
    std::optional<std::string> last = state_.LastSuccessfulListing(run_.integration_id);
    json previous = last ? json::parse(*last, nullptr, false) : json::object();
    if (!previous.is_object()) previous = json::object();
    WarnAboutVanished(found, previous);

    json listing = json::object();
    std::vector<FoundArtifact> to_fetch;
    for (const FoundArtifact& artifact : Artifacts(found)) {
      const char* kind = ingest::ArtifactKindName(artifact.kind);
      listing[kind] = ObjectJson(*artifact.object);
      bool changed = Changed(previous, kind, *artifact.object);
      (changed ? counts_.changed : counts_.unchanged).emplace_back(kind);
      if (changed) to_fetch.push_back(artifact);
    }
    if (to_fetch.empty()) return FinishUnchanged(found, listing);
    return FetchAndQueue(bucket, to_fetch, listing);
  }

  void WarnAboutVanished(const BucketArtifacts& found, const json& previous) {
    std::vector<FoundArtifact> now = Artifacts(found);
    for (const auto& item : previous.items()) {
      const std::string& kind = item.key();
      const json& before = item.value();
      bool present = std::any_of(now.begin(), now.end(), [&](const FoundArtifact& artifact) {
        return kind == ingest::ArtifactKindName(artifact.kind);
      });
      if (!present) {
        Log("warning", fmt::format("{} is no longer in the bucket (was {}); the catalog keeps what "
                                   "the last one set",
                                   kind, before.value("key", "")));
      }
    }
  }

  bool FinishUnchanged(const BucketArtifacts& found, const json& listing) {
    state_.RecordListing(run_.id, listing.dump());
    Log("info", fmt::format("nothing changed in {}{} since the last successful sync ({} object{} "
                            "listed in {} LIST page{}, no GET): the catalog is up to date",
                            found.directory.empty() ? "the bucket's root " : "", found.directory,
                            counts_.objects_listed, counts_.objects_listed == 1 ? "" : "s",
                            counts_.list_pages, counts_.list_pages == 1 ? "" : "s"));
    runs_.FinishRun(run_.id, ingest::kRunSucceeded, counts_.Json(true), "");
    return false;
  }

  bool FetchAndQueue(ArtifactBucket& bucket, const std::vector<FoundArtifact>& to_fetch,
                     json& listing) {
    // Beside the runs (a rename away from them), removed with whatever was
    // not handed to the run.
    ScopedDirectory directory(extraction_.upload_dir() / fmt::format("sync-{}", run_.id));
    ingest::ArtifactFiles files;
    for (const FoundArtifact& artifact : to_fetch) {
      keep_alive_();
      const char* kind = ingest::ArtifactKindName(artifact.kind);
      fs::path file = directory.path() / ingest::ArtifactFileName(artifact.kind);
      auto started = std::chrono::steady_clock::now();
      cloud::S3Object got = bucket.Download(*artifact.object, file);
      ++counts_.get_requests;
      std::uint64_t bytes = fs::file_size(file);
      counts_.bytes_downloaded += bytes;
      // What was read, not what was listed, is what the next sync compares
      // with: the object may have been replaced between the two.
      if (!got.etag.empty()) listing[kind]["etag"] = got.etag;
      Log("info",
          fmt::format(
              "downloaded {} ({}, ETag {}) in {:.1f} s", artifact.object->key, MiB(bytes),
              listing[kind].value("etag", ""),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()));
      files[artifact.kind] = file;
    }
    state_.RecordListing(run_.id, listing.dump());
    run_.counts_json = counts_.Json(false);
    keep_alive_();
    extraction_.QueueRun(run_, std::move(files));
    return true;
  }

  const cloud::HttpClient& http_;
  const ingest::BucketSettings& settings_;
  SyncCounts counts_;
};

}  // namespace

bool SyncBucket(ingest::ExtractionService& extraction, SyncStateStore& state,
                const cloud::HttpClient& http, ExtractionRun run,
                const ingest::BucketSettings& settings, const std::function<void()>& keep_alive) {
  return Sync(extraction, state, http, std::move(run), settings, keep_alive).Execute();
}

json TestBucket(const cloud::HttpClient& http, const ingest::BucketSettings& settings) {
  std::string where;
  try {
    ArtifactBucket bucket(ingest::SpecOf(settings), http);
    where = bucket.Where();
    BucketArtifacts found = bucket.List();
    json artifacts = json::array();
    std::vector<std::string> names;
    for (const FoundArtifact& artifact : Artifacts(found)) {
      const cloud::S3Object& object = *artifact.object;
      names.push_back(
          fmt::format("{} ({})", ingest::ArtifactFileName(artifact.kind), MiB(object.size)));
      artifacts.push_back({{"kind", ingest::ArtifactKindName(artifact.kind)},
                           {"key", object.key},
                           {"bytes", object.size},
                           {"etag", object.etag},
                           {"last_modified", object.last_modified}});
    }
    return {{"ok", true},
            {"message", fmt::format("Found {} in {}{} ({} object{} listed)", fmt::join(names, ", "),
                                    where.substr(0, where.find('/', 5) + 1), found.directory,
                                    found.objects_listed, found.objects_listed == 1 ? "" : "s")},
            {"where", where},
            {"credentials", bucket.credential_source()},
            {"directory", found.directory},
            {"objects_listed", found.objects_listed},
            {"artifacts", std::move(artifacts)},
            {"warnings", found.warnings}};
  } catch (const Error& e) {
    return {{"ok", false}, {"message", e.what()}, {"where", where}};
  }
}

}  // namespace cairn::server
