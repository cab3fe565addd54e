#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace cairn {

// Reads a whole file. Throws Error kNotFound when it does not exist and kIo
// when it cannot be read; the message names the path.
std::string ReadFile(const std::string& path);

// Writes a file atomically: a temporary beside it, then rename.
void WriteFileAtomically(const std::string& path, const std::string& content);

// A directory that is removed, with whatever is left in it, when this goes
// out of scope: the working space of one upload or sync, whose files are
// moved out of it when they are kept. Throws kIo when it cannot be made.
class ScopedDirectory {
 public:
  // Creates `path` (and its parents).
  explicit ScopedDirectory(std::filesystem::path path);
  // A new directory of a unique name "<prefix>XXXXXX" in `parent`.
  static ScopedDirectory Unique(const std::filesystem::path& parent, std::string_view prefix);
  ~ScopedDirectory();
  ScopedDirectory(const ScopedDirectory&) = delete;
  ScopedDirectory& operator=(const ScopedDirectory&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  struct Made {};
  ScopedDirectory(Made, std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

}  // namespace cairn
