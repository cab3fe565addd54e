#pragma once

#include <cstdint>

#include "auth/token_service.h"
#include "server/http/router.h"

namespace cairn::server {

// Service tokens in the shape of dbt Cloud's Admin API v3
// (/api/v3/accounts/{account_id}/service-tokens/...): {"status", "data"}
// envelopes, token_string only in the create response, state 1/2, DELETE
// deactivates and keeps the record. Admin tokens only. `account_id` is the
// one account this Cairn serves; other ids are 404. `tokens` must outlive
// the router.
void AddServiceTokenRoutes(Router& router, auth::TokenService& tokens, std::int64_t account_id);

// GET /api/v1/session: the calling token's id, name and access level
// ("read", "ingest" or "admin") and the account, so that a client (the web
// UI) can check a token and show only what it may do. Any readable token.
void AddSessionRoute(Router& router, std::int64_t account_id);

}  // namespace cairn::server
