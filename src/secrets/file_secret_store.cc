#include "secrets/file_secret_store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.h"
#include "core/file.h"

namespace cairn::secrets {
namespace {

// Writes `content` to a new file of mode 0600 and syncs it.
void WritePrivateFile(const std::string& path, const std::string& content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, S_IRUSR | S_IWUSR);
  if (fd < 0) {
    throw Error(ErrorCode::kIo, fmt::format("cannot create {}: {}", path, std::strerror(errno)));
  }
  // The mode of an existing temporary (left by a crash) is set again.
  bool ok = ::fchmod(fd, S_IRUSR | S_IWUSR) == 0;
  std::size_t written = 0;
  while (ok && written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    ok = n > 0;
    if (ok) written += static_cast<std::size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) throw Error(ErrorCode::kIo, fmt::format("cannot write {}", path));
}

}  // namespace

std::filesystem::path FileSecretStore::KeyFileFor(const std::filesystem::path& path) {
  return std::filesystem::path(path.string() + ".key");
}

FileSecretStore::FileSecretStore(std::filesystem::path path,
                                 const std::optional<std::string>& env_key)
    : path_(std::move(path)),
      cipher_(LoadOrCreateSecretKey(KeyFileFor(path_), env_key)),
      key_from_env_(env_key && !env_key->empty()) {}

std::optional<std::string> FileSecretStore::Read() {
  if (!std::filesystem::exists(path_)) return std::nullopt;
  const std::string stored = ReadFile(path_.string());
  if (!SecretCipher::IsSealed(stored)) {
    throw Error(ErrorCode::kParse,
                fmt::format("{} is not a sealed secret file (written by cairn tokens rotate)",
                            path_.string()));
  }
  try {
    return cipher_.Open(stored);
  } catch (const Error& error) {
    if (error.code() != ErrorCode::kStorage) throw;
    throw Error(
        ErrorCode::kInvalidArgument,
        fmt::format(
            "{} does not decrypt with {}: give the key it was sealed with", path_.string(),
            key_from_env_ ? "CAIRN_SECRET_KEY" : "the key file " + KeyFileFor(path_).string()));
  }
}

void FileSecretStore::Write(const std::string& value) {
  const std::string temporary = fmt::format("{}.{}.tmp", path_.string(), ::getpid());
  WritePrivateFile(temporary, cipher_.Seal(value));
  if (::rename(temporary.c_str(), path_.c_str()) != 0) {
    const int error = errno;
    ::unlink(temporary.c_str());
    throw Error(ErrorCode::kIo,
                fmt::format("cannot replace {}: {}", path_.string(), std::strerror(error)));
  }
  // The rename is durable once the directory is synced.
  std::filesystem::path directory = path_.parent_path();
  if (directory.empty()) directory = ".";
  const int dir_fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
}

}  // namespace cairn::secrets
