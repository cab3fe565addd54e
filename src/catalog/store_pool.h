#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "catalog/store.h"

namespace cairn::catalog {

// One Store per thread on the same catalog, for servers whose I/O threads
// all read it: a Store is single-threaded (store.h), and per-thread
// connections let SQLite readers run side by side. The stores live as long
// as the pool; threads must not outlive it.
class StorePool {
 public:
  explicit StorePool(std::string url) : url_(std::move(url)) {}

  // The calling thread's store, opened on first use.
  Store& ForThisThread();

  const std::string& url() const { return url_; }

 private:
  std::string url_;
  std::mutex mutex_;
  std::unordered_map<std::thread::id, std::unique_ptr<Store>> stores_;
};

}  // namespace cairn::catalog
