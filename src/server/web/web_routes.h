#pragma once

#include "server/http/router.h"

namespace cairn::server {

// The web UI (web/, built into the binary): GET / is its page and
// GET /assets/{path...} its scripts and styles. These two are public, the
// one exception to "every route but /healthz needs a token": they are the
// same static files for everyone and hold no catalog data; the page asks
// for a service token and sends it with every API call it makes.
void AddWebRoutes(Router& router);

// The response for one asset path ("/index.html", "/assets/x.js"), gzip
// when the client accepts it; 404 for an unknown path. Exposed for tests.
Response WebAssetResponse(std::string_view path, std::string_view accept_encoding);

}  // namespace cairn::server
