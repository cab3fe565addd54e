#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "auth/principal.h"
#include "server/http/metrics.h"
#include "server/http/router.h"

namespace cairn::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: pick a free port (see HttpServer::port())
  int io_threads = 2;
  std::uint64_t max_small_body = 1 << 20;      // JSON and form bodies
  std::uint64_t max_upload_body = 4ULL << 30;  // artifact uploads
  std::filesystem::path upload_dir;            // temp files for uploads
  std::filesystem::path tls_cert;              // PEM; both set = HTTPS
  std::filesystem::path tls_key;
  int header_timeout_seconds = 30;  // a client must send its headers in this time
  int idle_timeout_seconds = 60;    // keep-alive connections idle longer are closed
};

// The HTTP(S) server: Boost.Beast on a pool of I/O threads. For each request:
// route lookup (404/405), authentication and access check from the headers
// alone (401/403, before any body is read), body size limit (413), the body
// read into memory or streamed to a temporary file as the route says, the
// handler, one access-log line (JSON on the "access" logger, no secrets) and
// the request metrics.
class HttpServer {
 public:
  HttpServer(ServerOptions options, const Router& router, auth::Authenticator& authenticator,
             Metrics& metrics);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting; returns once listening. Throws cairn::Error
  // (kIo) when the address cannot be bound or the TLS files are bad.
  void Start();
  // The bound port (useful with port 0).
  std::uint16_t port() const;
  // "http://127.0.0.1:8080" or "https://…".
  std::string url() const;

  // Stops accepting, lets in-flight requests finish (up to `grace_seconds`),
  // then closes idle keep-alive connections and joins the I/O threads.
  void Shutdown(int grace_seconds = 30);

  // Blocks until SIGINT or SIGTERM arrives, then returns (the caller shuts
  // down in order: server, extraction runs, store).
  static void WaitForStopSignal();

  // The Beast side, defined in http_server.cc only.
  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace cairn::server
