#include "ingest/rest_sink_config.h"

#include <fmt/format.h>

#include <filesystem>
#include <string_view>
#include <system_error>
#include <vector>

#include "auth/jwk.h"
#include "core/error.h"
#include "core/file.h"

namespace cairn::ingest {
namespace {

constexpr std::string_view kServerConfig = "/workflowConfig/openMetadataServerConfig";

Error ConfigError(const ConfigDocument& document, ErrorCode code, const std::string& pointer,
                  std::string message) {
  return Error(code, std::move(message),
               {.file = document.file,
                .line = document.LineOf(pointer),
                .json_path = JsonPathFromPointer(pointer)});
}

std::string_view Trimmed(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  const auto first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

std::string BaseUrl(const ConfigDocument& document, const nlohmann::json& server) {
  const std::string pointer = std::string(kServerConfig) + "/hostPort";
  std::string url = server.at("hostPort").get<std::string>();
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    throw ConfigError(document, ErrorCode::kInvalidConfig, pointer,
                      fmt::format("hostPort must be the Cairn server's http:// or https:// URL, "
                                  "e.g. http://127.0.0.1:8080, not '{}'",
                                  url));
  }
  while (url.ends_with('/')) url.pop_back();
  if (url.ends_with("/api")) url.resize(url.size() - 4);
  return url;
}

// OpenMetadata's rule: a jwtToken naming an existing file stands for the
// file's trimmed content (a mounted secret), anything else is the token.
std::string Token(const ConfigDocument& document, const nlohmann::json& server) {
  const std::string pointer = std::string(kServerConfig) + "/securityConfig/jwtToken";
  const nlohmann::json* value = nullptr;
  if (auto security = server.find("securityConfig"); security != server.end()) {
    if (auto jwt = security->find("jwtToken"); jwt != security->end()) value = &*jwt;
  }
  if (value == nullptr || !value->is_string() || value->get<std::string>().empty()) {
    throw ConfigError(document, ErrorCode::kInvalidConfig, pointer,
                      "authProvider openmetadata needs securityConfig.jwtToken: a Cairn service "
                      "token, or the path of a file holding one");
  }
  std::string jwt = value->get<std::string>();
  std::error_code ignored;
  if (!std::filesystem::is_regular_file(jwt, ignored)) return jwt;
  std::string token(Trimmed(ReadFile(jwt)));
  if (token.empty()) {
    throw ConfigError(document, ErrorCode::kInvalidConfig, pointer,
                      fmt::format("the token file '{}' is empty", jwt));
  }
  return token;
}

std::string SecurityPointer(const std::string& field) {
  return std::string(kServerConfig) + "/securityConfig/" + field;
}

const nlohmann::json& SecurityConfig(const nlohmann::json& server) {
  static const nlohmann::json kNone = nlohmann::json::object();
  auto security = server.find("securityConfig");
  return security != server.end() && security->is_object() ? *security : kNone;
}

// securityConfig.FIELD, a non-empty string that `provider` requires.
std::string Required(const ConfigDocument& document, const nlohmann::json& security,
                     const std::string& provider, const std::string& field) {
  auto value = security.find(field);
  if (value == security.end() || !value->is_string() || value->get<std::string>().empty()) {
    throw ConfigError(document, ErrorCode::kInvalidConfig, SecurityPointer(field),
                      fmt::format("authProvider {} needs securityConfig.{}", provider, field));
  }
  return value->get<std::string>();
}

std::vector<std::string> Scopes(const ConfigDocument& document, const nlohmann::json& security,
                                const std::string& provider, bool required) {
  std::vector<std::string> scopes;
  if (auto value = security.find("scopes"); value != security.end() && value->is_array()) {
    for (const nlohmann::json& scope : *value) {
      if (scope.is_string()) scopes.push_back(scope.get<std::string>());
    }
  }
  if (required && scopes.empty()) {
    throw ConfigError(document, ErrorCode::kInvalidConfig, SecurityPointer("scopes"),
                      fmt::format("authProvider {} needs securityConfig.scopes, e.g. "
                                  "[api://CLIENT_ID/.default]",
                                  provider));
  }
  return scopes;
}

// A value given either literally or as the path of an existing file (keys
// and service-account files are mounted secrets more often than not).
std::string LiteralOrFile(const std::string& value) {
  std::error_code ignored;
  if (value.size() < 4096 && std::filesystem::is_regular_file(value, ignored)) {
    return ReadFile(value);
  }
  return value;
}

std::string PemPrivateKey(const ConfigDocument& document, const std::string& pointer,
                          const std::string& value) {
  std::string key = LiteralOrFile(value);
  if (key.find("-----BEGIN") != std::string::npos) return key;
  if (key.find('{') != std::string::npos) {
    try {
      return auth::RsaPrivateKeyPemFromJwk(key);
    } catch (const Error& e) {
      throw ConfigError(document, ErrorCode::kInvalidConfig, pointer,
                        "the private key is not an RSA private JWK: " + e.message());
    }
  }
  throw ConfigError(document, ErrorCode::kInvalidConfig, pointer,
                    "the private key must be an RSA private key in PEM (-----BEGIN PRIVATE "
                    "KEY-----) or a JWK, given inline or as the path of a file");
}

OidcClientConfig CustomOidc(const ConfigDocument& document, const nlohmann::json& security) {
  return {.provider = "custom-oidc",
          .token_endpoint = Required(document, security, "custom-oidc", "tokenEndpoint"),
          .client_id = Required(document, security, "custom-oidc", "clientId"),
          .client_secret = Required(document, security, "custom-oidc", "secretKey")};
}

// OpenMetadata's client POSTs to https://{domain}/{domain}/oauth/token (sic)
// with the audience https://{domain}/api/v2/; Cairn does the same. A domain
// written with its scheme (http://host:port, a local test tenant) keeps it.
OidcClientConfig Auth0(const ConfigDocument& document, const nlohmann::json& security) {
  std::string host = Required(document, security, "auth0", "domain");
  std::string scheme = "https://";
  for (const char* explicit_scheme : {"http://", "https://"}) {
    if (host.starts_with(explicit_scheme)) {
      scheme = explicit_scheme;
      host = host.substr(scheme.size());
    }
  }
  while (host.ends_with('/')) host.pop_back();
  return {.provider = "auth0",
          .token_endpoint = fmt::format("{}{}/{}/oauth/token", scheme, host, host),
          .client_id = Required(document, security, "auth0", "clientId"),
          .client_secret = Required(document, security, "auth0", "secretKey"),
          .audience = fmt::format("https://{}/api/v2/", host)};
}

// As OpenMetadata's client: orgURL is the token endpoint itself, the form
// goes in the query string, the assertion is signed with privateKey.
OidcClientConfig Okta(const ConfigDocument& document, const nlohmann::json& security) {
  Required(document, security, "okta", "email");  // required by the schema, unused by the flow
  return {.provider = "okta",
          .grant = OidcClientConfig::Grant::kClientAssertion,
          .token_endpoint = Required(document, security, "okta", "orgURL"),
          .client_id = Required(document, security, "okta", "clientId"),
          .private_key = PemPrivateKey(document, SecurityPointer("privateKey"),
                                       Required(document, security, "okta", "privateKey")),
          .scopes = Scopes(document, security, "okta", false),
          .form_in_query = true};
}

OidcClientConfig Azure(const ConfigDocument& document, const nlohmann::json& security) {
  std::string authority = Required(document, security, "azure", "authority");
  while (authority.ends_with('/')) authority.pop_back();
  return {.provider = "azure",
          .token_endpoint = authority + "/oauth2/v2.0/token",
          .client_id = Required(document, security, "azure", "clientId"),
          .client_secret = Required(document, security, "azure", "clientSecret"),
          .scopes = Scopes(document, security, "azure", true)};
}

// secretKey: a service-account JSON key file (or its content).
OidcClientConfig Google(const ConfigDocument& document, const nlohmann::json& security) {
  const std::string pointer = SecurityPointer("secretKey");
  const nlohmann::json account = nlohmann::json::parse(
      LiteralOrFile(Required(document, security, "google", "secretKey")), nullptr,
      /*allow_exceptions=*/false);
  auto field = [&](const char* name, const char* fallback) {
    std::string value = account.is_object() ? account.value(name, fallback) : "";
    if (value.empty()) {
      throw ConfigError(document, ErrorCode::kInvalidConfig, pointer,
                        fmt::format("securityConfig.secretKey must be a Google service-account "
                                    "key (a JSON file or its content) with '{}'",
                                    name));
    }
    return value;
  };
  return {.provider = "google",
          .grant = OidcClientConfig::Grant::kJwtBearer,
          .token_endpoint = field("token_uri", "https://oauth2.googleapis.com/token"),
          .client_id = field("client_email", ""),
          .private_key = PemPrivateKey(document, pointer, field("private_key", "")),
          .key_id = field("private_key_id", ""),
          .audience = security.value("audience", "https://www.googleapis.com/oauth2/v4/token")};
}

// The OIDC client of `provider`, or nullopt for openmetadata (a fixed token).
std::optional<OidcClientConfig> OidcClient(const ConfigDocument& document,
                                           const nlohmann::json& server) {
  const std::string pointer = std::string(kServerConfig) + "/authProvider";
  const std::string provider = server.value("authProvider", "");
  const nlohmann::json& security = SecurityConfig(server);
  if (provider == "openmetadata") return std::nullopt;
  if (provider == "custom-oidc") return CustomOidc(document, security);
  if (provider == "auth0") return Auth0(document, security);
  if (provider == "okta") return Okta(document, security);
  if (provider == "azure") return Azure(document, security);
  if (provider == "google") return Google(document, security);
  if (provider.empty()) {
    throw ConfigError(document, ErrorCode::kInvalidConfig, pointer,
                      "a metadata-rest sink needs an authProvider: openmetadata (with "
                      "securityConfig.jwtToken), custom-oidc, auth0, okta, azure or google");
  }
  throw ConfigError(document, ErrorCode::kUnsupported, pointer,
                    fmt::format("authProvider '{}' is not supported by the metadata-rest sink "
                                "(it has no client flow); supported: openmetadata, custom-oidc, "
                                "auth0, okta, azure, google",
                                provider));
}

}  // namespace

RestSinkConfig ReadRestSinkConfig(const ConfigDocument& document) {
  const nlohmann::json* server = nullptr;
  if (auto workflow = document.value.find("workflowConfig"); workflow != document.value.end()) {
    if (auto it = workflow->find("openMetadataServerConfig"); it != workflow->end()) server = &*it;
  }
  if (server == nullptr) {
    throw ConfigError(document, ErrorCode::kInvalidConfig, std::string(kServerConfig),
                      "a metadata-rest sink needs workflowConfig.openMetadataServerConfig "
                      "{hostPort, authProvider: openmetadata, securityConfig: {jwtToken}}");
  }
  if (auto sink = document.value.at("sink").find("config");
      sink != document.value.at("sink").end() && sink->contains("db")) {
    throw ConfigError(document, ErrorCode::kInvalidConfig, "/sink/config/db",
                      "db names a local store, which a metadata-rest sink does not use");
  }
  RestSinkConfig config{.base_url = BaseUrl(document, *server)};
  config.oidc = OidcClient(document, *server);
  if (!config.oidc) config.token = Token(document, *server);
  return config;
}

}  // namespace cairn::ingest
