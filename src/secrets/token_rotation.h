#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cloud/service_token_client.h"
#include "secrets/secret_store.h"

// Service-token rotation into a secret store, as one resumable operation
// (docs/token-rotation.md). The state machine is in token_rotation.cc.
namespace cairn::secrets {

// The secret's JSON: the seed notebook's three fields, and Cairn's own for
// resuming (unknown fields are ignored on read, so the notebook's readers
// keep working).
struct RotationSecret {
  std::int64_t service_token_id = 0;  // 0: none yet
  std::string service_token;          // secret
  std::string last_rotated_datetime_utc;
  std::string token_name;
  std::vector<cloud::ServiceTokenGrant> permission_grants;
  // Tokens replaced by `service_token_id` that may still be active: the
  // next steps (or the next run) revoke them.
  std::vector<std::int64_t> pending_revocation_ids;
};

std::string RotationSecretJson(const RotationSecret& secret);
// Throws kParse naming `where` (never the value) when it is not such JSON.
RotationSecret ParseRotationSecret(const std::string& text, const std::string& where);

struct RotationRequest {
  std::string name;                              // empty: the name kept in the secret
  std::vector<cloud::ServiceTokenGrant> grants;  // empty: the current token's
};

// What a run did: ids only, never token strings.
struct RotationReport {
  std::string name;
  bool resumed = false;  // a previous run's rotation was completed, none started
  std::optional<std::int64_t> previous_id;
  std::int64_t current_id = 0;
  std::vector<std::int64_t> revoked_ids;    // replaced tokens revoked
  std::vector<std::int64_t> duplicate_ids;  // other active tokens of the name revoked
};

// Called after each step with its name ("rotate.after_create",
// "rotate.after_write", "rotate.after_revoke", "rotate.after_duplicates");
// tests and the CLI's failpoint stop a run there.
using StepHook = std::function<void(std::string_view step)>;

RotationReport RotateServiceToken(cloud::ServiceTokenApi& api, SecretStore& store,
                                  const RotationRequest& request,
                                  const StepHook& after_step = nullptr);

}  // namespace cairn::secrets
