#include "cloud/aws_credentials.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "core/error.h"
#include "core/timestamp.h"

namespace cairn::cloud {
namespace {

namespace fs = std::filesystem;
namespace pt = boost::property_tree;

std::string Trim(std::string_view text) {
  std::size_t start = text.find_first_not_of(" \t\r");
  if (start == std::string_view::npos) return "";
  std::size_t end = text.find_last_not_of(" \t\r");
  return std::string(text.substr(start, end - start + 1));
}

std::string EnvOr(const EnvLookup& env, const std::string& name, std::string fallback) {
  std::optional<std::string> value = env(name);
  return value && !value->empty() ? *value : std::move(fallback);
}

fs::path AwsFile(const EnvLookup& env, const std::string& override_name, const char* name) {
  if (std::optional<std::string> path = env(override_name); path && !path->empty()) return *path;
  return fs::path(EnvOr(env, "HOME", "/root")) / ".aws" / name;
}

std::string FormField(std::string_view name, std::string_view value) {
  return fmt::format("{}={}", name, UriEncode(value, false));
}

}  // namespace

EnvLookup ProcessEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());  // NOLINT(concurrency-mt-unsafe): read-only
    return value ? std::optional<std::string>(value) : std::nullopt;
  };
}

std::optional<AwsCredentials> CredentialsFromIni(const fs::path& file, const std::string& profile,
                                                 bool config_file) {
  std::ifstream in(file);
  if (!in) return std::nullopt;
  std::string wanted = config_file && profile != "default" ? "profile " + profile : profile;
  AwsCredentials keys;
  bool in_section = false;
  bool found = false;
  for (std::string line; std::getline(in, line);) {
    std::string text = Trim(line);
    if (text.empty() || text[0] == '#' || text[0] == ';') continue;
    if (text.front() == '[' && text.back() == ']') {
      in_section = Trim(std::string_view(text).substr(1, text.size() - 2)) == wanted;
      found = found || in_section;
      continue;
    }
    std::size_t equals = text.find('=');
    if (!in_section || equals == std::string::npos) continue;
    std::string key = Trim(std::string_view(text).substr(0, equals));
    std::string value = Trim(std::string_view(text).substr(equals + 1));
    if (key == "aws_access_key_id") keys.access_key_id = value;
    if (key == "aws_secret_access_key") keys.secret_access_key = value;
    if (key == "aws_session_token") keys.session_token = value;
  }
  if (!found || keys.access_key_id.empty() || keys.secret_access_key.empty()) return std::nullopt;
  return keys;
}

ResolvedCredentials ResolveCredentials(const CredentialSources& sources) {
  const AwsCredentials& given = sources.explicit_keys;
  if (!given.access_key_id.empty() || !given.secret_access_key.empty()) {
    if (given.access_key_id.empty() || given.secret_access_key.empty()) {
      throw Error(ErrorCode::kInvalidArgument,
                  "AWS credentials need both an access key id and a secret access key");
    }
    return {given, "config"};
  }
  const EnvLookup& env = sources.env;
  // An explicitly named profile wins over the environment's keys, as in botocore.
  if (sources.profile.empty()) {
    std::string id = EnvOr(env, "AWS_ACCESS_KEY_ID", "");
    std::string secret = EnvOr(env, "AWS_SECRET_ACCESS_KEY", "");
    if (!id.empty() && !secret.empty()) {
      std::string token = EnvOr(env, "AWS_SESSION_TOKEN", EnvOr(env, "AWS_SECURITY_TOKEN", ""));
      return {{id, secret, token}, "environment"};
    }
  }
  std::string profile =
      sources.profile.empty()
          ? EnvOr(env, "AWS_PROFILE", EnvOr(env, "AWS_DEFAULT_PROFILE", "default"))
          : sources.profile;
  fs::path credentials_file = AwsFile(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
  if (auto keys = CredentialsFromIni(credentials_file, profile, false)) {
    return {*keys, fmt::format("{} [{}]", credentials_file.string(), profile)};
  }
  fs::path config_file = AwsFile(env, "AWS_CONFIG_FILE", "config");
  if (auto keys = CredentialsFromIni(config_file, profile, true)) {
    return {*keys, fmt::format("{} [{}]", config_file.string(), profile)};
  }
  throw Error(
      ErrorCode::kInvalidArgument,
      fmt::format(
          "no AWS credentials: none in the config, {}in {} or {} (profile '{}')",
          sources.profile.empty() ? "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY unset, none " : "",
          credentials_file.string(), config_file.string(), profile));
}

// A RoleSessionName or SourceIdentity: 2-64 of [\w+=,.@-].
bool IsStsName(const std::string& name) {
  return name.size() >= 2 && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) ||
                  std::string_view("_+=,.@-").find(c) != std::string_view::npos;
         });
}

// STS's own limits (its model's shapes), checked here so that a bad config
// fails with what is wrong rather than with a refusal from the service.
void CheckAssumeRole(const AssumeRoleRequest& request) {
  auto fail = [&](const std::string& what) {
    throw Error(ErrorCode::kInvalidArgument,
                fmt::format("assuming role {}: {}", request.role_arn, what));
  };
  if (!request.role_arn.starts_with("arn:") || request.role_arn.size() < 20) {
    fail("the role must be an ARN (arn:aws:iam::ACCOUNT:role/NAME)");
  }
  if (!IsStsName(request.session_name)) {
    fail("the session name must be 2-64 characters of letters, digits and _+=,.@-");
  }
  if (!request.source_identity.empty() && !IsStsName(request.source_identity)) {
    fail("the source identity must be 2-64 characters of letters, digits and _+=,.@-");
  }
  if (request.duration < std::chrono::seconds(900) || request.duration > std::chrono::hours(12)) {
    fail("the duration must be 900 to 43200 seconds");
  }
  if (!request.external_id.empty() &&
      (request.external_id.size() < 2 || request.external_id.size() > 1224)) {
    fail("the external id must be 2-1224 characters");
  }
}

TemporaryCredentials AssumeRole(const HttpClient& http, const AwsCredentials& base,
                                const AssumeRoleRequest& request) {
  CheckAssumeRole(request);
  std::vector<std::string> fields = {
      "Action=AssumeRole", "Version=2011-06-15", FormField("RoleArn", request.role_arn),
      FormField("RoleSessionName", request.session_name),
      FormField("DurationSeconds", std::to_string(request.duration.count()))};
  if (!request.external_id.empty()) fields.push_back(FormField("ExternalId", request.external_id));
  if (!request.source_identity.empty()) {
    fields.push_back(FormField("SourceIdentity", request.source_identity));
  }
  std::string body = fmt::format("{}", fmt::join(fields, "&"));
  std::string endpoint = request.sts_endpoint.empty()
                             ? fmt::format("https://sts.{}.amazonaws.com", request.region)
                             : request.sts_endpoint;
  while (endpoint.ends_with('/')) endpoint.pop_back();
  HttpRequestToSign to_sign{
      .method = "POST",
      .endpoint = endpoint,
      .headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}},
      .payload = body};
  HttpResponse response = http.Send({.method = "POST", .body = body}, [&](HttpRequest& attempt) {
    SignedRequest signed_request = SignV4(
        to_sign, base,
        {.region = request.region, .service = "sts", .time = std::chrono::system_clock::now()});
    attempt.url = signed_request.url;
    attempt.headers = signed_request.headers;
  });
  std::string what = fmt::format("assuming role {}", request.role_arn);
  pt::ptree tree;
  std::istringstream in(response.body);
  try {
    pt::read_xml(in, tree, pt::xml_parser::no_comments);
  } catch (const pt::xml_parser_error&) {
    throw Error(ErrorCode::kIo,
                fmt::format("{}: STS answered HTTP {} without XML", what, response.status));
  }
  if (response.status != 200) {
    throw Error(
        ErrorCode::kIo,
        fmt::format("{}: {} (HTTP {}, {})", what,
                    tree.get<std::string>("ErrorResponse.Error.Message", "refused"),
                    response.status, tree.get<std::string>("ErrorResponse.Error.Code", "no code")));
  }
  const pt::ptree& credentials = tree.get_child("AssumeRoleResponse.AssumeRoleResult.Credentials");
  std::string expiration = credentials.get<std::string>("Expiration", "");
  std::optional<std::chrono::system_clock::time_point> expires = ParseUtcTimestamp(expiration);
  if (!expires) {
    throw Error(ErrorCode::kParse, fmt::format("{}: unreadable Expiration '{}'", what, expiration));
  }
  return {.credentials = {credentials.get<std::string>("AccessKeyId"),
                          credentials.get<std::string>("SecretAccessKey"),
                          credentials.get<std::string>("SessionToken", "")},
          .expiration = *expires};
}

AssumedRole::AssumedRole(const HttpClient& http, AwsCredentials base, AssumeRoleRequest request,
                         std::chrono::seconds refresh_margin, Clock clock)
    : http_(http),
      base_(std::move(base)),
      request_(std::move(request)),
      refresh_margin_(refresh_margin),
      clock_(std::move(clock)) {}

AwsCredentials AssumedRole::Current() {
  std::lock_guard lock(mutex_);
  if (!current_ || clock_() + refresh_margin_ >= current_->expiration) {
    current_ = AssumeRole(http_, base_, request_);
    ++assumptions_;
  }
  return current_->credentials;
}

AwsSession::AwsSession(const HttpClient& http, const CredentialSources& sources,
                       std::optional<AssumeRoleRequest> assume_role) {
  ResolvedCredentials resolved = ResolveCredentials(sources);
  base_ = std::move(resolved.credentials);
  source_ = std::move(resolved.source);
  if (assume_role) {
    source_ += ", assuming " + assume_role->role_arn;
    role_ = std::make_unique<AssumedRole>(http, base_, std::move(*assume_role));
  }
}

AwsCredentials AwsSession::Current() {
  return role_ ? role_->Current() : base_;
}

}  // namespace cairn::cloud
