#include "cli/auth_commands.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <ostream>

#include "auth/jwt_settings.h"
#include "auth/jwt_signer.h"
#include "auth/jwt_verifier.h"
#include "core/error.h"
#include "server/serve.h"

namespace cairn::cli {
namespace {

void AddServeJwtOptions(CLI::App& serve, auth::JwtSettings& jwt) {
  serve
      .add_option("--jwt-secret-file", jwt.secret_file,
                  "File holding the HS256 secret (at least 32 bytes) of Cairn's own JWTs "
                  "(`cairn auth jwt`); without it HS256 JWTs are refused")
      ->check(CLI::ExistingFile);
  serve.add_option("--oidc-issuer", jwt.issuer,
                   "Accept RS256 JWTs whose iss is this OIDC issuer (with --oidc-jwks-url and "
                   "--oidc-audience)");
  serve.add_option("--oidc-jwks-url", jwt.jwks_url,
                   "The issuer's JWKS (its public keys), fetched on first use and again when a "
                   "token names an unknown kid");
  serve.add_option("--oidc-audience", jwt.audience, "The aud an accepted OIDC JWT must contain");
  serve
      .add_option("--jwt-permission-claim", jwt.permission_claim,
                  "The JWT claim naming the principal's permission set(s)")
      ->capture_default_str();
  serve
      .add_option("--jwt-default-permission-set", jwt.default_permission_set,
                  "The permission set of a JWT without that claim")
      ->capture_default_str();
}

}  // namespace

std::chrono::seconds ParseTtl(const std::string& text) {
  long long count = 0;
  const char* end = text.data() + text.size();
  auto [unit, error] = std::from_chars(text.data(), end, count);
  std::chrono::seconds ttl{0};
  const std::string_view suffix(unit, static_cast<std::size_t>(end - unit));
  if (error == std::errc()) {
    if (suffix.empty() || suffix == "s") ttl = std::chrono::seconds(count);
    if (suffix == "m") ttl = std::chrono::minutes(count);
    if (suffix == "h") ttl = std::chrono::hours(count);
    if (suffix == "d") ttl = std::chrono::hours(24 * count);
  }
  if (ttl.count() <= 0) {
    throw Error(
        ErrorCode::kInvalidArgument,
        fmt::format("--ttl '{}' is not a positive duration such as 3600, 90m, 12h or 30d", text));
  }
  return ttl;
}

AuthCommands::AuthCommands(CLI::App& app, CLI::App& serve, server::ServeOptions& serve_options)
    : permission_claim_(auth::kDefaultPermissionClaim) {
  AddServeJwtOptions(serve, serve_options.jwt);
  auth_ = app.add_subcommand("auth", "Cairn's own credentials");
  auth_->require_subcommand(1);
  CLI::App* jwt = auth_->add_subcommand(
      "jwt", "Mint an HS256 JWT for an ingestion bot (securityConfig.jwtToken); prints it");
  jwt->add_option("--subject", subject_, "Who the token is (sub; shown in logs and edits)")
      ->required();
  jwt->add_option("--permission-set", permission_set_, "The dbt Cloud permission set it grants")
      ->capture_default_str();
  jwt->add_option("--ttl", ttl_, "How long it is valid: 3600, 90m, 12h, 30d")
      ->capture_default_str();
  jwt->add_option("--secret-file", secret_file_,
                  "The server's --jwt-secret-file (the secret never goes on the command line)")
      ->required()
      ->check(CLI::ExistingFile);
  jwt->add_option("--permission-claim", permission_claim_,
                  "The claim to put it in (the server's --jwt-permission-claim)")
      ->capture_default_str();
}

bool AuthCommands::Chosen() const {
  return auth_->parsed();
}

int AuthCommands::Run(std::ostream& out) const {
  const std::string secret = auth::ReadJwtSecretFile(secret_file_);
  out << auth::MintCairnJwt(secret, subject_, permission_set_, ParseTtl(ttl_), permission_claim_)
      << "\n";
  return 0;
}

}  // namespace cairn::cli
