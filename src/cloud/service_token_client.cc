#include "cloud/service_token_client.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <utility>

#include "core/error.h"

namespace cairn::cloud {
namespace {

using json = nlohmann::json;

// Enough of an envelope message to act on.
constexpr std::size_t kMaxServiceMessage = 300;

std::string StringAt(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The envelope's words for a failure: user_message, and developer_message
// when it adds something.
std::string EnvelopeMessage(const std::string& body) {
  json value = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded() || !value.is_object()) return "";
  auto status_it = value.find("status");
  if (status_it == value.end() || !status_it->is_object()) return "";
  const json& status = *status_it;
  std::string message = StringAt(status, "user_message");
  std::string developer = StringAt(status, "developer_message");
  if (!developer.empty() && developer != message) {
    message += (message.empty() ? "" : " (") + developer + (message.empty() ? "" : ")");
  }
  return message.substr(0, kMaxServiceMessage);
}

[[noreturn]] void ThrowFailure(const std::string& what, const HttpResponse& response) {
  const std::string message = EnvelopeMessage(response.body);
  ErrorCode code = ErrorCode::kIo;
  if (response.status == 404) code = ErrorCode::kNotFound;
  if (response.status == 400 || response.status == 401 || response.status == 403) {
    code = ErrorCode::kInvalidArgument;
  }
  std::string hint;
  if (response.status == 401) hint = "; the API key was refused";
  if (response.status == 403) hint = "; the API key may not manage service tokens here";
  throw Error(code, fmt::format("{}: HTTP {}{}{}", what, response.status,
                                message.empty() ? "" : ": " + message, hint));
}

json DataOf(const HttpResponse& response, const std::string& what) {
  json value = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded() || !value.is_object() || !value.contains("data")) {
    throw Error(ErrorCode::kParse, what + ": the response is not a v3 envelope with data");
  }
  return value;
}

ServiceTokenGrant GrantOf(const json& item) {
  ServiceTokenGrant grant{.permission_set = StringAt(item, "permission_set")};
  if (auto it = item.find("project_id"); it != item.end() && it->is_number_integer()) {
    grant.project_id = it->get<std::int64_t>();
  }
  if (auto it = item.find("writable_environment_categories"); it != item.end() && it->is_array()) {
    for (const json& category : *it) {
      if (category.is_string()) grant.writable_environment_categories.push_back(category);
    }
  }
  return grant;
}

ServiceTokenInfo TokenOf(const json& data, const std::string& what) {
  if (!data.is_object() || !data.contains("id") || !data["id"].is_number_integer()) {
    throw Error(ErrorCode::kParse, what + ": a service token without an integer id");
  }
  ServiceTokenInfo token{.id = data["id"].get<std::int64_t>(),
                         .uid = StringAt(data, "uid"),
                         .name = StringAt(data, "name"),
                         .state = data.value("state", kServiceTokenActive),
                         .created_at = StringAt(data, "created_at")};
  if (auto it = data.find("permission_grants"); it != data.end() && it->is_array()) {
    for (const json& item : *it) token.grants.push_back(GrantOf(item));
  }
  return token;
}

json GrantJson(const ServiceTokenGrant& grant) {
  json item = {{"permission_set", grant.permission_set}};
  if (grant.project_id) item["project_id"] = *grant.project_id;
  if (!grant.writable_environment_categories.empty()) {
    item["writable_environment_categories"] = grant.writable_environment_categories;
  }
  return item;
}

}  // namespace

ServiceTokenClient::ServiceTokenClient(std::string account_url, std::string api_key,
                                       const HttpClient& http, int page_size)
    : account_url_(std::move(account_url)),
      api_key_(std::move(api_key)),
      http_(http),
      page_size_(page_size) {
  while (!account_url_.empty() && account_url_.back() == '/') account_url_.pop_back();
  if (api_key_.empty()) {
    throw Error(ErrorCode::kInvalidArgument, "the service-token API needs an API key");
  }
  if (page_size_ < 1 || page_size_ > 100) {
    throw Error(ErrorCode::kInvalidArgument, "service tokens are listed in pages of 1 to 100");
  }
}

std::string ServiceTokenClient::AccountUrl(const std::string& base_url,
                                           const std::string& account_id) {
  std::string base = base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return fmt::format("{}/api/v3/accounts/{}", base, account_id);
}

std::string ServiceTokenClient::DbtCloudAccountUrl(const DbtCloudCredentials& credentials) {
  if (credentials.account_id.empty()) {
    throw Error(ErrorCode::kInvalidArgument, "dbt Cloud needs an account id");
  }
  const std::string base =
      credentials.access_url.empty() ? "https://" + credentials.domain : credentials.access_url;
  return AccountUrl(base, credentials.account_id);
}

ServiceTokenClient ServiceTokenClient::ForDbtCloud(const DbtCloudCredentials& credentials,
                                                   const HttpClient& http) {
  return ServiceTokenClient(DbtCloudAccountUrl(credentials), credentials.api_key, http);
}

HttpResponse ServiceTokenClient::Send(const std::string& method, const std::string& path,
                                      const std::string& body, const std::string& what) const {
  HttpRequest request{
      .method = method,
      .url = account_url_ + path,
      .headers = {{"Authorization", "Token " + api_key_}, {"Accept", "application/json"}},
      .body = body};
  if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
  try {
    return http_.Send(request);
  } catch (const Error& error) {
    if (error.code() != ErrorCode::kIo) throw;
    throw Error(ErrorCode::kIo, fmt::format("{}: no answer: {}", what, error.message()));
  }
}

CreatedServiceToken ServiceTokenClient::Create(const std::string& name,
                                               const std::vector<ServiceTokenGrant>& grants) {
  const std::string what = fmt::format("create service token '{}' at {}", name, account_url_);
  json body = {{"name", name}, {"permission_grants", json::array()}};
  for (const ServiceTokenGrant& grant : grants)
    body["permission_grants"].push_back(GrantJson(grant));
  HttpResponse response = Send("POST", "/service-tokens/", body.dump(), what);
  if (response.status != 200 && response.status != 201) ThrowFailure(what, response);
  const json envelope = DataOf(response, what);
  const json& data = envelope.at("data");
  CreatedServiceToken created{.token = TokenOf(data, what),
                              .token_string = StringAt(data, "token_string")};
  if (created.token_string.empty()) {
    throw Error(ErrorCode::kParse, what + ": the response has no token_string");
  }
  return created;
}

std::vector<ServiceTokenInfo> ServiceTokenClient::ListActive() {
  const std::string what = fmt::format("list service tokens at {}", account_url_);
  std::vector<ServiceTokenInfo> tokens;
  std::int64_t offset = 0;
  while (true) {
    HttpResponse response =
        Send("GET", fmt::format("/service-tokens/?state=1&limit={}&offset={}", page_size_, offset),
             "", what);
    if (response.status != 200) ThrowFailure(what, response);
    const json envelope = DataOf(response, what);
    if (!envelope.at("data").is_array())
      throw Error(ErrorCode::kParse, what + ": data is not a list");
    for (const json& item : envelope.at("data")) tokens.push_back(TokenOf(item, what));
    json pagination = json::object();
    if (auto extra = envelope.find("extra"); extra != envelope.end() && extra->is_object()) {
      pagination = extra->value("pagination", json::object());
    }
    const std::int64_t count =
        pagination.value("count", static_cast<std::int64_t>(envelope.at("data").size()));
    const std::int64_t total = pagination.value("total_count", offset + count);
    offset += count;
    // A page of none ends it too: a server whose total is off cannot loop us.
    if (count == 0 || offset >= total) return tokens;
  }
}

std::optional<ServiceTokenInfo> ServiceTokenClient::Get(std::int64_t id) {
  const std::string what = fmt::format("get service token {} at {}", id, account_url_);
  HttpResponse response = Send("GET", fmt::format("/service-tokens/{}/", id), "", what);
  if (response.status == 404) return std::nullopt;
  if (response.status != 200) ThrowFailure(what, response);
  return TokenOf(DataOf(response, what).at("data"), what);
}

void ServiceTokenClient::Delete(std::int64_t id) {
  const std::string what = fmt::format("delete service token {} at {}", id, account_url_);
  HttpResponse response = Send("DELETE", fmt::format("/service-tokens/{}/", id), "", what);
  if (response.status == 204 || response.status == 200 || response.status == 404) return;
  ThrowFailure(what, response);
}

}  // namespace cairn::cloud
