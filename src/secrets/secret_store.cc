#include "secrets/secret_store.h"

#include <fmt/format.h>

#include "core/error.h"
#include "secrets/aws_secret_store.h"
#include "secrets/file_secret_store.h"

namespace cairn::secrets {
namespace {

constexpr std::string_view kAws = "aws-secretsmanager:";
constexpr std::string_view kFile = "file:";

// The first of `names` that is set and not empty in the environment.
std::string FirstSet(const cloud::EnvLookup& env, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    if (std::optional<std::string> value = env(name); value && !value->empty()) return *value;
  }
  return "";
}

std::unique_ptr<SecretStore> OpenAws(const std::string& secret_id,
                                     const SecretStoreOptions& options) {
  if (options.http == nullptr) throw Error(ErrorCode::kInternal, "no HTTP client for AWS");
  cloud::SecretsManagerLocation location{
      .region = options.aws_region.empty()
                    ? FirstSet(options.env, {"AWS_REGION", "AWS_DEFAULT_REGION"})
                    : options.aws_region,
      .endpoint =
          options.aws_endpoint.empty()
              ? FirstSet(options.env, {"AWS_ENDPOINT_URL_SECRETS_MANAGER", "AWS_ENDPOINT_URL"})
              : options.aws_endpoint};
  if (location.region.empty()) {
    throw Error(
        ErrorCode::kInvalidArgument,
        fmt::format("{}{}: no AWS region (give --aws-region, or set AWS_REGION)", kAws, secret_id));
  }
  auto session = std::make_unique<cloud::AwsSession>(
      *options.http, cloud::CredentialSources{.profile = options.aws_profile, .env = options.env},
      std::nullopt);
  return std::make_unique<AwsSecretStore>(secret_id, std::move(location), std::move(session),
                                          *options.http);
}

}  // namespace

std::unique_ptr<SecretStore> OpenSecretStore(const std::string& spec,
                                             const SecretStoreOptions& options) {
  std::string_view text(spec);
  if (text.starts_with(kAws) && text.size() > kAws.size()) {
    return OpenAws(std::string(text.substr(kAws.size())), options);
  }
  if (text.starts_with(kFile) && text.size() > kFile.size()) {
    return std::make_unique<FileSecretStore>(std::string(text.substr(kFile.size())),
                                             options.env("CAIRN_SECRET_KEY"));
  }
  throw Error(ErrorCode::kInvalidArgument,
              fmt::format("secret store '{}': give aws-secretsmanager:NAME or file:PATH", spec));
}

}  // namespace cairn::secrets
