#include "core/file_digest.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <exception>
#include <memory>
#include <thread>

#include "core/error.h"

namespace cairn {
namespace {

// Small enough that the two read buffers cost little memory, large enough
// that the per-chunk work is noise.
constexpr std::uint64_t kChunkBytes = std::uint64_t{4} << 20;
constexpr std::size_t kSha256Bytes = 32;

using Sha256 = std::array<unsigned char, kSha256Bytes>;

class OpenFile {
 public:
  explicit OpenFile(const std::string& path) : path_(path), fd_(::open(path.c_str(), O_RDONLY)) {
    if (fd_ < 0) Fail();
  }
  ~OpenFile() { ::close(fd_); }
  OpenFile(const OpenFile&) = delete;
  OpenFile& operator=(const OpenFile&) = delete;

  FileStat Stat() const {
    struct stat info {};
    if (::fstat(fd_, &info) != 0) Fail();
    if (S_ISDIR(info.st_mode)) {
      throw Error(ErrorCode::kIo, fmt::format("{} is a directory, expected a file", path_),
                  {.file = path_});
    }
    return StatOf(info);
  }

  // Fills `buffer` from `offset` on; fewer bytes only at the end of the file.
  std::size_t ReadAt(std::uint64_t offset, unsigned char* buffer, std::size_t size) const {
    std::size_t done = 0;
    while (done < size) {
      ssize_t got = ::pread(fd_, buffer + done, size - done, static_cast<off_t>(offset + done));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) Fail();
      if (got == 0) break;
      done += static_cast<std::size_t>(got);
    }
    return done;
  }

  static FileStat StatOf(const struct stat& info) {
    return FileStat{.size = static_cast<std::uint64_t>(info.st_size),
                    .mtime_ns = static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 +
                                info.st_mtim.tv_nsec,
                    .inode = static_cast<std::uint64_t>(info.st_ino)};
  }

 private:
  [[noreturn]] void Fail() const {
    ErrorCode code = errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo;
    throw Error(code, errno == ENOENT ? "file does not exist" : std::strerror(errno),
                {.file = path_});
  }

  std::string path_;
  int fd_;
};

Sha256 HashBytes(const unsigned char* data, std::size_t size) {
  Sha256 out{};
  unsigned int length = 0;
  if (EVP_Digest(data, size, out.data(), &length, EVP_sha256(), nullptr) != 1) {
    throw Error(ErrorCode::kInternal, "SHA-256 failed");
  }
  return out;
}

std::string Hex(const Sha256& digest) {
  std::string hex;
  hex.reserve(2 * digest.size());
  for (unsigned char byte : digest) hex += fmt::format("{:02x}", byte);
  return hex;
}

// The file's digest from its size and its chunks' digests, in order.
std::string CombineChunks(std::uint64_t size, const std::vector<Sha256>& chunks) {
  std::vector<unsigned char> input(sizeof(size));
  for (std::size_t i = 0; i < sizeof(size); ++i) {
    input[i] = static_cast<unsigned char>(size >> (8 * i));
  }
  for (const Sha256& chunk : chunks) input.insert(input.end(), chunk.begin(), chunk.end());
  return Hex(HashBytes(input.data(), input.size()));
}

struct ChunkJob {
  std::size_t file = 0;
  std::size_t chunk = 0;
};

}  // namespace

std::string Sha256Hex(std::string_view bytes) {
  return Hex(HashBytes(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()));
}

FileStat StatFile(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    ErrorCode code = errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo;
    throw Error(code, errno == ENOENT ? "file does not exist" : std::strerror(errno),
                {.file = path});
  }
  return OpenFile::StatOf(info);
}

std::vector<FileDigest> DigestFiles(const std::vector<std::string>& paths, int threads) {
  std::vector<std::unique_ptr<OpenFile>> files;
  std::vector<FileDigest> digests(paths.size());
  std::vector<std::vector<Sha256>> chunks(paths.size());
  std::vector<ChunkJob> jobs;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    files.push_back(std::make_unique<OpenFile>(paths[i]));
    digests[i].stat = files[i]->Stat();
    chunks[i].resize((digests[i].stat.size + kChunkBytes - 1) / kChunkBytes);
    for (std::size_t c = 0; c < chunks[i].size(); ++c) jobs.push_back({.file = i, .chunk = c});
  }

  std::atomic<std::size_t> next{0};
  auto work = [&] {
    std::vector<unsigned char> buffer(kChunkBytes);
    for (std::size_t j = next++; j < jobs.size(); j = next++) {
      const ChunkJob& job = jobs[j];
      std::size_t got =
          files[job.file]->ReadAt(job.chunk * kChunkBytes, buffer.data(), buffer.size());
      chunks[job.file][job.chunk] = HashBytes(buffer.data(), got);
    }
  };
  if (threads < 2) {
    work();
  } else {
    std::exception_ptr helper_failure;
    std::thread helper([&] {
      try {
        work();
      } catch (...) {
        helper_failure = std::current_exception();
        next = jobs.size();
      }
    });
    try {
      work();
    } catch (...) {
      next = jobs.size();
      helper.join();
      throw;
    }
    helper.join();
    if (helper_failure) std::rethrow_exception(helper_failure);
  }

  for (std::size_t i = 0; i < paths.size(); ++i) {
    digests[i].sha256 = CombineChunks(digests[i].stat.size, chunks[i]);
  }
  return digests;
}

}  // namespace cairn
