#pragma once

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <string>

#include "auth/jwt_settings.h"

namespace cairn::auth {
class CredentialBlocks;
class TokenService;
}  // namespace cairn::auth
namespace cairn::catalog {
class StorePool;
}
namespace cairn::ingest {
class ExtractionService;
}

namespace cairn::server {

class Metrics;
class ResponseCache;
class Router;
class SyncScheduler;

struct ServeOptions {
  // sqlite:PATH (or a path), or a postgresql:// URL that any number of
  // instances share (then CAIRN_SECRET_KEY must be set, the same for all).
  std::string db_url = "sqlite:cairn.db";
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: any free port
  int io_threads = 2;
  int extraction_workers = 2;
  // Uploaded artifacts and the temp files of uploads in progress, one per
  // instance; default: "cairn-data" beside an SQLite catalog's file,
  // ./cairn-data with PostgreSQL.
  std::filesystem::path data_dir;
  std::filesystem::path tls_cert;
  std::filesystem::path tls_key;
  std::uint64_t max_upload_bytes = 4ULL << 30;
  std::int64_t account_id = 1;    // the account of the dbt Cloud-shaped v3 API
  std::size_t cache_mb = 64;      // cached API responses; 0: no cache
  std::filesystem::path web_dir;  // the built web UI; empty: none
  int shutdown_grace_seconds = 30;
  // Bucket syncs' HTTP requests: how long one may receive nothing, and how
  // many times one is tried.
  double bucket_stall_timeout_seconds = 30;
  int bucket_attempts = 4;
  // The JWTs accepted besides service tokens (none unless configured).
  auth::JwtSettings jwt;
};

// What the routes of the whole API are served from.
struct ApiParts {
  catalog::StorePool& stores;
  ResponseCache& cache;
  auth::TokenService& tokens;
  ingest::ExtractionService& extraction;
  SyncScheduler& syncs;
  Metrics& metrics;
  std::int64_t account_id;
  auth::CredentialBlocks& credentials;
};

// Every route `cairn serve` has: /healthz, /metrics, the OpenAPI document,
// the catalog API, service tokens, integrations and uploads, credential
// blocks.
void AddAllRoutes(Router& router, const ApiParts& parts);

// `cairn serve`: opens (and migrates) the catalog, makes sure an admin token
// exists (printing a new one once on `out`), recovers extraction runs a
// previous process left unfinished, serves the REST APIs until SIGINT or
// SIGTERM, then stops in order: no new requests, in-flight requests finish,
// the bucket sync scheduler stops, extraction runs finish, the store closes. Prints "Cairn is
// serving URL". Returns the process exit code; throws cairn::Error when it cannot start.
int Serve(const ServeOptions& options, std::ostream& out);

}  // namespace cairn::server
