#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cairn {

// What the file system says about a file, enough to notice that it was
// replaced or written to between two looks (size, modification time with
// nanoseconds, inode).
struct FileStat {
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::uint64_t inode = 0;

  bool operator==(const FileStat&) const = default;
};

// Throws Error kNotFound when the file does not exist, kIo when it cannot be
// looked at.
FileStat StatFile(const std::string& path);

struct FileDigest {
  FileStat stat;       // taken before the contents were read
  std::string sha256;  // lower-case hex; see DigestFiles
};

// Digests of the files' contents, in the order given. The files are cut in
// 4 MiB chunks hashed with SHA-256 on `threads` threads (1 or 2); a file's
// digest is the SHA-256 of its size and its chunks' digests, so it identifies
// the bytes but is not what sha256sum prints. Throws like StatFile, or kIo on
// a read error.
std::vector<FileDigest> DigestFiles(const std::vector<std::string>& paths, int threads = 2);

// SHA-256 of `bytes`, lower-case hex.
std::string Sha256Hex(std::string_view bytes);

}  // namespace cairn
