#include "ingest/runs/bucket_settings.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <string_view>

#include "core/error.h"

namespace cairn::ingest {
namespace {

using nlohmann::json;

constexpr const char* kGcsEndpoint = "https://storage.googleapis.com";
constexpr std::array kFields = {
    "provider", "auth",        "bucket",        "prefix",
    "region",   "endpoint",    "access_key_id", "secret_access_key",
    "role_arn", "external_id", "sts_endpoint",  "sync_interval_minutes"};

[[noreturn]] void Invalid(std::string_view field, std::string_view problem) {
  throw Error(ErrorCode::kInvalidArgument, fmt::format("settings.bucket.{} {}", field, problem));
}

std::string StringField(const json& bucket, const char* field) {
  auto it = bucket.find(field);
  if (it == bucket.end() || it->is_null()) return "";
  if (!it->is_string()) Invalid(field, "must be a string");
  return it->get<std::string>();
}

std::string Required(const json& bucket, const char* field, std::string_view why) {
  std::string value = StringField(bucket, field);
  if (value.empty()) Invalid(field, fmt::format("is required {}", why));
  return value;
}

void RequireUrl(std::string_view field, const std::string& url) {
  if (!url.empty() && !url.starts_with("http://") && !url.starts_with("https://")) {
    Invalid(field, "must be an http:// or https:// URL");
  }
}

void RefuseUnknownFields(const json& bucket) {
  for (const auto& [key, value] : bucket.items()) {
    if (std::find(kFields.begin(), kFields.end(), key) == kFields.end()) {
      throw Error(
          ErrorCode::kInvalidArgument,
          fmt::format("unknown setting 'bucket.{}' (allowed: {})", key, fmt::join(kFields, ", ")));
    }
  }
}

BucketAuth ParseAuth(const json& bucket, const std::string& provider) {
  std::string auth = StringField(bucket, "auth");
  if (provider == "gcs") {
    if (!auth.empty() && auth != "hmac") Invalid("auth", "must be 'hmac' for provider gcs");
    return BucketAuth::kHmac;
  }
  if (auth.empty() || auth == "access_key") return BucketAuth::kAccessKey;
  if (auth == "assume_role") return BucketAuth::kAssumeRole;
  Invalid("auth", "must be 'access_key' or 'assume_role' for provider s3");
}

void ParseKeys(const json& bucket, BucketSettings& parsed) {
  const char* why = parsed.auth == BucketAuth::kHmac ? "(the HMAC key's access id and secret)"
                                                     : "(the access key and its secret)";
  if (parsed.auth == BucketAuth::kAssumeRole) {
    // Base keys are optional: without them the server's own credentials
    // (environment, shared file) assume the role.
    parsed.access_key_id = StringField(bucket, "access_key_id");
    parsed.secret_access_key = StringField(bucket, "secret_access_key");
    if (parsed.access_key_id.empty() != parsed.secret_access_key.empty()) {
      Invalid(parsed.access_key_id.empty() ? "access_key_id" : "secret_access_key",
              "is required with the other base key (or give neither to use the server's "
              "credentials)");
    }
    return;
  }
  parsed.access_key_id = Required(bucket, "access_key_id", why);
  parsed.secret_access_key = Required(bucket, "secret_access_key", why);
}

void ParseRole(const json& bucket, BucketSettings& parsed, bool require_external_id) {
  if (parsed.auth != BucketAuth::kAssumeRole) {
    for (const char* field : {"role_arn", "external_id", "sts_endpoint"}) {
      if (!StringField(bucket, field).empty()) Invalid(field, "is only for auth 'assume_role'");
    }
    return;
  }
  parsed.role_arn = Required(bucket, "role_arn", "for auth 'assume_role'");
  if (!parsed.role_arn.starts_with("arn:")) {
    Invalid("role_arn", "must be a role ARN (arn:aws:iam::ACCOUNT:role/NAME)");
  }
  parsed.external_id = StringField(bucket, "external_id");
  if (require_external_id && parsed.external_id.empty()) {
    Invalid("external_id", "is missing: Cairn generates it when the integration is created");
  }
  parsed.sts_endpoint = StringField(bucket, "sts_endpoint");
  RequireUrl("sts_endpoint", parsed.sts_endpoint);
}

BucketSettings ParseBucket(const json& bucket, bool require_external_id) {
  if (!bucket.is_object()) {
    throw Error(ErrorCode::kInvalidArgument, "settings.bucket must be a JSON object");
  }
  RefuseUnknownFields(bucket);
  BucketSettings parsed;
  parsed.provider = Required(bucket, "provider", "('s3' or 'gcs')");
  if (parsed.provider != "s3" && parsed.provider != "gcs")
    Invalid("provider", "must be 's3' or 'gcs'");
  parsed.auth = ParseAuth(bucket, parsed.provider);
  parsed.bucket = Required(bucket, "bucket", "(the bucket's name)");
  if (parsed.bucket.find('/') != std::string::npos) {
    Invalid("bucket", "must be a bucket name without '/' (put the path in prefix)");
  }
  parsed.prefix = StringField(bucket, "prefix");
  if (parsed.prefix.starts_with('/')) Invalid("prefix", "must not start with '/'");
  parsed.region = StringField(bucket, "region");
  parsed.endpoint = StringField(bucket, "endpoint");
  RequireUrl("endpoint", parsed.endpoint);
  if (parsed.provider == "gcs") {
    if (!parsed.region.empty() && parsed.region != "auto")
      Invalid("region", "must be 'auto' for gcs");
    parsed.region = "auto";
    if (parsed.endpoint.empty()) parsed.endpoint = kGcsEndpoint;
  } else if (parsed.region.empty()) {
    parsed.region = "us-east-1";
  }
  ParseKeys(bucket, parsed);
  ParseRole(bucket, parsed, require_external_id);
  parsed.sync_interval = SyncIntervalOf(bucket, "bucket");
  return parsed;
}

}  // namespace

std::chrono::seconds SyncIntervalOf(const json& object, std::string_view where) {
  auto it = object.find("sync_interval_minutes");
  if (it == object.end() || it->is_null()) return BucketSettings::kDefaultSyncInterval;
  constexpr std::int64_t kMinMinutes = BucketSettings::kMinSyncInterval.count() / 60;
  constexpr std::int64_t kMaxMinutes = std::int64_t{366} * 1440;  // a year
  if (!it->is_number_integer() || it->get<std::int64_t>() < kMinMinutes ||
      it->get<std::int64_t>() > kMaxMinutes) {
    throw Error(ErrorCode::kInvalidArgument,
                fmt::format("settings.{}.sync_interval_minutes must be a whole number of minutes "
                            "from {} to {} (default 1440, daily)",
                            where, kMinMinutes, kMaxMinutes));
  }
  return std::chrono::minutes(it->get<std::int64_t>());
}

std::optional<BucketSettings> ParseBucketSettings(const json& settings, bool require_external_id) {
  auto it = settings.find("bucket");
  if (it == settings.end() || it->is_null()) return std::nullopt;
  return ParseBucket(*it, require_external_id);
}

std::optional<BucketSettings> BucketSettingsOf(const std::string& settings_json) {
  json settings = json::parse(settings_json, nullptr, false);
  if (!settings.is_object()) return std::nullopt;
  return ParseBucketSettings(settings);
}

std::string PrepareNewSettings(const std::string& settings_json, const std::string& external_id) {
  json settings = json::parse(settings_json, nullptr, false);
  if (!settings.is_object() || !settings.contains("bucket") || !settings["bucket"].is_object()) {
    return settings_json;
  }
  json& bucket = settings["bucket"];
  if (bucket.contains("external_id")) {
    Invalid("external_id",
            "is chosen by Cairn: leave it out, and read it from the created "
            "integration to put in the role's trust policy");
  }
  if (bucket.value("auth", "") == "assume_role") bucket["external_id"] = external_id;
  return settings.dump();
}

std::string PatchedSettings(const std::string& stored_json, const std::string& patch_json,
                            const std::string& new_external_id) {
  json patch = json::parse(patch_json, nullptr, false);
  if (!patch.is_object()) {
    throw Error(ErrorCode::kInvalidArgument, "'settings' must be a JSON object");
  }
  if (patch.contains("bucket") && patch["bucket"].is_object() &&
      patch["bucket"].contains("external_id")) {
    Invalid("external_id", "is chosen by Cairn and cannot be changed");
  }
  json settings = json::parse(stored_json, nullptr, false);
  if (!settings.is_object()) settings = json::object();
  settings.merge_patch(patch);
  if (settings.contains("bucket") && settings["bucket"].is_object()) {
    json& bucket = settings["bucket"];
    if (bucket.value("auth", "") == "assume_role") {
      if (!bucket.contains("external_id")) bucket["external_id"] = new_external_id;
    } else {
      bucket.erase("external_id");
    }
  }
  return settings.dump();
}

json RedactedSettings(const std::string& settings_json) {
  json settings = json::parse(settings_json, nullptr, false);
  if (settings.is_discarded()) return json::object();
  if (settings.contains("bucket") && settings["bucket"].is_object()) {
    json& bucket = settings["bucket"];
    bool set = bucket.contains("secret_access_key") && bucket["secret_access_key"].is_string() &&
               !bucket["secret_access_key"].get<std::string>().empty();
    bucket.erase("secret_access_key");
    bucket["secret_access_key_set"] = set;
  }
  return settings;
}

connectors::dbt::BucketSpec SpecOf(const BucketSettings& settings) {
  connectors::dbt::BucketSpec spec;
  spec.location = cloud::S3Location{.region = settings.region,
                                    .bucket = settings.bucket,
                                    .endpoint = settings.endpoint,
                                    .force_path_style = !settings.endpoint.empty(),
                                    .scheme = settings.provider == "gcs" ? "gs" : "s3"};
  spec.prefix = settings.prefix;
  spec.credentials.explicit_keys = cloud::AwsCredentials{
      .access_key_id = settings.access_key_id, .secret_access_key = settings.secret_access_key};
  if (settings.auth == BucketAuth::kAssumeRole) {
    spec.assume_role = cloud::AssumeRoleRequest{
        .role_arn = settings.role_arn,
        .session_name = "cairn-bucket-sync",
        .external_id = settings.external_id,
        .region = settings.region == "auto" ? "us-east-1" : settings.region,
        .sts_endpoint = settings.sts_endpoint};
  }
  return spec;
}

const char* BucketAuthName(BucketAuth auth) {
  switch (auth) {
    case BucketAuth::kAccessKey:
      return "access_key";
    case BucketAuth::kAssumeRole:
      return "assume_role";
    case BucketAuth::kHmac:
      return "hmac";
  }
  return "";
}

}  // namespace cairn::ingest
