#include "server/serve.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <ostream>

#include "catalog/store.h"
#include "catalog/store_pool.h"
#include "server/api/catalog_routes.h"
#include "server/api/openapi_document.h"
#include "server/api/response_cache.h"
#include "server/http/http_server.h"
#include "server/http/metrics.h"
#include "server/http/router.h"

namespace cairn::server {
namespace {

// "sqlite:PATH" or PATH -> the directory holding the catalog file.
std::filesystem::path CatalogDirectory(const std::string& db_url) {
  std::string path = db_url.starts_with("sqlite:") ? db_url.substr(7) : db_url;
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? std::filesystem::path(".") : parent;
}

void AddServerRoutes(Router& router, Metrics& metrics) {
  router.Add({.method = Method::kGet,
              .pattern = "/healthz",
              .access = auth::Access::kNone,
              .handler = [](Request&) { return JsonResponse(200, R"({"status":"ok"})"); },
              .summary = "Liveness: 200 while the server runs (no token needed)"});
  router.Add({.method = Method::kGet,
              .pattern = "/metrics",
              .handler =
                  [&metrics](Request&) {
                    Response response;
                    response.content_type = "text/plain; version=0.0.4";
                    response.body = metrics.Render();
                    return response;
                  },
              .summary = "Prometheus metrics"});
  AddOpenApiRoute(router);
}

// Catalog sizes for /metrics, read on the scraping thread's store.
void AddCatalogCollector(Metrics& metrics, catalog::StorePool& stores) {
  metrics.AddCollector([&stores](std::string& out) {
    catalog::CatalogCounts counts = stores.ForThisThread().Counts();
    out += "# HELP cairn_catalog_entities Entities in the catalog by kind.\n";
    out += "# TYPE cairn_catalog_entities gauge\n";
    for (const auto& [kind, value] : {std::pair{"services", counts.services},
                                      {"tables", counts.tables},
                                      {"columns", counts.columns},
                                      {"dbt_nodes", counts.nodes},
                                      {"lineage_edges", counts.lineage_edges},
                                      {"invocations", counts.invocations},
                                      {"runs", counts.runs}}) {
      out += fmt::format("cairn_catalog_entities{{kind=\"{}\"}} {}\n", kind, value);
    }
  });
}

}  // namespace

}  // namespace cairn::server
