#include "server/api/response_cache.h"

#include <utility>

namespace cairn::server {

std::uint64_t ResponseCache::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

ResponseCache::Body ResponseCache::Get(std::string_view key) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second.recency);
  return it->second.body;
}

void ResponseCache::Put(std::string key, Body body, std::uint64_t generation) {
  if (!body) return;
  std::size_t cost = key.size() + body->size();
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
  DropAll();
}

void ResponseCache::InvalidateIfAhead(std::uint64_t commits) {
  if (commits <= commits_seen_.load(std::memory_order_acquire)) return;
  std::lock_guard lock(mutex_);
  if (commits <= commits_seen_.load(std::memory_order_relaxed)) return;
  DropAll();
  commits_seen_.store(commits, std::memory_order_release);
}

void ResponseCache::DropAll() {
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
    bytes_ -= it->first.size() + it->second.body->size();
    entries_.erase(it);
    lru_.pop_back();
  }
}

}  // namespace cairn::server
