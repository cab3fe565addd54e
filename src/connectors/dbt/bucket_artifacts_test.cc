#include "connectors/dbt/bucket_artifacts.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "cloud/moto_server_test_util.h"
#include "core/error.h"

namespace cairn::connectors::dbt {
namespace {

namespace fs = std::filesystem;
using cloud::S3Object;

S3Object Object(std::string key, std::string modified = "2026-12-01T00:00:00.000Z") {
  return {.key = std::move(key), .etag = "\"e\"", .last_modified = std::move(modified), .size = 2};
}

TEST(FindArtifactsTest, ReadsTheDirectoryWithTheManifest) {
  std::vector<S3Object> listed = {
      Object("ci/target/manifest.json"), Object("ci/target/run_results.json"),
      Object("ci/target/catalog.json"),  Object("ci/target/sources.json"),
      Object("ci/target/graph.gpickle"), Object("ci/logs/dbt.log")};
  BucketArtifacts found = FindArtifacts(listed, "ci", "s3://b/ci/");
  EXPECT_EQ(found.directory, "ci/target/");
  EXPECT_EQ(found.manifest.key, "ci/target/manifest.json");
  ASSERT_TRUE(found.run_results && found.catalog && found.sources);
  EXPECT_EQ(found.catalog->key, "ci/target/catalog.json");
  EXPECT_EQ(found.objects_listed, 6u);
  EXPECT_EQ(found.Objects().size(), 4u);
  EXPECT_TRUE(found.warnings.empty());
}

TEST(FindArtifactsTest, FileNamesMatchInAnyCaseAndOptionalOnesMayBeMissing) {
  BucketArtifacts found = FindArtifacts({Object("Manifest.JSON")}, "", "s3://b/");
  EXPECT_EQ(found.directory, "");
  EXPECT_EQ(found.manifest.key, "Manifest.JSON");
  EXPECT_FALSE(found.run_results || found.catalog || found.sources);
}

TEST(FindArtifactsTest, OfSeveralProjectsThePrefixItselfWinsThenTheNewest) {
  std::vector<S3Object> listed = {Object("a/manifest.json", "2026-12-02T00:00:00.000Z"),
                                  Object("a/b/manifest.json", "2026-12-03T00:00:00.000Z"),
                                  Object("a/c/manifest.json", "2026-12-01T00:00:00.000Z")};
  BucketArtifacts at_prefix = FindArtifacts(listed, "a/", "s3://b/a/");
  EXPECT_EQ(at_prefix.directory, "a/");
  ASSERT_EQ(at_prefix.warnings.size(), 2u);
  EXPECT_NE(at_prefix.warnings[0].find("a/b/manifest.json is another dbt project"),
            std::string::npos)
      << at_prefix.warnings[0];

  listed.erase(listed.begin());
  EXPECT_EQ(FindArtifacts(listed, "a/", "s3://b/a/").directory, "a/b/");
}

TEST(FindArtifactsTest, RunResultsPrefersTheExactNameElseTheNewest) {
  std::vector<S3Object> listed = {Object("t/manifest.json"),
                                  Object("t/run_results_build.json", "2026-12-02T00:00:00.000Z"),
                                  Object("t/run_results_test.json", "2026-12-03T00:00:00.000Z")};
  BucketArtifacts found = FindArtifacts(listed, "t", "s3://b/t/");
  ASSERT_TRUE(found.run_results);
  EXPECT_EQ(found.run_results->key, "t/run_results_test.json");
  ASSERT_EQ(found.warnings.size(), 1u);
  EXPECT_NE(found.warnings[0].find("t/run_results_build.json was not read"), std::string::npos);

  listed.push_back(Object("t/run_results.json", "2026-11-01T00:00:00.000Z"));
  EXPECT_EQ(FindArtifacts(listed, "t", "s3://b/t/").run_results->key, "t/run_results.json");
}

TEST(FindArtifactsTest, NoManifestSaysWhereItLookedAndWhatItSaw) {
  try {
    FindArtifacts({Object("t/run_results.json"), Object("other/manifest.json")}, "t",
                  "s3://dbt-ci/t/");
    FAIL() << "no manifest under the prefix";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kNotFound);
    EXPECT_NE(std::string(error.what()).find("no manifest.json under s3://dbt-ci/t/ (2 objects"),
              std::string::npos)
        << error.what();
  }
}

TEST(NormalizePrefixTest, AddsTheTrailingSlashOnce) {
  EXPECT_EQ(NormalizePrefix(""), "");
  EXPECT_EQ(NormalizePrefix("ci/target"), "ci/target/");
  EXPECT_EQ(NormalizePrefix("ci/target/"), "ci/target/");
}

class ArtifactBucketTest : public cloud::testing::MotoServerTest {
 protected:
  BucketSpec Spec(const std::string& bucket, const std::string& prefix) const {
    return {.location = {.bucket = bucket, .endpoint = Url("")},
            .prefix = prefix,
            .credentials = {.explicit_keys = {"testing", "testing", ""}}};
  }

  static std::string Read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
};

TEST_F(ArtifactBucketTest, FindsTheProjectAmongMoreThanAThousandKeysAndDownloadsIt) {
  Boto3(
      "s3.create_bucket(Bucket='ci-artifacts')\n"
      "for i in range(1100):\n"
      "    s3.put_object(Bucket='ci-artifacts', Key=f'prod/logs/{i:04d}.log', Body=b'x')\n"
      "s3.put_object(Bucket='ci-artifacts', Key='prod/target/manifest.json', Body=b'{\"m\": 1}')\n"
      "s3.put_object(Bucket='ci-artifacts', Key='prod/target/catalog.json', Body=b'{\"c\": 1}')\n");
  ArtifactBucket bucket(Spec("ci-artifacts", "prod"), http_);
  EXPECT_EQ(bucket.Where(), "s3://ci-artifacts/prod/");
  BucketArtifacts found = bucket.List();
  EXPECT_EQ(found.objects_listed, 1102u);
  EXPECT_EQ(found.directory, "prod/target/");
  ASSERT_TRUE(found.catalog);
  EXPECT_FALSE(found.run_results);

  fs::path dir = fs::temp_directory_path() / ("cairn_bucket_" + std::to_string(::getpid()));
  cairn::dbt::ArtifactPaths paths = bucket.DownloadAll(found, dir);
  EXPECT_EQ(Read(paths.manifest), R"({"m": 1})");
  EXPECT_EQ(Read(paths.catalog), R"({"c": 1})");
  EXPECT_TRUE(paths.run_results.empty());
  fs::remove_all(dir);
}

TEST_F(ArtifactBucketTest, ListsThroughAnAssumedRole) {
  Boto3(
      "s3.create_bucket(Bucket='role-artifacts')\n"
      "s3.put_object(Bucket='role-artifacts', Key='manifest.json', Body=b'{}')\n");
  BucketSpec spec = Spec("role-artifacts", "");
  spec.assume_role =
      cloud::AssumeRoleRequest{.role_arn = "arn:aws:iam::123456789012:role/cairn-reader",
                               .external_id = "cairn-ext-123",
                               .sts_endpoint = Url("")};
  ArtifactBucket bucket(spec, http_);
  EXPECT_EQ(bucket.credential_source(),
            "config, assuming arn:aws:iam::123456789012:role/cairn-reader");
  EXPECT_EQ(bucket.List().manifest.key, "manifest.json");
}

TEST_F(ArtifactBucketTest, AnEmptyPrefixOrMissingBucketFailsClearly) {
  Boto3("s3.create_bucket(Bucket='empty-artifacts')\n");
  ArtifactBucket empty(Spec("empty-artifacts", "ci/"), http_);
  try {
    empty.List();
    FAIL() << "nothing under the prefix";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("no manifest.json under s3://empty-artifacts/ci/"),
              std::string::npos)
        << error.what();
  }
  ArtifactBucket missing(Spec("no-such-artifacts", "ci/"), http_);
  try {
    missing.List();
    FAIL() << "no such bucket";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("no such bucket"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace cairn::connectors::dbt
