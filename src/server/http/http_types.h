#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/principal.h"
#include "core/error.h"

// Plain request/response types shared by the HTTP core (Boost.Beast, kept
// inside src/server/http/*.cc) and the route handlers, so that handlers never
// include Beast headers and compile fast.
namespace cairn::server {

enum class Method { kGet, kHead, kPost, kPut, kPatch, kDelete, kOptions, kOther };

const char* MethodName(Method method);

struct Request {
  Method method = Method::kGet;
  std::string target;                             // as sent: path and query
  std::string path;                               // percent-decoded path without the query
  std::multimap<std::string, std::string> query;  // percent-decoded query parameters
  std::map<std::string, std::string> headers;     // names lower-cased
  std::map<std::string, std::string> params;      // from the route pattern's {name} segments
  std::string remote_address;

  // Small bodies (JSON) are held in `body`. Upload routes stream the body to
  // a temporary file instead: `body_file` names it and the HTTP core deletes
  // it after the handler returns (a handler that keeps it must move it away).
  std::string body;
  std::filesystem::path body_file;
  std::uint64_t body_size = 0;

  // Set by the HTTP core from the Authorization header before the handler
  // runs; empty only on public routes (/healthz).
  std::optional<auth::Principal> principal;

  // A header's value, or "" when absent; `name` is lower case.
  std::string_view Header(std::string_view name) const;
  // The first value of a query parameter, or nullopt.
  std::optional<std::string> QueryParam(std::string_view name) const;
  // An integer query parameter within [min, max], or `fallback` when absent;
  // throws cairn::Error(kInvalidArgument) naming the parameter otherwise.
  int IntQueryParam(std::string_view name, int fallback, int min, int max) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // When set, the body is this string, shared with whoever else holds it
  // (the response cache) and sent without a copy; `body` is ignored.
  std::shared_ptr<const std::string> shared_body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  // When set, the body is this file's contents (static assets), sent from
  // disk; `body` is ignored.
  std::filesystem::path file;

  // The body, wherever it is held (not a file's).
  std::string_view Text() const { return shared_body ? std::string_view(*shared_body) : body; }
};

// The JSON error body every route uses, so clients parse one shape:
// under /api/v3/ dbt Cloud's envelope
//   {"status": {"code", "is_success": false, "user_message", "developer_message"}, "data": null}
// elsewhere
//   {"error": {"status": 404, "code": "not_found", "message": "..."}}
Response ErrorResponse(std::string_view path, int status, std::string_view message);

// The HTTP status of a failure of this kind (core/error.h): bad input 400,
// missing 404, inconsistent input 409, unsupported 422, everything else 500.
int HttpStatusFor(ErrorCode code);

// ErrorResponse for a cairn::Error thrown by a handler.
Response ErrorResponseFor(std::string_view path, const Error& error);

// A JSON response from already serialised text.
Response JsonResponse(int status, std::string body);
Response JsonResponse(int status, std::shared_ptr<const std::string> body);

}  // namespace cairn::server
