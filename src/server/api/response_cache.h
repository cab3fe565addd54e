#pragma once

#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace cairn::server {

// Serialised JSON of catalog reads, keyed by request target, so that a hot
// entity page costs a hash lookup instead of several SQLite queries and a
// JSON serialisation. Entries belong to a generation; Invalidate() (called
// when any reader sees the catalog change) starts a new one, which drops
// every entry at once. Least recently used entries go first when the byte
// budget is reached. Thread-safe.
class ResponseCache {
 public:
  explicit ResponseCache(std::size_t max_bytes = 64 << 20, std::size_t max_entry_bytes = 1 << 20)
      : max_bytes_(max_bytes), max_entry_bytes_(max_entry_bytes) {}

  // The generation to pass to Put for a response computed from now on.
  std::uint64_t generation() const;
  // The body cached for `key` in the current generation.
  std::optional<std::string> Get(std::string_view key);
  // Keeps `body` unless the catalog changed since `generation` was read.
  void Put(std::string key, std::string body, std::uint64_t generation);
  void Invalidate();

  std::size_t size_bytes() const;

 private:
  struct Entry {
    std::string body;
    std::list<std::string>::iterator recency;  // position in lru_
  };
  void EvictUntilFits(std::size_t incoming);

  const std::size_t max_bytes_;
  const std::size_t max_entry_bytes_;
  mutable std::mutex mutex_;
  std::uint64_t generation_ = 0;
  std::size_t bytes_ = 0;
  std::list<std::string> lru_;  // most recently used first
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace cairn::server
