#include <string>

#include "server/api/openapi_document.h"

namespace cairn::server {

void AddOpenApiRoute(Router& router) {
  router.Add({.method = Method::kGet,
              .pattern = "/api/v1/openapi.json",
              .handler = [](Request&) { return JsonResponse(200, std::string(OpenApiDocument())); },
              .summary = "This document"});
}

}  // namespace cairn::server
