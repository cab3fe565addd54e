#include "server/api/credential_routes.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace cairn::server {
namespace {

using nlohmann::json;

// A string field; account_id may also be a number, as dbt Cloud's own API
// writes it.
std::string StringField(const json& body, const char* name, bool required,
                        bool allow_number = false) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) {
    if (required) throw Error(ErrorCode::kInvalidArgument, fmt::format("'{}' is required", name));
    return "";
  }
  if (allow_number && it->is_number_unsigned()) return std::to_string(it->get<std::uint64_t>());
  if (!it->is_string()) {
    throw Error(ErrorCode::kInvalidArgument, fmt::format("'{}' must be a string", name));
  }
  return it->get<std::string>();
}

// {"type": "dbt-cloud", "name", "account_id", "api_key", "domain"?,
// "access_url"?, "discovery_url"?}. Whatever is wrong is said without the key.
Response Create(auth::CredentialBlocks& blocks, const Request& request) {
  json body = json::parse(request.body, nullptr, false);
  if (!body.is_object()) throw Error(ErrorCode::kInvalidArgument, "the body must be a JSON object");
  std::string type = StringField(body, "type", false);
  if (type.empty()) type = auth::kDbtCloudBlock;
  cloud::DbtCloudCredentials fields{.account_id = StringField(body, "account_id", true, true),
                                    .api_key = StringField(body, "api_key", true),
                                    .access_url = StringField(body, "access_url", false),
                                    .discovery_url = StringField(body, "discovery_url", false)};
  if (std::string domain = StringField(body, "domain", false); !domain.empty()) {
    fields.domain = domain;
  }
  auth::CredentialBlock created = blocks.Create(type, StringField(body, "name", true), fields);
  return JsonResponse(201, auth::CredentialBlockJson(created).dump());
}

Response List(auth::CredentialBlocks& blocks) {
  json items = json::array();
  for (const auth::CredentialBlock& block : blocks.List()) {
    items.push_back(auth::CredentialBlockJson(block));
  }
  return JsonResponse(200, json{{"items", std::move(items)}}.dump());
}

}  // namespace

void AddCredentialRoutes(Router& router, auth::CredentialBlocks& blocks) {
  router.AddAdmin(
      Method::kPost, "/api/v1/credentials", BodyKind::kSmall,
      "Create a credential block (type dbt-cloud); the API key is accepted here and never "
      "returned",
      [&blocks](Request& request) { return Create(blocks, request); });
  router.AddAdmin(Method::kGet, "/api/v1/credentials", BodyKind::kNone,
                  "List credential blocks, keys masked",
                  [&blocks](Request&) { return List(blocks); });
  router.AddAdmin(Method::kGet, "/api/v1/credentials/{name}", BodyKind::kNone,
                  "One credential block, its key masked", [&blocks](Request& request) {
                    return JsonResponse(
                        200,
                        auth::CredentialBlockJson(blocks.Get(request.params.at("name"))).dump());
                  });
  router.AddAdmin(Method::kDelete, "/api/v1/credentials/{name}", BodyKind::kNone,
                  "Delete a credential block and its key", [&blocks](Request& request) {
                    blocks.Delete(request.params.at("name"));
                    Response response;
                    response.status = 204;
                    return response;
                  });
}

}  // namespace cairn::server
