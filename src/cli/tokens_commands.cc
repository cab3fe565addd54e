#include "cli/tokens_commands.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/credentials_commands.h"
#include "cloud/aws_credentials.h"
#include "cloud/dbt_cloud_credentials.h"
#include "cloud/http_client.h"
#include "cloud/service_token_client.h"
#include "core/error.h"
#include "secrets/secret_store.h"
#include "secrets/token_rotation.h"

namespace cairn::cli {
namespace {

struct RotateOptions {
  std::string target;  // dbt-cloud or cairn
  std::string secret;
  std::string name;
  std::vector<std::string> permission_sets;
  std::string url;  // cairn
  std::string account_id;
  std::string domain = "cloud.getdbt.com";
  std::string access_url;
  std::string aws_region;
  std::string aws_endpoint;
  std::string aws_profile;
  std::string credentials;  // a dbt-cloud credential block's name
  std::string db;           // where that block is
};

// Where the admin API is and the key it takes: a credential block (its key
// sealed in the catalog), or the flags with the key from the environment
// only, never argv (visible to every user in `ps`).
struct AdminCredential {
  std::string account_url;
  std::string api_key;
};

AdminCredential ResolveAdminCredential(const RotateOptions& options, const cloud::EnvLookup& env) {
  auto key_from = [&](const char* variable) {
    std::optional<std::string> key = env(variable);
    if (!key || key->empty()) {
      throw Error(ErrorCode::kInvalidArgument,
                  fmt::format("--target {} takes its API key from the environment: set {}",
                              options.target, variable));
    }
    return *key;
  };
  if (options.target == "cairn") {
    if (!options.credentials.empty()) {
      throw Error(ErrorCode::kInvalidArgument,
                  "--credentials names a dbt Cloud block: it goes with --target dbt-cloud");
    }
    if (options.url.empty()) {
      throw Error(ErrorCode::kInvalidArgument, "--target cairn needs --url http(s)://HOST:PORT");
    }
    return {cloud::ServiceTokenClient::AccountUrl(
                options.url, options.account_id.empty() ? "1" : options.account_id),
            key_from("CAIRN_TOKEN")};
  }
  if (!options.credentials.empty()) {
    const cloud::DbtCloudCredentials block = LoadDbtCloudCredentials(
        options.db.empty() ? DefaultDatabase() : options.db, options.credentials);
    return {cloud::ServiceTokenClient::DbtCloudAccountUrl(block), block.api_key};
  }
  if (options.account_id.empty()) {
    throw Error(ErrorCode::kInvalidArgument,
                "--target dbt-cloud needs --credentials NAME or --account-id");
  }
  cloud::DbtCloudCredentials credentials{.account_id = options.account_id,
                                         .api_key = key_from("DBT_CLOUD_API_KEY"),
                                         .domain = options.domain,
                                         .access_url = options.access_url};
  return {cloud::ServiceTokenClient::DbtCloudAccountUrl(credentials), credentials.api_key};
}

// CAIRN_FAILPOINT=rotate.after_create (or after_write, after_revoke,
// after_duplicates) ends the process at once after that step, as a crash
// would: for the tests of resuming. It does nothing else.
void Failpoint(std::string_view step) {
  const char* wanted = std::getenv("CAIRN_FAILPOINT");  // NOLINT(concurrency-mt-unsafe)
  if (wanted != nullptr && step == wanted) {
    std::cerr << "cairn: failpoint " << step << ": exiting\n";
    std::_Exit(75);
  }
}

std::string Ids(const std::vector<std::int64_t>& ids) {
  return ids.empty() ? "none" : fmt::format("{}", fmt::join(ids, ", "));
}

int Rotate(const RotateOptions& options) {
  const cloud::EnvLookup env = cloud::ProcessEnvironment();
  const AdminCredential admin = ResolveAdminCredential(options, env);
  const cloud::HttpClient http;
  cloud::ServiceTokenClient api(admin.account_url, admin.api_key, http);
  std::unique_ptr<secrets::SecretStore> store =
      secrets::OpenSecretStore(options.secret, {.aws_region = options.aws_region,
                                                .aws_endpoint = options.aws_endpoint,
                                                .aws_profile = options.aws_profile,
                                                .env = env,
                                                .http = &http});
  secrets::RotationRequest request{.name = options.name};
  for (const std::string& set : options.permission_sets) {
    request.grants.push_back({.permission_set = set});
  }
  const secrets::RotationReport report =
      secrets::RotateServiceToken(api, *store, request, Failpoint);
  std::cout << fmt::format(
      "{} service token '{}' at {}: current id {} (in {}); replaced token revoked: {}; "
      "duplicates revoked: {}\n",
      report.resumed ? "completed the rotation of" : "rotated", report.name, api.Describe(),
      report.current_id, store->Describe(), Ids(report.revoked_ids), Ids(report.duplicate_ids));
  return 0;
}

}  // namespace

void AddTokensCommands(CLI::App& app) {
  CLI::App* tokens = app.add_subcommand("tokens", "Manage service tokens");
  tokens->require_subcommand(1);
  auto options = std::make_shared<RotateOptions>();
  CLI::App* rotate = tokens->add_subcommand(
      "rotate", "Replace a service token, keep the new one in a secret store, revoke the old");
  rotate->add_option("--target", options->target, "Whose token: dbt-cloud or cairn")
      ->required()
      ->check(CLI::IsMember({"dbt-cloud", "cairn"}));
  rotate->add_option("--secret", options->secret, "aws-secretsmanager:NAME or file:PATH")
      ->required();
  rotate->add_option("--name", options->name,
                     "Token name (default: the one kept in the secret; needed the first time)");
  rotate->add_option("--permission-set", options->permission_sets,
                     "Grant for the first token (repeatable; later: the current token's grants)");
  rotate->add_option("--url", options->url, "--target cairn: the server, http(s)://HOST:PORT");
  rotate->add_option("--account-id", options->account_id,
                     "Account id (dbt Cloud: required; Cairn: default 1)");
  rotate->add_option("--domain", options->domain, "dbt Cloud host")->capture_default_str();
  rotate->add_option("--access-url", options->access_url,
                     "dbt Cloud access URL (overrides --domain)");
  rotate->add_option("--credentials", options->credentials,
                     "--target dbt-cloud: a credential block standing for --account-id, "
                     "--domain, --access-url and DBT_CLOUD_API_KEY");
  rotate->add_option("--db", options->db,
                     "Catalog holding the block (default: $CAIRN_DB or sqlite:cairn.db)");
  rotate->add_option("--aws-region", options->aws_region, "Secrets Manager region (AWS_REGION)");
  rotate->add_option("--aws-endpoint", options->aws_endpoint,
                     "Secrets Manager endpoint (AWS_ENDPOINT_URL)");
  rotate->add_option("--aws-profile", options->aws_profile, "AWS profile of the keys");
  rotate->callback([options] {
    int code = 0;
    try {
      code = Rotate(*options);
    } catch (const Error& error) {
      std::cerr << "cairn: error: " << error.what() << '\n';
      code = ExitCodeFor(error.code());
    }
    // CLI11_PARSE returns the code of a RuntimeError without printing it.
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace cairn::cli
