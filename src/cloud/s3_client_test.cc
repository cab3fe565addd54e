#include "cloud/s3_client.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cloud/moto_server_test_util.h"
#include "core/error.h"

namespace cairn::cloud {
namespace {

namespace fs = std::filesystem;

class MotoS3Test : public testing::MotoServerTest {
 protected:
  S3Client Client(const std::string& bucket) const {
    return S3Client({.region = "us-east-1", .bucket = bucket, .endpoint = Url("")},
                    {.access_key_id = "testing", .secret_access_key = "testing"}, http_);
  }
};

TEST_F(MotoS3Test, ListsEveryKeyUnderAPrefixAcrossPages) {
  Boto3(
      "s3.create_bucket(Bucket='paged-artifacts')\n"
      "for i in range(1005):\n"
      "    s3.put_object(Bucket='paged-artifacts', Key=f'runs/{i:04d}/run_results.json', "
      "Body=b'{}')\n"
      "s3.put_object(Bucket='paged-artifacts', Key='other/manifest.json', Body=b'{}')\n");
  S3Client s3 = Client("paged-artifacts");
  std::vector<S3Object> all = s3.List("runs/");
  ASSERT_EQ(all.size(), 1005u);
  EXPECT_EQ(all.front().key, "runs/0000/run_results.json");
  EXPECT_EQ(all.back().key, "runs/1004/run_results.json");
  EXPECT_EQ(all.front().size, 2u);
  EXPECT_EQ(s3.List("runs/", 100).size(), 1005u);
  EXPECT_EQ(s3.List("").size(), 1006u);
  EXPECT_TRUE(s3.List("nothing/").empty());
}

TEST_F(MotoS3Test, HeadGetAndETagsFollowTheContent) {
  Boto3(
      "s3.create_bucket(Bucket='dbt-target')\n"
      "s3.put_object(Bucket='dbt-target', Key='prod/target/manifest.json',"
      " Body=b'{\"metadata\": {}}')\n");
  S3Client s3 = Client("dbt-target");
  std::optional<S3Object> head = s3.Head("prod/target/manifest.json");
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->size, 16u);
  EXPECT_EQ(head->etag, s3.List("prod/").at(0).etag);
  EXPECT_FALSE(s3.Head("prod/target/catalog.json").has_value());

  fs::path file = fs::temp_directory_path() / ("cairn_s3_" + std::to_string(::getpid()));
  S3Object got = s3.Download("prod/target/manifest.json", file);
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), R"({"metadata": {}})");
  EXPECT_EQ(got.etag, head->etag);

  Boto3(
      "s3.put_object(Bucket='dbt-target', Key='prod/target/manifest.json',"
      " Body=b'{\"metadata\": {}}')\n");
  EXPECT_EQ(s3.Head("prod/target/manifest.json")->etag, head->etag) << "same bytes, same ETag";
  Boto3(
      "s3.put_object(Bucket='dbt-target', Key='prod/target/manifest.json',"
      " Body=b'{\"metadata\": {\"v\": 2}}')\n");
  EXPECT_NE(s3.Head("prod/target/manifest.json")->etag, head->etag);
  fs::remove(file);
}

TEST_F(MotoS3Test, AMissingBucketOrKeySaysSo) {
  try {
    Client("no-such-bucket-here").List("target/");
    FAIL() << "listing a missing bucket must fail";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("no such bucket (HTTP 404, NoSuchBucket)"),
              std::string::npos)
        << error.what();
  }
  Boto3("s3.create_bucket(Bucket='empty-bucket')\n");
  EXPECT_THROW(Client("empty-bucket").Download("manifest.json", "/tmp/cairn_never_written"), Error);
  EXPECT_FALSE(fs::exists("/tmp/cairn_never_written"));
}

TEST(S3AddressingTest, VirtualHostedOnAwsPathStyleElsewhere) {
  HttpClient http;
  S3Client aws({.region = "eu-west-1", .bucket = "dbt-artifacts"}, {"a", "b", ""}, http);
  EXPECT_EQ(aws.Endpoint(), "https://dbt-artifacts.s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(aws.PathOf("prod/target/manifest.json"), "/prod/target/manifest.json");
  S3Client dotted({.region = "eu-west-1", .bucket = "dbt.artifacts"}, {"a", "b", ""}, http);
  EXPECT_EQ(dotted.Endpoint(), "https://s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(dotted.PathOf("a b/c.json"), "/dbt.artifacts/a%20b/c.json");
  S3Client gcs(
      {.region = "auto", .bucket = "dbt-artifacts", .endpoint = "https://storage.googleapis.com/"},
      {"a", "b", ""}, http);
  EXPECT_EQ(gcs.Endpoint(), "https://storage.googleapis.com");
  EXPECT_EQ(gcs.PathOf("target/manifest.json"), "/dbt-artifacts/target/manifest.json");
  EXPECT_FALSE(IsVirtualHostable("Upper"));
  EXPECT_FALSE(IsVirtualHostable("ab"));
}

TEST(S3ErrorTest, CodesBecomeReasons) {
  S3ErrorBody body = ParseS3Error(
      "<?xml version=\"1.0\"?><Error><Code>InvalidAccessKeyId</Code><Message>The AWS Access Key "
      "Id you provided does not exist</Message></Error>");
  EXPECT_EQ(body.code, "InvalidAccessKeyId");
  EXPECT_EQ(ClassifyS3Error(403, body.code), S3Failure::kBadCredentials);
  EXPECT_EQ(ClassifyS3Error(403, "SignatureDoesNotMatch"), S3Failure::kBadCredentials);
  EXPECT_EQ(ClassifyS3Error(403, "AccessDenied"), S3Failure::kAccessDenied);
  EXPECT_EQ(ClassifyS3Error(403, ""), S3Failure::kAccessDenied);
  EXPECT_EQ(ClassifyS3Error(404, "NoSuchBucket"), S3Failure::kNoSuchBucket);
  EXPECT_TRUE(ParseS3Error("not xml").code.empty());
}

}  // namespace
}  // namespace cairn::cloud
