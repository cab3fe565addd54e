#include "server/serve.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "auth/credential_store.h"
#include "auth/token_service.h"
#include "catalog/store.h"
#include "catalog/store_pool.h"
#include "ingest/runs/extraction_service.h"
#include "server/api/openapi_document.h"
#include "server/api/response_cache.h"
#include "server/http/metrics.h"
#include "server/sync/sync_scheduler.h"
#include "server/sync/sync_state_store.h"

namespace cairn::server {
namespace {

namespace fs = std::filesystem;

// {path}s in OpenAPI and in routes name the same segments; route patterns
// may leave off the trailing slash the document shows, and write a capture
// of the rest of the path as {name...} where OpenAPI has {name}.
std::string Normalise(std::string path) {
  if (path.size() > 1 && path.back() == '/') path.pop_back();
  for (std::size_t at = path.find("...}"); at != std::string::npos; at = path.find("...}")) {
    path.erase(at, 3);
  }
  return path;
}

TEST(ServeTest, TheOpenApiDocumentListsExactlyTheRoutes) {
  fs::path dir = fs::temp_directory_path() / ("cairn_serve_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::string path = (dir / "cairn.db").string();
  catalog::OpenStore("sqlite:" + path);
  auto token_store = auth::OpenSqliteTokenStore(path);
  auth::TokenService tokens(*token_store);
  auto run_store = ingest::OpenSqliteRunStore(path);
  ingest::ExtractionService extraction(*run_store, {.db_url = "sqlite:" + path, .data_dir = dir});
  auto sync_state = OpenSqliteSyncStateStore(path);
  SyncScheduler syncs(extraction, *sync_state);
  auto credential_store = auth::OpenSqliteCredentialStore(path);
  SecretCipher cipher(std::string(SecretCipher::kKeyBytes, 'k'));
  auth::CredentialBlocks credentials(*credential_store, cipher);
  catalog::StorePool stores("sqlite:" + path);
  ResponseCache cache;
  Metrics metrics;
  Router router;
  AddAllRoutes(router, {stores, cache, tokens, extraction, syncs, metrics, 1, credentials});

  nlohmann::json document = nlohmann::json::parse(OpenApiDocument());
  std::set<std::string> documented;
  for (const auto& [doc_path, operations] : document["paths"].items()) {
    for (const auto& [method, operation] : operations.items()) {
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.insert(upper + " " + Normalise(doc_path));
      EXPECT_TRUE(operation.contains("summary")) << method << " " << doc_path;
    }
  }
  std::set<std::string> routed;
  for (const Route& route : router.routes()) {
    routed.insert(std::string(MethodName(route.method)) + " " + Normalise(route.pattern));
    EXPECT_FALSE(route.summary.empty()) << route.pattern;
  }
  EXPECT_EQ(routed, documented);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cairn::server
