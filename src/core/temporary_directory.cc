#include "core/temporary_directory.h"

#include <stdlib.h>  // mkdtemp

#include <cerrno>
#include <cstring>
#include <string>

#include "core/error.h"

namespace cairn {

TemporaryDirectory::TemporaryDirectory(const std::filesystem::path& parent, std::string_view stem) {
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  std::string pattern = (parent / (std::string(stem) + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw Error(ErrorCode::kIo,
                std::string("cannot make a temporary directory: ") + std::strerror(errno),
                {.file = parent.string()});
  }
  path_ = pattern;
}

TemporaryDirectory::~TemporaryDirectory() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace cairn
