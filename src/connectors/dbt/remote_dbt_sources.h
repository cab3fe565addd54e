#pragma once

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "cloud/http_client.h"
#include "connectors/dbt/bucket_artifacts.h"
#include "connectors/source.h"
#include "dbt/project.h"

// dbtConfigSource http, s3 and gcs (schemas/connectors/dbt/*.json): the
// artifacts are streamed into a temporary directory, removed with the
// source, and read there as local files. Errors name the URL or object the
// bad bytes came from, never the temporary path.
namespace cairn::connectors::dbt {

// The URL of each artifact (manifest required, the others optional).
using HttpArtifactUrls = cairn::dbt::ArtifactPaths;

// Each URL is fetched with a plain GET. Its fingerprint is that of the
// downloaded bytes: an unchanged project is downloaded, but neither parsed
// nor written again.
std::unique_ptr<Source> MakeHttpDbtSource(HttpArtifactUrls urls, cloud::HttpClientOptions http,
                                          std::string service, bool include_tags);

// The bucket is listed once; the fingerprint is made of the listed ETags and
// sizes, so an unchanged project costs that one listing and no download.
std::unique_ptr<Source> MakeBucketDbtSource(BucketSpec bucket, cloud::HttpClientOptions http,
                                            std::string service, bool include_tags);

// From a validated dbtConfigSource. Throw kInvalidConfig (with the JSON path)
// or kUnsupported for what the schema cannot say: keys given by halves, GCS
// service-account credentials.
HttpArtifactUrls HttpArtifactUrlsFrom(const nlohmann::json& dbt_config_source);
BucketSpec BucketSpecFrom(const nlohmann::json& dbt_config_source);
cloud::HttpClientOptions TransferOptionsFrom(const nlohmann::json& dbt_config_source);

}  // namespace cairn::connectors::dbt
