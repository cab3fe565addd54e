#include "ingest/rest_sink_config.h"

#include <fmt/format.h>

#include <filesystem>
#include <string_view>
#include <system_error>

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

void CheckAuthProvider(const ConfigDocument& document, const nlohmann::json& server) {
  const std::string pointer = std::string(kServerConfig) + "/authProvider";
  const std::string provider = server.value("authProvider", "");
  if (provider == "openmetadata") return;
  if (provider.empty()) {
    throw ConfigError(document, ErrorCode::kInvalidConfig, pointer,
                      "a metadata-rest sink needs authProvider: openmetadata (with "
                      "securityConfig.jwtToken)");
  }
  throw ConfigError(document, ErrorCode::kUnsupported, pointer,
                    fmt::format("authProvider '{}' is not supported by this version's "
                                "metadata-rest sink; supported: openmetadata (securityConfig."
                                "jwtToken). The OIDC providers come later",
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
  CheckAuthProvider(document, *server);
  config.token = Token(document, *server);
  return config;
}

}  // namespace cairn::ingest
