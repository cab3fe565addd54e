#include "server/http/http_types.h"

#include <fmt/format.h>

#include <charconv>
#include <nlohmann/json.hpp>

namespace cairn::server {
namespace {

const char* StatusCodeName(int status) {
  switch (status) {
    case 400:
      return "bad_request";
    case 401:
      return "unauthorized";
    case 403:
      return "forbidden";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 409:
      return "conflict";
    case 413:
      return "payload_too_large";
    case 415:
      return "unsupported_media_type";
    case 422:
      return "unprocessable_entity";
    case 503:
      return "unavailable";
    default:
      return status >= 500 ? "internal_error" : "error";
  }
}

}  // namespace

const char* MethodName(Method method) {
  switch (method) {
    case Method::kGet:
      return "GET";
    case Method::kHead:
      return "HEAD";
    case Method::kPost:
      return "POST";
    case Method::kPut:
      return "PUT";
    case Method::kPatch:
      return "PATCH";
    case Method::kDelete:
      return "DELETE";
    case Method::kOptions:
      return "OPTIONS";
    case Method::kOther:
      break;
  }
  return "OTHER";
}

std::string_view Request::Header(std::string_view name) const {
  auto it = headers.find(std::string(name));
  return it == headers.end() ? std::string_view() : std::string_view(it->second);
}

std::optional<std::string> Request::QueryParam(std::string_view name) const {
  auto it = query.find(std::string(name));
  if (it == query.end()) return std::nullopt;
  return it->second;
}

int Request::IntQueryParam(std::string_view name, int fallback, int min, int max) const {
  auto it = query.find(std::string(name));
  if (it == query.end()) return fallback;
  std::string_view text = it->second;
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    throw Error(
        ErrorCode::kInvalidArgument,
        fmt::format("query parameter '{}' must be an integer from {} to {}", name, min, max));
  }
  return value;
}

Response ErrorResponse(std::string_view path, int status, std::string_view message) {
  nlohmann::json body;
  if (path.starts_with("/api/v3/")) {
    body = {{"status",
             {{"code", status},
              {"is_success", false},
              {"user_message", message},
              {"developer_message", StatusCodeName(status)}}},
            {"data", nullptr}};
  } else {
    body = {
        {"error", {{"status", status}, {"code", StatusCodeName(status)}, {"message", message}}}};
  }
  return JsonResponse(status, body.dump());
}

int HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kInvalidConfig:
    case ErrorCode::kParse:
      return 400;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kInconsistent:
      return 409;
    case ErrorCode::kUnsupported:
      return 422;
    case ErrorCode::kStorage:
    case ErrorCode::kIo:
    case ErrorCode::kInternal:
      break;
  }
  return 500;
}

Response ErrorResponseFor(std::string_view path, const Error& error) {
  return ErrorResponse(path, HttpStatusFor(error.code()), error.what());
}

Response JsonResponse(int status, std::string body) {
  Response response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

Response JsonResponse(int status, std::shared_ptr<const std::string> body) {
  Response response;
  response.status = status;
  response.shared_body = std::move(body);
  return response;
}

}  // namespace cairn::server
