#include "core/file.h"

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace cairn {

std::string ReadFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    throw Error(ErrorCode::kNotFound, "file does not exist", {.file = path});
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kIo, std::strerror(errno), {.file = path});
  std::ostringstream content;
  content << in.rdbuf();
  return std::move(content).str();
}

void WriteFileAtomically(const std::string& path, const std::string& content) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out) throw Error(ErrorCode::kIo, std::strerror(errno), {.file = temporary});
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) throw Error(ErrorCode::kIo, ec.message(), {.file = path});
}

ScopedDirectory::ScopedDirectory(std::filesystem::path path) : path_(std::move(path)) {
  std::error_code ec;
  std::filesystem::create_directories(path_, ec);
  if (ec) throw Error(ErrorCode::kIo, ec.message(), {.file = path_.string()});
}

ScopedDirectory ScopedDirectory::Unique(const std::filesystem::path& parent,
                                        std::string_view prefix) {
  std::string pattern = (parent / (std::string(prefix) + "XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw Error(ErrorCode::kIo, std::strerror(errno), {.file = parent.string()});
  }
  return ScopedDirectory(Made{}, pattern);
}

ScopedDirectory::~ScopedDirectory() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace cairn
