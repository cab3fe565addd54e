#include "server/http/router.h"

#include <optional>
#include <utility>

namespace cairn::server {
namespace {

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> segments;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    std::size_t end = path.find('/');
    segments.push_back(path.substr(0, end));
    path.remove_prefix(end == std::string_view::npos ? path.size() : end);
  }
  return segments;
}

// The captures of `pattern` on `path`, or nullopt when it does not match.
std::optional<std::map<std::string, std::string>> MatchPattern(std::string_view pattern,
                                                               std::string_view path) {
  std::vector<std::string_view> want = Segments(pattern);
  std::vector<std::string_view> have = Segments(path);
  std::map<std::string, std::string> params;
  for (std::size_t i = 0; i < want.size(); ++i) {
    std::string_view segment = want[i];
    bool capture = segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
    if (capture && segment.ends_with("...}")) {
      if (i >= have.size()) return std::nullopt;
      // The rest of the path, slashes included, from the original text.
      std::size_t start = static_cast<std::size_t>(have[i].data() - path.data());
      params.emplace(std::string(segment.substr(1, segment.size() - 5)),
                     std::string(path.substr(start)));
      return params;
    }
    if (i >= have.size()) return std::nullopt;
    if (capture) {
      params.emplace(std::string(segment.substr(1, segment.size() - 2)), std::string(have[i]));
    } else if (segment != have[i]) {
      return std::nullopt;
    }
  }
  if (have.size() != want.size()) return std::nullopt;
  return params;
}

}  // namespace

void Router::Add(Route route) {
  routes_.push_back(std::move(route));
}

void Router::AddAdmin(Method method, std::string pattern, BodyKind body, std::string summary,
                      Handler handler) {
  Add({.method = method,
       .pattern = std::move(pattern),
       .access = auth::Access::kAdmin,
       .body = body,
       .handler = std::move(handler),
       .summary = std::move(summary),
       .writes = method != Method::kGet});
}

Router::Match Router::Find(Method method, std::string_view path) const {
  Match match;
  for (const Route& route : routes_) {
    auto params = MatchPattern(route.pattern, path);
    if (!params) continue;
    bool head_as_get = method == Method::kHead && route.method == Method::kGet;
    if (route.method != method && !head_as_get) {
      match.method_not_allowed = true;
      continue;
    }
    match.route = &route;
    match.params = std::move(*params);
    match.method_not_allowed = false;
    return match;
  }
  return match;
}

}  // namespace cairn::server
