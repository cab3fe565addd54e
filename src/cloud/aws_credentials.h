#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "cloud/http_client.h"
#include "cloud/sigv4.h"

// Where AWS credentials come from (../shared/reference/aws-apis.md §3, §6):
// explicit keys from a config, else the standard chain (environment, shared
// credentials file, config file, by profile), optionally exchanged through
// STS AssumeRole for short-lived ones that are refreshed before they expire.
namespace cairn::cloud {

// Reads an environment variable; nullopt when unset. Injected for tests.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup ProcessEnvironment();

struct CredentialSources {
  AwsCredentials explicit_keys;  // used when access_key_id is set
  std::string profile;           // empty: AWS_PROFILE, AWS_DEFAULT_PROFILE, then "default"
  EnvLookup env = ProcessEnvironment();
};

// The first source that yields keys, and which it was ("config",
// "environment", "~/.aws/credentials [prod]", ...) for messages. Throws
// kInvalidArgument naming every place it looked when none does.
struct ResolvedCredentials {
  AwsCredentials credentials;
  std::string source;
};
ResolvedCredentials ResolveCredentials(const CredentialSources& sources);

// The keys of `profile` in an INI file of the shared-credentials shape
// ([name] or, in the config file, [profile name]); nullopt when absent.
std::optional<AwsCredentials> CredentialsFromIni(const std::filesystem::path& file,
                                                 const std::string& profile, bool config_file);

struct AssumeRoleRequest {
  std::string role_arn;
  std::string session_name = "cairn";
  std::string external_id;      // empty: not sent
  std::string source_identity;  // empty: not sent
  std::chrono::seconds duration{3600};
  std::string region = "us-east-1";
  std::string sts_endpoint;  // empty: https://sts.<region>.amazonaws.com
};

struct TemporaryCredentials {
  AwsCredentials credentials;
  std::chrono::system_clock::time_point expiration;
};

// STS AssumeRole (query protocol, signed with `base`).
TemporaryCredentials AssumeRole(const HttpClient& http, const AwsCredentials& base,
                                const AssumeRoleRequest& request);

// Credentials of an assumed role, assumed again when they are within
// `refresh_margin` of their expiry. Thread-safe.
class AssumedRole {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  AssumedRole(const HttpClient& http, AwsCredentials base, AssumeRoleRequest request,
              std::chrono::seconds refresh_margin = std::chrono::minutes(5),
              Clock clock = std::chrono::system_clock::now);

  AwsCredentials Current();
  int assumptions() const { return assumptions_; }

 private:
  const HttpClient& http_;
  AwsCredentials base_;
  AssumeRoleRequest request_;
  std::chrono::seconds refresh_margin_;
  Clock clock_;
  std::mutex mutex_;
  std::optional<TemporaryCredentials> current_;
  int assumptions_ = 0;
};

// The credentials of one client (a bucket, DynamoDB): the chain resolved
// once, and when a role is to be assumed, its credentials, renewed before
// they expire. Throws kInvalidArgument when the chain finds no keys.
class AwsSession {
 public:
  AwsSession(const HttpClient& http, const CredentialSources& sources,
             std::optional<AssumeRoleRequest> assume_role);

  AwsCredentials Current();
  // Where the keys came from ("config", "environment", ...), and the role
  // when one is assumed; never the keys.
  const std::string& source() const { return source_; }

 private:
  AwsCredentials base_;
  std::string source_;
  std::unique_ptr<AssumedRole> role_;
};

}  // namespace cairn::cloud
