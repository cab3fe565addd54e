#include "ingest/oidc_token_provider.h"

#include <fmt/format.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <utility>

#include "auth/jwt_signer.h"
#include "cloud/sigv4.h"
#include "core/error.h"
#include "core/hex.h"

namespace cairn::ingest {
namespace {

using nlohmann::json;

constexpr std::chrono::seconds kDefaultLifetime{3600};
constexpr std::chrono::seconds kAssertionLifetime{3600};  // what OpenMetadata's okta client signs
constexpr std::chrono::seconds kRefreshMargin{60};
constexpr auto kClientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
constexpr auto kJwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";

std::int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string RandomJti() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw Error(ErrorCode::kInternal, "OpenSSL could not make random bytes");
  }
  return HexLower(bytes.data(), bytes.size());
}

std::string Form(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string form;
  for (const auto& [name, value] : fields) {
    if (!form.empty()) form += '&';
    form += cloud::UriEncode(name, false) + "=" + cloud::UriEncode(value, false);
  }
  return form;
}

std::string Joined(const std::vector<std::string>& scopes) {
  return fmt::format("{}", fmt::join(scopes, " "));
}

// A JWT the client signs with its private key to authenticate (okta's
// client assertion, a Google service account's JWT-bearer grant): issued by
// and about the client, for the token endpoint, with `extra` claims.
std::string SignedAssertion(const OidcClientConfig& config, const json& extra) {
  const std::int64_t now = UnixNow();
  json claims = {{"iss", config.client_id},
                 {"sub", config.client_id},
                 {"aud", config.token_endpoint},
                 {"iat", now},
                 {"exp", now + kAssertionLifetime.count()}};
  claims.update(extra);
  return auth::SignJwt(claims.dump(), auth::JwtAlgorithm::kRs256, config.private_key,
                       config.key_id);
}

std::vector<std::pair<std::string, std::string>> FormFields(const OidcClientConfig& config) {
  using Grant = OidcClientConfig::Grant;
  switch (config.grant) {
    case Grant::kClientSecret: {
      std::vector<std::pair<std::string, std::string>> fields = {
          {"grant_type", "client_credentials"},
          {"client_id", config.client_id},
          {"client_secret", config.client_secret}};
      if (!config.audience.empty()) fields.emplace_back("audience", config.audience);
      if (!config.scopes.empty()) fields.emplace_back("scope", Joined(config.scopes));
      return fields;
    }
    case Grant::kClientAssertion:
      return {{"grant_type", "client_credentials"},
              {"scope", Joined(config.scopes)},
              {"client_assertion_type", kClientAssertionType},
              {"client_assertion", SignedAssertion(config, {{"jti", RandomJti()}})}};
    case Grant::kJwtBearer:
      return {{"grant_type", kJwtBearerGrant},
              {"assertion", SignedAssertion(config, {{"target_audience", config.audience}})}};
  }
  throw Error(ErrorCode::kInternal, "unknown OIDC grant");
}

// The endpoint's own explanation (OAuth's error / error_description), with
// every secret of the request blanked in case it was echoed.
std::string EndpointMessage(const cloud::HttpResponse& response, const OidcClientConfig& config) {
  const json body = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  std::string message = response.body.substr(0, 300);
  if (body.is_object() && body.contains("error")) {
    message = body["error"].is_string() ? body["error"].get<std::string>() : body["error"].dump();
    if (body.contains("error_description") && body["error_description"].is_string()) {
      message += ": " + body["error_description"].get<std::string>();
    }
  }
  for (const std::string& secret : {config.client_secret, config.private_key}) {
    for (auto at = message.find(secret); !secret.empty() && at != std::string::npos;
         at = message.find(secret)) {
      message.replace(at, secret.size(), "***");
    }
  }
  return message;
}

}  // namespace

std::chrono::seconds RefreshAfter(std::chrono::seconds lifetime) {
  const std::chrono::seconds at_80_percent = lifetime * 4 / 5;
  return std::max(std::chrono::seconds(0), std::min(at_80_percent, lifetime - kRefreshMargin));
}

OidcTokenProvider::OidcTokenProvider(OidcClientConfig config, cloud::HttpClientOptions options,
                                     Transport transport, Clock clock)
    : config_(std::move(config)), transport_(std::move(transport)), clock_(std::move(clock)) {
  if (!transport_) {
    transport_ = [client = cloud::HttpClient(std::move(options))](
                     const cloud::HttpRequest& request) { return client.Send(request); };
  }
  if (!clock_) clock_ = [] { return std::chrono::steady_clock::now(); };
}

int OidcTokenProvider::requests() const {
  const std::lock_guard lock(mutex_);
  return requests_;
}

std::string OidcTokenProvider::Token() {
  const std::lock_guard lock(mutex_);
  if (token_.empty() || clock_() >= refresh_at_) token_ = Fetch();
  return token_;
}

cloud::HttpRequest OidcTokenProvider::TokenRequest() const {
  cloud::HttpRequest request;
  request.method = "POST";
  request.url = config_.token_endpoint;
  request.headers = {{"Accept", "application/json"},
                     {"Content-Type", "application/x-www-form-urlencoded"}};
  const std::string form = Form(FormFields(config_));
  if (config_.form_in_query) {
    request.url += (request.url.find('?') == std::string::npos ? "?" : "&") + form;
  } else {
    request.body = form;
  }
  return request;
}

std::string OidcTokenProvider::Fetch() {
  const auto asked_at = clock_();
  ++requests_;
  const cloud::HttpResponse response = transport_(TokenRequest());
  const std::string where = fmt::format("{} token endpoint {}", config_.provider,
                                        cloud::UrlForMessages(config_.token_endpoint));
  if (response.status < 200 || response.status >= 300) {
    throw Error(response.status >= 500 ? ErrorCode::kIo : ErrorCode::kInvalidConfig,
                fmt::format("the {} refused the client: HTTP {}: {}", where, response.status,
                            EndpointMessage(response, config_)));
  }
  const json body = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  // Google's JWT-bearer grant for a target audience answers an ID token.
  const char* field =
      config_.grant == OidcClientConfig::Grant::kJwtBearer ? "id_token" : "access_token";
  if (!body.is_object() || !body.contains(field) || !body[field].is_string() ||
      body[field].get<std::string>().empty()) {
    throw Error(ErrorCode::kIo, fmt::format("the {} answered no {}", where, field));
  }
  std::chrono::seconds lifetime = kDefaultLifetime;
  if (body.contains("expires_in")) {
    // A number as OAuth says, or its text, as some providers answer.
    const json& expires_in = body["expires_in"];
    if (expires_in.is_number()) lifetime = std::chrono::seconds(expires_in.get<std::int64_t>());
    if (expires_in.is_string()) {
      lifetime =
          std::chrono::seconds(std::strtoll(expires_in.get<std::string>().c_str(), nullptr, 10));
    }
  }
  refresh_at_ = asked_at + RefreshAfter(lifetime);
  spdlog::debug("{}: token obtained, valid {} s", where, lifetime.count());
  return body[field].get<std::string>();
}

}  // namespace cairn::ingest
