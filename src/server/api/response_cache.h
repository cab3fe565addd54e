#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace cairn::server {

// Serialised JSON of catalog reads, keyed by request target, so that a hot
// entity page costs a hash lookup instead of several SQLite queries and a
// JSON serialisation. Entries belong to a generation; Invalidate() (called
// when any reader sees the catalog change) starts a new one, which drops
// every entry at once. Least recently used entries go first when the byte
// budget is reached. Bodies are shared, not copied: a hit hands out the
// cached string itself, which the HTTP core sends as it is. Thread-safe.
class ResponseCache {
 public:
  using Body = std::shared_ptr<const std::string>;

  explicit ResponseCache(std::size_t max_bytes = 64 << 20, std::size_t max_entry_bytes = 1 << 20)
      : max_bytes_(max_bytes), max_entry_bytes_(max_entry_bytes) {}

  // The generation to pass to Put for a response computed from now on.
  std::uint64_t generation() const;
  // The body cached for `key` in the current generation, or null.
  Body Get(std::string_view key);
  // Keeps `body` unless the catalog changed since `generation` was read.
  void Put(std::string key, Body body, std::uint64_t generation);
  void Invalidate();
  // Invalidate() once for each new value of `commits`, a count that only
  // grows (catalog::CommitsInThisProcess()); an atomic load when it has not
  // moved. Once it returns, no Get serves what was cached before.
  void InvalidateIfAhead(std::uint64_t commits);

  std::size_t size_bytes() const;

 private:
  struct Entry {
    Body body;
    std::list<std::string>::iterator recency;  // position in lru_
  };
  // Lets Get look up a string_view without building a std::string.
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const {
      return std::hash<std::string_view>{}(key);
    }
  };
  void EvictUntilFits(std::size_t incoming);
  void DropAll();  // mutex_ held

  const std::size_t max_bytes_;
  const std::size_t max_entry_bytes_;
  mutable std::mutex mutex_;
  std::uint64_t generation_ = 0;
  std::atomic<std::uint64_t> commits_seen_{0};  // written under mutex_, after the drop
  std::size_t bytes_ = 0;
  std::list<std::string> lru_;  // most recently used first
  std::unordered_map<std::string, Entry, KeyHash, std::equal_to<>> entries_;
};

}  // namespace cairn::server
