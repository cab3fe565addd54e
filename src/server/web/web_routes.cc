#include "server/web/web_routes.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "core/ascii.h"
#include "server/web/web_assets.h"

namespace cairn::server {
namespace {

const WebAsset* FindAsset(std::string_view path) {
  std::span<const WebAsset> assets = WebAssets();
  auto it = std::lower_bound(
      assets.begin(), assets.end(), path,
      [](const WebAsset& asset, std::string_view wanted) { return asset.path < wanted; });
  return it != assets.end() && it->path == path ? &*it : nullptr;
}

// Whether Accept-Encoding lists gzip (or *) with a q-value above zero.
bool AcceptsGzip(std::string_view accept_encoding) {
  std::string header = AsciiLower(accept_encoding);
  std::erase_if(header, [](char c) { return c == ' ' || c == '\t'; });
  std::string_view rest = header;
  while (!rest.empty()) {
    std::string_view item = rest.substr(0, rest.find(','));
    rest.remove_prefix(std::min(item.size() + 1, rest.size()));
    std::string_view coding = item.substr(0, item.find(';'));
    if (coding != "gzip" && coding != "*") continue;
    std::size_t q = item.find(";q=");
    if (q == std::string_view::npos) return true;
    std::string value(item.substr(q + 3));
    return std::strtod(value.c_str(), nullptr) > 0.0;
  }
  return false;
}

}  // namespace

Response WebAssetResponse(std::string_view path, std::string_view accept_encoding) {
  const WebAsset* asset = FindAsset(path);
  if (asset == nullptr) {
    return ErrorResponse(path, 404, "no such file of the web UI: " + std::string(path));
  }
  Response response;
  response.content_type = std::string(asset->content_type);
  // Vite names assets by their content hash, so they never change; the page
  // itself must be fetched again to pick up a new build.
  response.headers.emplace_back("Cache-Control", path.starts_with("/assets/")
                                                     ? "public, max-age=31536000, immutable"
                                                     : "no-cache");
  response.headers.emplace_back("Vary", "Accept-Encoding");
  // The page loads nothing from elsewhere and runs no inline script.
  if (path == "/index.html") {
    response.headers.emplace_back(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'");
  }
  if (!asset->gzip.empty() && AcceptsGzip(accept_encoding)) {
    response.headers.emplace_back("Content-Encoding", "gzip");
    response.body = std::string(asset->gzip);
  } else {
    response.body = std::string(asset->body);
  }
  return response;
}

void AddWebRoutes(Router& router) {
  router.Add({.method = Method::kGet,
              .pattern = "/",
              .access = auth::Access::kNone,
              .handler =
                  [](Request& request) {
                    return WebAssetResponse("/index.html", request.Header("accept-encoding"));
                  },
              .summary = "The web UI's page (public: a static file without catalog data)"});
  router.Add({.method = Method::kGet,
              .pattern = "/assets/{path...}",
              .access = auth::Access::kNone,
              .handler =
                  [](Request& request) {
                    return WebAssetResponse("/assets/" + request.params.at("path"),
                                            request.Header("accept-encoding"));
                  },
              .summary = "The web UI's scripts and styles (public, content-hashed, cacheable)"});
}

}  // namespace cairn::server
