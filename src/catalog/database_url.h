#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

#include "core/error.h"

namespace cairn::catalog {

// The catalog file an SQLite database URL names ("sqlite:PATH",
// "sqlite:///abs/path" or a bare PATH, as OpenStore reads them): where the
// server's SQLite stores (tokens, runs, syncs) keep their tables beside the
// catalog. kUnsupported for a URL of another scheme, kInvalidArgument for
// one that names no file.
inline std::string SqlitePathOf(std::string_view db_url) {
  std::string_view path = db_url;
  if (path.starts_with("sqlite:")) {
    path.remove_prefix(std::string_view("sqlite:").size());
    if (path.starts_with("//")) path.remove_prefix(2);
  } else if (std::size_t scheme = path.find("://"); scheme != std::string_view::npos) {
    throw Error(ErrorCode::kUnsupported,
                fmt::format("database URLs are sqlite:PATH or postgresql://…, not {}://…",
                            path.substr(0, scheme)));
  }
  if (path.empty()) {
    throw Error(ErrorCode::kInvalidArgument,
                fmt::format("database \"{}\" names no file; use sqlite:PATH", db_url));
  }
  return std::string(path);
}

}  // namespace cairn::catalog
