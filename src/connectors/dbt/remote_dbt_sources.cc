#include "connectors/dbt/remote_dbt_sources.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <utility>
#include <vector>

#include "connectors/aws_config.h"
#include "connectors/dbt/artifact_downloads.h"
#include "connectors/dbt/dbt_source.h"
#include "core/error.h"
#include "core/file.h"
#include "core/file_digest.h"

namespace cairn::connectors::dbt {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kConfigPath = "$.source.sourceConfig.config.dbtConfigSource";

class HttpDbtSource : public Source {
 public:
  HttpDbtSource(HttpArtifactUrls urls, cloud::HttpClientOptions http, std::string service,
                bool include_tags)
      : urls_(std::move(urls)),
        http_(std::move(http)),
        service_(std::move(service)),
        include_tags_(include_tags) {}

  catalog::ServiceSnapshot Read(ProgressListener& progress) override {
    Fetch(&progress);
    return downloads_->Relabeled([&] { return local_->Read(progress); });
  }

  std::string Fingerprint() override {
    Fetch(nullptr);
    return downloads_->Relabeled([&] { return local_->Fingerprint(); });
  }

  std::vector<std::string> Warnings() const override {
    return local_ ? local_->Warnings() : std::vector<std::string>();
  }

 private:
  void Fetch(ProgressListener* progress) {
    if (local_) return;
    downloads_.emplace();
    if (progress != nullptr) progress->PhaseStarted("downloading dbt artifacts", 0);
    cairn::dbt::ArtifactPaths paths;
    for (const ArtifactSlot& slot : kArtifactSlots) {
      const std::string& url = urls_.*slot.path;
      if (url.empty()) continue;
      paths.*slot.path = Download(url, downloads_->PathFor(slot.file));
      downloads_->Remember(paths.*slot.path, cloud::UrlForMessages(url));
    }
    if (progress != nullptr) progress->PhaseFinished("downloading dbt artifacts");
    local_ = MakeDbtSource(std::move(paths), service_, include_tags_);
  }

  std::string Download(const std::string& url, const fs::path& path) const {
    cloud::HttpResponse response = http_.Send({.url = url, .download_to = path});
    if (response.status != 200) {
      throw Error(response.status == 404 ? ErrorCode::kNotFound : ErrorCode::kIo,
                  fmt::format("GET answered HTTP {}{}", response.status,
                              response.status == 404 ? " (no such file)" : ""),
                  {.file = cloud::UrlForMessages(url)});
    }
    return path.string();
  }

  HttpArtifactUrls urls_;
  cloud::HttpClient http_;
  std::string service_;
  bool include_tags_;
  std::optional<Downloads> downloads_;
  std::unique_ptr<Source> local_;
};

class BucketDbtSource : public Source {
 public:
  BucketDbtSource(BucketSpec spec, cloud::HttpClientOptions http, std::string service,
                  bool include_tags)
      : spec_(std::move(spec)),
        http_(std::move(http)),
        service_(std::move(service)),
        include_tags_(include_tags) {}

  catalog::ServiceSnapshot Read(ProgressListener& progress) override {
    List(&progress);
    Downloads downloads;
    cairn::dbt::ArtifactPaths paths;
    bool as_listed = true;  // every object downloaded is the one listed
    progress.PhaseStarted("downloading dbt artifacts from " + bucket_->Where(), ListedBytes());
    for (const ArtifactSlot& slot : kArtifactSlots) {
      const cloud::S3Object* listed = Listed(slot.kind);
      if (listed == nullptr) continue;
      paths.*slot.path = downloads.PathFor(slot.file).string();
      cloud::S3Object got = bucket_->Download(*listed, paths.*slot.path);
      as_listed = as_listed && got.etag == listed->etag;
      downloads.Remember(paths.*slot.path,
                         bucket_->Where() + listed->key.substr(spec_.prefix.size()));
    }
    progress.PhaseFinished("downloading dbt artifacts from " + bucket_->Where());
    local_ = MakeDbtSource(std::move(paths), service_, include_tags_);
    catalog::ServiceSnapshot snapshot = downloads.Relabeled([&] { return local_->Read(progress); });
    // The snapshot is what the listing describes only when no object was
    // replaced between the listing and its download.
    snapshot.artifact_fingerprint =
        as_listed && !snapshot.artifact_fingerprint.empty() ? ListedFingerprint() : "";
    return snapshot;
  }

  std::string Fingerprint() override {
    List(nullptr);
    return ListedFingerprint();
  }

  std::vector<std::string> Warnings() const override {
    std::vector<std::string> warnings = found_ ? found_->warnings : std::vector<std::string>();
    if (local_) {
      for (std::string& warning : local_->Warnings()) warnings.push_back(std::move(warning));
    }
    return warnings;
  }

 private:
  void List(ProgressListener* progress) {
    if (found_) return;
    spec_.prefix = NormalizePrefix(spec_.prefix);
    bucket_ = std::make_unique<ArtifactBucket>(spec_, http_);
    const std::string phase = "listing " + bucket_->Where();
    if (progress != nullptr) progress->PhaseStarted(phase, 0);
    found_ = bucket_->List();
    if (progress != nullptr) progress->PhaseFinished(phase);
  }

  const cloud::S3Object* Listed(std::string_view kind) const {
    if (kind == "manifest") return &found_->manifest;
    const std::optional<cloud::S3Object>& object = kind == "run_results" ? found_->run_results
                                                   : kind == "catalog"   ? found_->catalog
                                                                         : found_->sources;
    return object ? &*object : nullptr;
  }

  std::uint64_t ListedBytes() const {
    std::uint64_t bytes = 0;
    for (const cloud::S3Object* object : found_->Objects()) bytes += object->size;
    return bytes;
  }

  // What the listing says of each artifact: an ETag changes with the bytes.
  std::string ListedFingerprint() const {
    std::string text = FingerprintPreamble(service_, include_tags_) + "from=bucket\n";
    for (const ArtifactSlot& slot : kArtifactSlots) {
      const cloud::S3Object* listed = Listed(slot.kind);
      text += listed == nullptr ? fmt::format("{}=none\n", slot.kind)
                                : fmt::format("{}={} {}\n", slot.kind, listed->etag, listed->size);
    }
    return "dbt-bucket:" + Sha256Hex(text);
  }

  BucketSpec spec_;
  cloud::HttpClient http_;
  std::string service_;
  bool include_tags_;
  std::unique_ptr<ArtifactBucket> bucket_;
  std::optional<BucketArtifacts> found_;
  std::unique_ptr<Source> local_;
};

std::string StringAt(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

[[noreturn]] void FailConfig(const std::string& path, const std::string& message,
                             ErrorCode code = ErrorCode::kInvalidConfig) {
  throw Error(code, message, {.json_path = fmt::format("{}.{}", kConfigPath, path)});
}

BucketSpec S3SpecFrom(const json& config_source) {
  AwsConfig aws = AwsConfigFrom(config_source.at("dbtSecurityConfig"),
                                fmt::format("{}.dbtSecurityConfig", kConfigPath));
  BucketSpec spec;
  spec.location.region = std::move(aws.region);
  spec.location.endpoint = std::move(aws.endpoint);
  spec.credentials = std::move(aws.credentials);
  spec.assume_role = std::move(aws.assume_role);
  return spec;
}

BucketSpec GcsSpecFrom(const json& config_source) {
  const json& security = config_source.at("dbtSecurityConfig");
  if (security.contains("gcpConfig")) {
    FailConfig("dbtSecurityConfig.gcpConfig",
               "service-account credentials are not supported: Cairn reads GCS through its "
               "S3-compatible API, which takes an HMAC key (Cloud Storage > Settings > "
               "Interoperability); give hmacAccessId and hmacSecret",
               ErrorCode::kUnsupported);
  }
  const std::string id = StringAt(security, "hmacAccessId");
  const std::string secret = StringAt(security, "hmacSecret");
  if (id.empty() || secret.empty()) {
    FailConfig(fmt::format("dbtSecurityConfig.{}", id.empty() ? "hmacAccessId" : "hmacSecret"),
               "GCS is read with an HMAC key: give hmacAccessId and hmacSecret");
  }
  BucketSpec spec;
  spec.location.region = "auto";
  spec.location.scheme = "gs";
  spec.location.endpoint = security.value("endPointURL", "https://storage.googleapis.com");
  spec.credentials.explicit_keys = {id, secret, ""};
  return spec;
}

}  // namespace

std::unique_ptr<Source> MakeHttpDbtSource(HttpArtifactUrls urls, cloud::HttpClientOptions http,
                                          std::string service, bool include_tags) {
  return std::make_unique<HttpDbtSource>(std::move(urls), std::move(http), std::move(service),
                                         include_tags);
}

std::unique_ptr<Source> MakeBucketDbtSource(BucketSpec bucket, cloud::HttpClientOptions http,
                                            std::string service, bool include_tags) {
  return std::make_unique<BucketDbtSource>(std::move(bucket), std::move(http), std::move(service),
                                           include_tags);
}

HttpArtifactUrls HttpArtifactUrlsFrom(const json& config_source) {
  return {.manifest = StringAt(config_source, "dbtManifestHttpPath"),
          .run_results = StringAt(config_source, "dbtRunResultsHttpPath"),
          .catalog = StringAt(config_source, "dbtCatalogHttpPath"),
          .sources = StringAt(config_source, "dbtSourcesHttpPath")};
}

BucketSpec BucketSpecFrom(const json& config_source) {
  BucketSpec spec = StringAt(config_source, "dbtConfigType") == "gcs" ? GcsSpecFrom(config_source)
                                                                      : S3SpecFrom(config_source);
  const json& prefix = config_source.at("dbtPrefixConfig");
  spec.location.bucket = StringAt(prefix, "dbtBucketName");
  spec.prefix = NormalizePrefix(StringAt(prefix, "dbtObjectPrefix"));
  return spec;
}

cloud::HttpClientOptions TransferOptionsFrom(const json& config_source) {
  cloud::HttpClientOptions options;
  options.stall_timeout = std::chrono::milliseconds(
      static_cast<std::int64_t>(config_source.value("stallTimeoutSeconds", 30.0) * 1000));
  options.max_attempts = config_source.value("maxAttempts", options.max_attempts);
  return options;
}

}  // namespace cairn::connectors::dbt
