#include "catalog/store_pool.h"

namespace cairn::catalog {

Store& StorePool::ForThisThread() {
  std::lock_guard lock(mutex_);
  std::unique_ptr<Store>& store = stores_[std::this_thread::get_id()];
  if (!store) store = OpenStore(url_);
  return *store;
}

}  // namespace cairn::catalog
