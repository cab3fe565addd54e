#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cloud/aws_credentials.h"
#include "cloud/http_client.h"
#include "cloud/s3_client.h"
#include "dbt/project.h"

// dbt's target/ files in a bucket (S3, or GCS through its S3-compatible
// API): where CI writes them, and where Cairn finds them with one listing.
// Shared by the workflow sources (dbtConfigSource s3/gcs) and the server's
// scheduled bucket syncs, which compare the listed ETags with the last sync's
// and download only what changed.
namespace cairn::connectors::dbt {

// How to reach the bucket.
struct BucketSpec {
  cloud::S3Location location;
  // Where to look; a trailing '/' is added when missing (OpenMetadata's rule).
  std::string prefix;
  // Keys given in the config, else the standard chain.
  cloud::CredentialSources credentials;
  // When set, `credentials` are only used to assume this role.
  std::optional<cloud::AssumeRoleRequest> assume_role;
};

// The dbt artifacts of one listing. `directory` is the key prefix of the
// directory that holds manifest.json ("" for the bucket's root).
struct BucketArtifacts {
  std::string directory;
  cloud::S3Object manifest;
  std::optional<cloud::S3Object> run_results;
  std::optional<cloud::S3Object> catalog;
  std::optional<cloud::S3Object> sources;
  std::size_t objects_listed = 0;
  std::vector<std::string> warnings;  // other projects or run results that were not read

  // The found objects, manifest first.
  std::vector<const cloud::S3Object*> Objects() const;
};

// "prefix/" for a non-empty prefix without its slash; "" stays "".
std::string NormalizePrefix(const std::string& prefix);

// Chooses the dbt project among the objects listed under `prefix`. A
// directory is a project when it holds manifest.json (any case); of several,
// the one at the prefix itself, then its target/, then the newest manifest,
// with a warning naming the others. In that directory: catalog.json and
// sources.json, and run_results.json or else the newest file whose name
// contains "run_results". Throws kNotFound naming `where` when no manifest
// is listed.
BucketArtifacts FindArtifacts(const std::vector<cloud::S3Object>& objects,
                              const std::string& prefix, const std::string& where);

// A bucket of dbt artifacts. Credentials are resolved when it is made
// (kInvalidArgument when none are found); an assumed role's are renewed
// before they expire. Not thread-safe: one per sync.
class ArtifactBucket {
 public:
  ArtifactBucket(BucketSpec spec, const cloud::HttpClient& http);
  ~ArtifactBucket();
  ArtifactBucket(const ArtifactBucket&) = delete;
  ArtifactBucket& operator=(const ArtifactBucket&) = delete;

  // One paginated ListObjectsV2 of the prefix, then FindArtifacts.
  BucketArtifacts List();

  // Streams `object` to `path` (replaced); its metadata as the GET gave it.
  cloud::S3Object Download(const cloud::S3Object& object, const std::filesystem::path& path);

  // Downloads every artifact found into `directory` under dbt's file names.
  cairn::dbt::ArtifactPaths DownloadAll(const BucketArtifacts& found,
                                        const std::filesystem::path& directory);

  // "s3://bucket/prefix/" (or gs://) for messages.
  std::string Where() const;
  // Where the credentials came from ("config", "environment", ...) and the
  // role when one is assumed; never the keys.
  const std::string& credential_source() const { return session_.source(); }
  const BucketSpec& spec() const { return spec_; }

 private:
  cloud::S3Client Client();

  BucketSpec spec_;
  const cloud::HttpClient& http_;
  cloud::AwsSession session_;
};

}  // namespace cairn::connectors::dbt
