#include "server/api/service_token_routes.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "auth/permission_sets.h"
#include "core/error.h"

namespace cairn::server {
namespace {

using nlohmann::json;

constexpr int kMaxPageSize = 100;  // dbt Cloud's cap on list endpoints

std::int64_t IdParam(const Request& request, const char* name) {
  const std::string& text = request.params.at(name);
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw Error(ErrorCode::kNotFound, fmt::format("no {} '{}'", name, text));
  }
  return value;
}

json Status(int code) {
  return {{"code", code},
          {"is_success", true},
          {"user_message", "Success!"},
          {"developer_message", ""}};
}

Response Envelope(json data, json extra = nullptr) {
  json body = {{"status", Status(200)}, {"data", std::move(data)}};
  if (!extra.is_null()) body["extra"] = std::move(extra);
  return JsonResponse(200, body.dump());
}

json OrNull(const std::string& text) {
  return text.empty() ? json() : json(text);
}

json GrantJson(const auth::PermissionGrant& grant) {
  return {{"id", grant.id},
          {"permission_set", grant.permission_set},
          {"project_id", grant.project_id ? json(*grant.project_id) : json()},
          {"writable_environment_categories", grant.writable_environment_categories},
          {"created_at", grant.created_at},
          {"updated_at", grant.updated_at}};
}

json PermissionJson(const auth::ServiceToken& token, const auth::PermissionGrant& grant) {
  return {{"id", grant.id},
          {"account_id", token.account_id},
          {"service_token_id", token.id},
          {"project_id", grant.project_id ? json(*grant.project_id) : json()},
          {"all_projects", !grant.project_id.has_value()},
          {"permission_set", grant.permission_set},
          {"state", token.state},
          {"writable_environment_categories", grant.writable_environment_categories},
          {"created_at", grant.created_at},
          {"updated_at", grant.updated_at}};
}

json TokenJson(const auth::ServiceToken& token) {
  json grants = json::array();
  json permissions = json::array();
  bool metadata_only = false;
  for (const auth::PermissionGrant& grant : token.grants) {
    grants.push_back(GrantJson(grant));
    permissions.push_back(PermissionJson(token, grant));
    metadata_only = metadata_only || grant.permission_set == "metadata_only";
  }
  return {{"id", token.id},
          {"uid", token.uid},
          {"name", token.name},
          {"account_id", token.account_id},
          {"state", token.state},
          {"created_at", token.created_at},
          {"updated_at", token.updated_at},
          {"last_used", OrNull(token.last_used)},
          {"expires_at", OrNull(token.expires_at)},
          {"permission_grants", std::move(grants)},
          {"service_token_permissions", std::move(permissions)},
          {"metadata_only", metadata_only},
          {"webhooks_only", false},
          {"semantic_layer_credentials", json::array()}};
}

json ParseBody(const Request& request) {
  json body = json::parse(request.body, nullptr, false);
  if (!body.is_object()) throw Error(ErrorCode::kInvalidArgument, "the body must be a JSON object");
  return body;
}

std::string StringField(const json& body, const char* name, bool required) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) {
    if (required) throw Error(ErrorCode::kInvalidArgument, fmt::format("'{}' is required", name));
    return "";
  }
  if (!it->is_string()) {
    throw Error(ErrorCode::kInvalidArgument, fmt::format("'{}' must be a string", name));
  }
  return it->get<std::string>();
}

auth::PermissionGrant GrantOf(const json& item) {
  if (!item.is_object() || !item.contains("permission_set") ||
      !item["permission_set"].is_string()) {
    throw Error(ErrorCode::kInvalidArgument,
                "each of 'permission_grants' needs a string 'permission_set'");
  }
  auth::PermissionGrant grant{.permission_set = item["permission_set"].get<std::string>()};
  if (auto project = item.find("project_id"); project != item.end() && !project->is_null()) {
    if (!project->is_number_integer()) {
      throw Error(ErrorCode::kInvalidArgument, "'project_id' must be an integer or null");
    }
    grant.project_id = project->get<std::int64_t>();
  }
  if (auto categories = item.find("writable_environment_categories");
      categories != item.end() && !categories->is_null()) {
    if (!categories->is_array()) {
      throw Error(ErrorCode::kInvalidArgument, "'writable_environment_categories' must be a list");
    }
    for (const json& category : *categories) {
      if (!category.is_string()) {
        throw Error(ErrorCode::kInvalidArgument,
                    "'writable_environment_categories' must be a list of strings");
      }
      grant.writable_environment_categories.push_back(category.get<std::string>());
    }
  }
  return grant;
}

auth::NewServiceToken NewTokenOf(const Request& request, std::int64_t account_id) {
  json body = ParseBody(request);
  auth::NewServiceToken token{.account_id = account_id,
                              .name = StringField(body, "name", true),
                              .expires_at = StringField(body, "expires_at", false)};
  if (auto grants = body.find("permission_grants"); grants != body.end() && !grants->is_null()) {
    if (!grants->is_array()) {
      throw Error(ErrorCode::kInvalidArgument, "'permission_grants' must be a list");
    }
    for (const json& item : *grants) token.grants.push_back(GrantOf(item));
  }
  // The deprecated boolean still means what it meant.
  if (body.value("metadata_only", false))
    token.grants.push_back({.permission_set = "metadata_only"});
  return token;
}

// The routes' shared state: the service and the one account served.
struct TokenApi {
  auth::TokenService& tokens;
  std::int64_t account_id;

  // 404 for any account but ours, as dbt Cloud answers for one not visible.
  void CheckAccount(const Request& request) const {
    if (IdParam(request, "account_id") != account_id) {
      throw Error(ErrorCode::kNotFound,
                  fmt::format("account {} not found", request.params.at("account_id")));
    }
  }

  auth::ServiceToken Find(const Request& request) const {
    CheckAccount(request);
    std::optional<auth::ServiceToken> token = tokens.Get(account_id, IdParam(request, "id"));
    if (!token) {
      throw Error(ErrorCode::kNotFound,
                  fmt::format("service token {} not found", request.params.at("id")));
    }
    return *token;
  }

  Response Create(const Request& request) const {
    CheckAccount(request);
    auth::CreatedToken created = tokens.Create(NewTokenOf(request, account_id));
    json data = TokenJson(created.token);
    data["token_string"] = created.token_string;
    return Envelope(std::move(data));
  }

  Response List(const Request& request) const {
    CheckAccount(request);
    // Larger pages are capped, as dbt Cloud does.
    int limit = std::min(request.IntQueryParam("limit", kMaxPageSize, 1, 1 << 30), kMaxPageSize);
    int offset = request.IntQueryParam("offset", 0, 0, 1 << 30);
    std::optional<int> state;
    json filters = json::object();
    if (request.QueryParam("state")) {
      state = request.IntQueryParam("state", 1, 1, 2);
      filters["state"] = *state;
    }
    std::int64_t total = 0;
    json data = json::array();
    for (const auto& token : tokens.List(account_id, state, limit, offset, total)) {
      data.push_back(TokenJson(token));
    }
    json extra = {{"filters", std::move(filters)},
                  {"order_by", "id"},
                  {"pagination", {{"count", data.size()}, {"total_count", total}}}};
    return Envelope(std::move(data), std::move(extra));
  }

  // PUT renames; POST (Terraform's form) may also set the state.
  Response Update(const Request& request, bool allow_state) const {
    auth::ServiceToken token = Find(request);
    json body = ParseBody(request);
    std::optional<std::string> name;
    if (body.contains("name")) name = StringField(body, "name", true);
    std::optional<int> state;
    if (allow_state && body.contains("state")) {
      if (!body["state"].is_number_integer()) {
        throw Error(ErrorCode::kInvalidArgument, "'state' must be 1 (active) or 2 (inactive)");
      }
      state = body["state"].get<int>();
    }
    if (!allow_state && !name) throw Error(ErrorCode::kInvalidArgument, "'name' is required");
    return Envelope(TokenJson(*tokens.Update(account_id, token.id, name, state)));
  }

  Response Delete(const Request& request) const {
    auth::ServiceToken token = Find(request);
    tokens.Update(account_id, token.id, std::nullopt, auth::kTokenInactive);
    Response response;
    response.status = 204;
    return response;
  }

  Response Permissions(const Request& request) const {
    auth::ServiceToken token = Find(request);
    json data = json::array();
    for (const auto& grant : token.grants) data.push_back(PermissionJson(token, grant));
    return Envelope(std::move(data));
  }
};

}  // namespace

void AddServiceTokenRoutes(Router& router, auth::TokenService& tokens, std::int64_t account_id) {
  auto api = std::make_shared<TokenApi>(TokenApi{tokens, account_id});
  const std::string base = "/api/v3/accounts/{account_id}/service-tokens/";
  router.AddAdmin(Method::kPost, base, BodyKind::kSmall,
                  "Create a service token; the only response with token_string",
                  [api](Request& r) { return api->Create(r); });
  router.AddAdmin(Method::kGet, base, BodyKind::kNone, "List service tokens",
                  [api](Request& r) { return api->List(r); });
  router.AddAdmin(Method::kGet, base + "{id}/", BodyKind::kNone,
                  "One service token (inactive ones too)",
                  [api](Request& r) { return Envelope(TokenJson(api->Find(r))); });
  router.AddAdmin(Method::kPut, base + "{id}/", BodyKind::kSmall, "Rename a service token",
                  [api](Request& r) { return api->Update(r, false); });
  router.AddAdmin(Method::kPost, base + "{id}/", BodyKind::kSmall,
                  "Update a service token (\"state\": 2 deactivates)",
                  [api](Request& r) { return api->Update(r, true); });
  router.AddAdmin(Method::kDelete, base + "{id}/", BodyKind::kNone,
                  "Deactivate a service token; the record stays for audit",
                  [api](Request& r) { return api->Delete(r); });
  router.AddAdmin(Method::kGet, base + "{id}/permissions/", BodyKind::kNone,
                  "The permission grants of a service token",
                  [api](Request& r) { return api->Permissions(r); });
}

void AddSessionRoute(Router& router, std::int64_t account_id) {
  router.Add({.method = Method::kGet,
              .pattern = "/api/v1/session",
              .handler =
                  [account_id](Request& request) {
                    const auth::Principal& principal = *request.principal;
                    return JsonResponse(200, json{{"token_id", principal.token_id},
                                                  {"name", principal.name},
                                                  {"access", auth::AccessName(principal.access)},
                                                  {"account_id", account_id}}
                                                 .dump());
                  },
              .summary = "Who the token is and what it may do (the web UI's log-in check)"});
}

}  // namespace cairn::server
