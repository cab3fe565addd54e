#pragma once

#include <filesystem>
#include <string_view>

namespace cairn {

// A new, private directory (mkdtemp) under `parent`, removed with whatever is
// left in it when this goes away: downloads and upload parts that nobody
// moved out are never left behind, whatever failed.
class TemporaryDirectory {
 public:
  // Throws Error kIo naming `parent` when it cannot be made.
  TemporaryDirectory(const std::filesystem::path& parent, std::string_view stem);
  ~TemporaryDirectory();
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace cairn
