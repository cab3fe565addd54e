#pragma once

#include <string_view>

#include "server/http/router.h"

namespace cairn::server {

// The OpenAPI 3 document of Cairn's HTTP API (src/server/api/openapi.json,
// compiled in). A test checks that it lists exactly the routes the server has.
std::string_view OpenApiDocument();

// GET /api/v1/openapi.json.
void AddOpenApiRoute(Router& router);

}  // namespace cairn::server
