#include "ingest/runs/bucket_settings.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace cairn::ingest {
namespace {

using nlohmann::json;

constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY";

json S3Keys() {
  return {{"bucket",
           {{"provider", "s3"},
            {"bucket", "ci-artifacts"},
            {"prefix", "dbt/target"},
            {"access_key_id", "AKIAEXAMPLE"},
            {"secret_access_key", kSecret}}}};
}

std::string ErrorOf(const json& settings) {
  try {
    ParseBucketSettings(settings);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    return e.what();
  }
  return "";
}

TEST(BucketSettingsTest, AnS3BucketWithKeysTakesTheDefaults) {
  std::optional<BucketSettings> parsed = ParseBucketSettings(S3Keys());
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->auth, BucketAuth::kAccessKey);
  EXPECT_EQ(parsed->region, "us-east-1");
  EXPECT_EQ(parsed->endpoint, "");
  EXPECT_EQ(parsed->sync_interval, std::chrono::hours(24));
  connectors::dbt::BucketSpec spec = SpecOf(*parsed);
  EXPECT_EQ(spec.location.bucket, "ci-artifacts");
  EXPECT_FALSE(spec.location.force_path_style);
  EXPECT_EQ(spec.credentials.explicit_keys.secret_access_key, kSecret);
  EXPECT_FALSE(spec.assume_role);
}

TEST(BucketSettingsTest, NoBucketIsAnUploadIntegration) {
  EXPECT_FALSE(ParseBucketSettings(json{{"service", "shop"}}));
  EXPECT_FALSE(BucketSettingsOf(R"({"service": "shop"})"));
}

TEST(BucketSettingsTest, GcsUsesItsS3CompatibleEndpointWithHmacKeys) {
  json settings = S3Keys();
  settings["bucket"]["provider"] = "gcs";
  std::optional<BucketSettings> parsed = ParseBucketSettings(settings);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->auth, BucketAuth::kHmac);
  EXPECT_EQ(parsed->endpoint, "https://storage.googleapis.com");
  EXPECT_EQ(parsed->region, "auto");
  EXPECT_TRUE(SpecOf(*parsed).location.force_path_style);
  settings["bucket"]["auth"] = "assume_role";
  EXPECT_EQ(ErrorOf(settings), "settings.bucket.auth must be 'hmac' for provider gcs");
}

TEST(BucketSettingsTest, ErrorsNameTheFieldAndNeverQuoteASecret) {
  auto with = [](const char* field, json value) {
    json settings = S3Keys();
    settings["bucket"][field] = std::move(value);
    return ErrorOf(settings);
  };
  EXPECT_EQ(with("provider", "azure"), "settings.bucket.provider must be 's3' or 'gcs'");
  EXPECT_EQ(with("bucket", ""), "settings.bucket.bucket is required (the bucket's name)");
  EXPECT_EQ(with("endpoint", "localhost:9000"),
            "settings.bucket.endpoint must be an http:// or https:// URL");
  EXPECT_EQ(with("secret_access_key", 42), "settings.bucket.secret_access_key must be a string");
  EXPECT_EQ(with("sync_interval_minutes", 1),
            "settings.bucket.sync_interval_minutes must be a whole number of minutes from 5 to "
            "527040 (default 1440, daily)");
  EXPECT_EQ(with("role_arn", "arn:aws:iam::1:role/x"),
            "settings.bucket.role_arn is only for auth 'assume_role'");
  std::string unknown = with("secret", kSecret);
  EXPECT_TRUE(unknown.starts_with("unknown setting 'bucket.secret' (allowed: provider,"))
      << unknown;
  EXPECT_EQ(unknown.find(kSecret), std::string::npos);
  json settings = S3Keys();
  settings["bucket"].erase("secret_access_key");
  EXPECT_EQ(ErrorOf(settings),
            "settings.bucket.secret_access_key is required (the access key and its secret)");
}

TEST(BucketSettingsTest, RoleAuthGetsItsExternalIdFromCairn) {
  json settings = {{"bucket",
                    {{"provider", "s3"},
                     {"auth", "assume_role"},
                     {"bucket", "b"},
                     {"role_arn", "arn:aws:iam::123456789012:role/cairn-reader"}}}};
  EXPECT_EQ(ErrorOf(settings),
            "settings.bucket.external_id is missing: Cairn generates it when the integration is "
            "created");
  EXPECT_TRUE(ParseBucketSettings(settings, /*require_external_id=*/false));

  json prepared = json::parse(PrepareNewSettings(settings.dump(), "ext-123"));
  std::optional<BucketSettings> parsed = ParseBucketSettings(prepared);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->external_id, "ext-123");
  connectors::dbt::BucketSpec spec = SpecOf(*parsed);
  ASSERT_TRUE(spec.assume_role);
  EXPECT_EQ(spec.assume_role->external_id, "ext-123");
  EXPECT_EQ(spec.assume_role->role_arn, "arn:aws:iam::123456789012:role/cairn-reader");

  EXPECT_THROW(PrepareNewSettings(prepared.dump(), "ext-456"), Error);  // clients cannot choose it
  settings["bucket"]["access_key_id"] = "AKIAEXAMPLE";
  EXPECT_EQ(ErrorOf(json::parse(PrepareNewSettings(settings.dump(), "e"))),
            "settings.bucket.secret_access_key is required with the other base key (or give "
            "neither to use the server's credentials)");
}

TEST(BucketSettingsTest, AChangeIsAMergePatchThatKeepsTheExternalId) {
  std::string stored = S3Keys().dump();
  json rotated = json::parse(
      PatchedSettings(stored, R"({"bucket": {"secret_access_key": "new-secret"}})", "unused"));
  EXPECT_EQ(rotated["bucket"]["secret_access_key"], "new-secret");
  EXPECT_EQ(rotated["bucket"]["access_key_id"], "AKIAEXAMPLE") << "left out, so kept";
  EXPECT_FALSE(rotated["bucket"].contains("external_id"));

  json role = json::parse(
      PatchedSettings(stored,
                      R"({"bucket": {"auth": "assume_role", "role_arn": "arn:aws:iam::1:role/r",
                     "access_key_id": null, "secret_access_key": null}})",
                      "ext-1"));
  EXPECT_EQ(role["bucket"]["external_id"], "ext-1");
  EXPECT_FALSE(role["bucket"].contains("access_key_id")) << "null removes";
  json again = json::parse(PatchedSettings(role.dump(), R"({"bucket": {"prefix": "p"}})", "ext-2"));
  EXPECT_EQ(again["bucket"]["external_id"], "ext-1") << "the external id stays";

  EXPECT_THROW(PatchedSettings(stored, R"({"bucket": {"external_id": "mine"}})", "e"), Error);
  EXPECT_THROW(PatchedSettings(stored, "[1]", "e"), Error);
}

TEST(BucketSettingsTest, TheApiShowsThatASecretIsSetButNotTheSecret) {
  json redacted = RedactedSettings(S3Keys().dump());
  EXPECT_EQ(redacted["bucket"]["secret_access_key_set"], true);
  EXPECT_FALSE(redacted["bucket"].contains("secret_access_key"));
  EXPECT_EQ(redacted["bucket"]["access_key_id"], "AKIAEXAMPLE");
  EXPECT_EQ(redacted.dump().find(kSecret), std::string::npos);
  EXPECT_EQ(RedactedSettings(R"({"service": "shop"})"), json({{"service", "shop"}}));
}

}  // namespace
}  // namespace cairn::ingest
