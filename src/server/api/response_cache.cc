#include "server/api/response_cache.h"

#include <utility>

namespace cairn::server {

std::uint64_t ResponseCache::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

std::optional<std::string> ResponseCache::Get(std::string_view key) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(std::string(key));
  if (it == entries_.end()) return std::nullopt;
  lru_.splice(lru_.begin(), lru_, it->second.recency);
  return it->second.body;
}

void ResponseCache::Put(std::string key, std::string body, std::uint64_t generation) {
  std::size_t cost = key.size() + body.size();
  if (cost > max_entry_bytes_ || cost > max_bytes_) return;
  std::lock_guard lock(mutex_);
  if (generation != generation_ || entries_.contains(key)) return;
  EvictUntilFits(cost);
  lru_.push_front(key);
  bytes_ += cost;
  entries_.emplace(std::move(key), Entry{std::move(body), lru_.begin()});
}

void ResponseCache::Invalidate() {
  std::lock_guard lock(mutex_);
  ++generation_;
  entries_.clear();
  lru_.clear();
  bytes_ = 0;
}

std::size_t ResponseCache::size_bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

void ResponseCache::EvictUntilFits(std::size_t incoming) {
  while (!lru_.empty() && bytes_ + incoming > max_bytes_) {
    auto it = entries_.find(lru_.back());
    bytes_ -= it->first.size() + it->second.body.size();
    entries_.erase(it);
    lru_.pop_back();
  }
}

}  // namespace cairn::server
