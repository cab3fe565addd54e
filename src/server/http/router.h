#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/principal.h"
#include "server/http/http_types.h"

namespace cairn::server {

using Handler = std::function<Response(Request&)>;

// How the HTTP core receives a route's body, decided from the headers alone
// so that an upload is never held in memory.
enum class BodyKind {
  kNone,    // no body expected (GET, DELETE); a small one is read and ignored
  kSmall,   // JSON or form fields, held in Request::body (ServerOptions::max_small_body)
  kUpload,  // streamed to a temporary file, Request::body_file (ServerOptions::max_upload_body)
};

struct Route {
  Method method = Method::kGet;
  // Literal segments and {name} captures, e.g. "/api/v1/entities/{fqn}".
  // A trailing "{name...}" captures the rest of the path, slashes included.
  // A trailing slash is optional when matching ("/integration/dbt/manifest"
  // also matches), as clients of Secoda's and dbt Cloud's APIs differ.
  std::string pattern;
  auth::Access access = auth::Access::kRead;  // kNone = public (no token needed)
  BodyKind body = BodyKind::kNone;
  Handler handler;
  std::string summary;  // one line, for the OpenAPI document
  // Writes may wait for the catalog's write lock while an extraction applies
  // a large project; such handlers (and uploads) run on a pool of their own
  // so that reads on the I/O threads never wait behind them.
  bool writes = false;
};

// Matches requests to routes. Built once at start-up, then read-only, so it
// is shared by all I/O threads without locks.
class Router {
 public:
  void Add(Route route);
  // A route only admins may call, writing unless it is a GET: the shape of
  // the service-token and credential-block APIs.
  void AddAdmin(Method method, std::string pattern, BodyKind body, std::string summary,
                Handler handler);

  struct Match {
    const Route* route = nullptr;     // nullptr: no route
    bool method_not_allowed = false;  // the path exists with other methods
    std::map<std::string, std::string> params;
  };
  Match Find(Method method, std::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace cairn::server
