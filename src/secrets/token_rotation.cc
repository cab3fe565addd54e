#include "secrets/token_rotation.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/timestamp.h"

// The state machine. What a run does depends only on the secret it reads:
//
//   no pending_revocation_ids          pending_revocation_ids = [old...]
//   (idle: rotate)                     (a rotation was cut short: finish it)
//        |                                        |
//   1. create N (same name, grants)               |
//        |  after_create                          |
//   2. write secret {N, pending=[old]}            |
//        |  after_write                           |
//        +-------------------+--------------------+
//                            |
//   3. revoke every pending id           after_revoke
//   4. revoke every other active token of the name (duplicates)  after_duplicates
//   5. write secret {N, pending=[]}
//
// Invariants: the token the secret names is never revoked (steps 3 and 4
// skip it), and a token is revoked only after a durable write of the secret
// that no longer names it (2 before 3). So whatever step a run stops at,
// the secret holds a working token:
//   - stopped before 2: the secret still names the old, active token; N is
//     an active token of the name that the secret does not name, which the
//     next run's step 4 revokes as a duplicate (and it rotates afresh);
//   - stopped after 2: the secret names N and lists the old ids as pending;
//     the next run does 3-5 and creates nothing.
// Two runs at once on one secret are not guarded against: run one at a time.
namespace cairn::secrets {
namespace {

using json = nlohmann::json;

json GrantJson(const cloud::ServiceTokenGrant& grant) {
  return {{"permission_set", grant.permission_set},
          {"project_id", grant.project_id ? json(*grant.project_id) : json()},
          {"writable_environment_categories", grant.writable_environment_categories}};
}

cloud::ServiceTokenGrant GrantOf(const json& item, const std::string& where) {
  if (!item.is_object() || !item.contains("permission_set") ||
      !item["permission_set"].is_string()) {
    throw Error(ErrorCode::kParse, where + ": permission_grants needs string permission_set");
  }
  cloud::ServiceTokenGrant grant{.permission_set = item["permission_set"]};
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

std::int64_t IdOf(const json& value, const std::string& where) {
  // The notebook stores the id as it came (a number); a string of digits is read too.
  if (value.is_number_integer()) return value.get<std::int64_t>();
  if (value.is_string()) {
    const std::string text = value.get<std::string>();
    if (!text.empty() && std::all_of(text.begin(), text.end(), ::isdigit)) return std::stoll(text);
  }
  throw Error(ErrorCode::kParse, where + ": service_token_id must be an integer");
}

// The name and grants of the token to create: asked for, else the secret's,
// else those of the token it names.
void ChooseNameAndGrants(cloud::ServiceTokenApi& api, const RotationSecret& secret,
                         const RotationRequest& request, std::string& name,
                         std::vector<cloud::ServiceTokenGrant>& grants) {
  name = !request.name.empty() ? request.name : secret.token_name;
  grants = !request.grants.empty() ? request.grants : secret.permission_grants;
  if ((name.empty() || grants.empty()) && secret.service_token_id != 0) {
    if (std::optional<cloud::ServiceTokenInfo> current = api.Get(secret.service_token_id)) {
      if (name.empty()) name = current->name;
      if (grants.empty()) grants = current->grants;
    }
  }
  if (name.empty()) {
    throw Error(ErrorCode::kInvalidArgument,
                "no token name: the secret names no token; give --name for the first rotation");
  }
  if (grants.empty()) {
    throw Error(ErrorCode::kInvalidArgument,
                fmt::format("no permission grants for '{}': give --permission-set", name));
  }
}

void Step(const StepHook& after_step, std::string_view name) {
  if (after_step) after_step(name);
}

}  // namespace

std::string RotationSecretJson(const RotationSecret& secret) {
  json grants = json::array();
  for (const auto& grant : secret.permission_grants) grants.push_back(GrantJson(grant));
  return json{{"service_token_id", secret.service_token_id},
              {"service_token", secret.service_token},
              {"last_rotated_datetime_utc", secret.last_rotated_datetime_utc},
              {"token_name", secret.token_name},
              {"permission_grants", std::move(grants)},
              {"pending_revocation_ids", secret.pending_revocation_ids}}
      .dump();
}

RotationSecret ParseRotationSecret(const std::string& text, const std::string& where) {
  const json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded() || !value.is_object()) {
    throw Error(ErrorCode::kParse, where + ": the secret is not a JSON object");
  }
  RotationSecret secret;
  if (auto it = value.find("service_token_id"); it != value.end() && !it->is_null()) {
    secret.service_token_id = IdOf(*it, where);
  }
  secret.service_token = value.value("service_token", "");
  secret.last_rotated_datetime_utc = value.value("last_rotated_datetime_utc", "");
  secret.token_name = value.value("token_name", "");
  if (auto it = value.find("permission_grants"); it != value.end() && it->is_array()) {
    for (const json& item : *it) secret.permission_grants.push_back(GrantOf(item, where));
  }
  if (auto it = value.find("pending_revocation_ids"); it != value.end() && it->is_array()) {
    for (const json& id : *it) secret.pending_revocation_ids.push_back(IdOf(id, where));
  }
  return secret;
}

RotationReport RotateServiceToken(cloud::ServiceTokenApi& api, SecretStore& store,
                                  const RotationRequest& request, const StepHook& after_step) {
  const std::string where = store.Describe();
  std::optional<std::string> stored = store.Read();
  RotationSecret secret = stored ? ParseRotationSecret(*stored, where) : RotationSecret{};
  RotationReport report;

  if (secret.pending_revocation_ids.empty()) {
    std::string name;
    std::vector<cloud::ServiceTokenGrant> grants;
    ChooseNameAndGrants(api, secret, request, name, grants);
    cloud::CreatedServiceToken created = api.Create(name, grants);
    Step(after_step, "rotate.after_create");
    if (secret.service_token_id != 0) {
      report.previous_id = secret.service_token_id;
      secret.pending_revocation_ids.push_back(secret.service_token_id);
    }
    secret.service_token_id = created.token.id;
    secret.service_token = std::move(created.token_string);
    secret.last_rotated_datetime_utc = FormatUtcTimestamp(std::chrono::system_clock::now());
    secret.token_name = name;
    secret.permission_grants = grants;
    store.Write(RotationSecretJson(secret));
    Step(after_step, "rotate.after_write");
  } else {
    report.resumed = true;
    if (secret.token_name.empty()) {
      throw Error(ErrorCode::kParse, where + ": pending revocations but no token_name");
    }
  }
  report.name = secret.token_name;
  report.current_id = secret.service_token_id;

  for (std::int64_t id : secret.pending_revocation_ids) {
    if (id == secret.service_token_id) continue;
    api.Delete(id);
    report.revoked_ids.push_back(id);
  }
  Step(after_step, "rotate.after_revoke");
  for (const cloud::ServiceTokenInfo& token : api.ListActive()) {
    if (token.name != secret.token_name || token.id == secret.service_token_id) continue;
    if (std::find(report.revoked_ids.begin(), report.revoked_ids.end(), token.id) !=
        report.revoked_ids.end()) {
      continue;
    }
    api.Delete(token.id);
    report.duplicate_ids.push_back(token.id);
  }
  Step(after_step, "rotate.after_duplicates");
  secret.pending_revocation_ids.clear();
  store.Write(RotationSecretJson(secret));
  return report;
}

}  // namespace cairn::secrets
