#pragma once

#include <span>
#include <string_view>

namespace cairn::server {

// One file of the built web UI, compiled into the binary
// (embed_web_assets.py writes the table from Vite's output).
struct WebAsset {
  std::string_view path;          // "/index.html", "/assets/index-3f2a9c.js"
  std::string_view content_type;  // with charset for text
  std::string_view body;
  std::string_view gzip;  // the body gzip-compressed; empty when that gains nothing
};

// Every asset, sorted by path.
std::span<const WebAsset> WebAssets();

// False when the binary was configured with CAIRN_WEB=OFF: the only asset is
// then a page that says so.
bool WebUiBuilt();

}  // namespace cairn::server
