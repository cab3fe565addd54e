#include "server/serve.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <ostream>

#include "auth/bearer_authenticator.h"
#include "auth/credential_store.h"
#include "auth/jwt_verifier.h"
#include "auth/token_service.h"
#include "auth/token_store.h"
#include "catalog/database_url.h"
#include "catalog/postgres/connection.h"
#include "catalog/store.h"
#include "catalog/store_pool.h"
#include "core/error.h"
#include "core/secret_cipher.h"
#include "ingest/runs/extraction_service.h"
#include "ingest/runs/run_store.h"
#include "server/api/catalog_routes.h"
#include "server/api/credential_routes.h"
#include "server/api/integration_routes.h"
#include "server/api/openapi_document.h"
#include "server/api/response_cache.h"
#include "server/api/service_token_routes.h"
#include "server/api/snapshot_routes.h"
#include "server/http/http_server.h"
#include "server/http/metrics.h"
#include "server/http/router.h"
#include "server/sync/sync_scheduler.h"
#include "server/sync/sync_state_store.h"
#include "server/web/web_routes.h"

namespace cairn::server {
namespace {

namespace fs = std::filesystem;

// Uploaded artifacts go beside an SQLite catalog's file; a PostgreSQL
// database has no place on this host, so they go under the working
// directory. Several instances on one host each need their own.
fs::path DefaultDataDir(const std::string& db_url) {
  if (catalog::postgres::IsPostgresUrl(db_url)) return "cairn-data";
  fs::path parent = fs::path(catalog::SqlitePathOf(db_url)).parent_path();
  return (parent.empty() ? fs::path(".") : parent) / "cairn-data";
}

// The database as the start-up line shows it: never a password.
std::string ShownDatabase(const std::string& db_url) {
  if (catalog::postgres::IsPostgresUrl(db_url)) return catalog::postgres::RedactedUrl(db_url);
  return catalog::SqlitePathOf(db_url);
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

SyncSchedulerOptions BucketSyncOptions(const ServeOptions& options) {
  SyncSchedulerOptions sync;
  sync.http.stall_timeout = std::chrono::milliseconds(
      static_cast<std::int64_t>(options.bucket_stall_timeout_seconds * 1000));
  sync.http.max_attempts = options.bucket_attempts;
  return sync;
}

}  // namespace

void AddAllRoutes(Router& router, const ApiParts& parts) {
  AddServerRoutes(router, parts.metrics);
  AddCatalogRoutes(router, parts.stores, parts.cache);
  AddSnapshotRoutes(router, parts.stores, parts.cache);
  AddServiceTokenRoutes(router, parts.tokens, parts.account_id);
  AddSessionRoute(router, parts.account_id);
  AddIntegrationRoutes(router, parts.extraction, parts.syncs);
  AddDbtUploadRoutes(router, parts.extraction, parts.syncs);
  AddCredentialRoutes(router, parts.credentials);
  AddWebRoutes(router);
}

int Serve(const ServeOptions& options, std::ostream& out) {
  // Integrations' settings and credential blocks hold keys: sealed in the
  // database with a key kept outside it (a PostgreSQL database needs
  // CAIRN_SECRET_KEY, checked before anything is opened).
  SecretCipher cipher(auth::ServerSecretKey(options.db_url));
  // The catalog is opened (and migrated) first: tokens and runs share its database.
  catalog::OpenStore(options.db_url);
  fs::path data_dir = options.data_dir.empty() ? DefaultDataDir(options.db_url) : options.data_dir;

  std::unique_ptr<auth::TokenStore> token_store = auth::OpenTokenStore(options.db_url);
  auth::TokenService tokens(*token_store);
  const char* operator_token = std::getenv("CAIRN_ADMIN_TOKEN");
  if (auto created =
          tokens.EnsureBootstrapToken(options.account_id, operator_token ? operator_token : "")) {
    out << "Admin token, shown this once (keep it in your secret store): " << *created << "\n";
  }

  std::unique_ptr<ingest::RunStore> run_store = ingest::OpenRunStore(options.db_url, &cipher);
  ingest::ExtractionService extraction(
      *run_store,
      {.db_url = options.db_url, .data_dir = data_dir, .workers = options.extraction_workers});
  extraction.Start();
  // Credential blocks: the same rows and key as `cairn credentials`.
  std::unique_ptr<auth::CredentialStore> credential_store =
      auth::OpenCredentialStore(options.db_url);
  auth::CredentialBlocks credentials(*credential_store, cipher);
  std::unique_ptr<SyncStateStore> sync_state = OpenSyncStateStore(options.db_url);
  SyncSchedulerOptions sync_options = BucketSyncOptions(options);
  sync_options.dbt_cloud_credentials = [&credentials](const std::string& name) {
    return credentials.DbtCloud(name);
  };
  SyncScheduler syncs(extraction, *sync_state, sync_options);

  catalog::StorePool stores(options.db_url);
  ResponseCache cache(options.cache_mb << 20);
  Metrics metrics;
  metrics.AddCollector([&extraction](std::string& text) { extraction.CollectMetrics(text); });
  AddCatalogCollector(metrics, stores);
  Router router;
  AddAllRoutes(router, {.stores = stores,
                        .cache = cache,
                        .tokens = tokens,
                        .extraction = extraction,
                        .syncs = syncs,
                        .metrics = metrics,
                        .account_id = options.account_id,
                        .credentials = credentials});

  ServerOptions server_options;
  server_options.host = options.host;
  server_options.port = options.port;
  server_options.io_threads = options.io_threads;
  server_options.max_upload_body = options.max_upload_bytes;
  server_options.upload_dir = extraction.upload_dir();
  server_options.tls_cert = options.tls_cert;
  server_options.tls_key = options.tls_key;
  std::optional<auth::JwtVerifier> jwts;
  if (options.jwt.enabled()) jwts.emplace(options.jwt);
  auth::BearerAuthenticator authenticator(tokens, jwts ? &*jwts : nullptr);
  HttpServer server(server_options, router, authenticator, metrics);
  server.Start();
  syncs.Start();
  out << "Cairn is serving " << server.url() << "  (catalog " << ShownDatabase(options.db_url)
      << ", artifacts " << data_dir.string() << ")\n"
      << std::flush;

  HttpServer::WaitForStopSignal();
  spdlog::info("stopping: finishing the requests in flight");
  server.Shutdown(options.shutdown_grace_seconds);
  spdlog::info("stopping: the bucket syncs in flight finish their request");
  syncs.Stop();
  spdlog::info("stopping: finishing the extraction runs in flight");
  extraction.Drain();
  tokens.FlushLastUsed();
  spdlog::info("stopped");
  return 0;
}

}  // namespace cairn::server
