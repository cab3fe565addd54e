#include "catalog/staged_snapshot.h"

namespace cairn::catalog {

void StagedSnapshot::Publish(SnapshotPart part) {
  {
    std::lock_guard lock(mutex_);
    if (part > published_) published_ = part;
  }
  changed_.notify_all();
}

void StagedSnapshot::Fail(std::exception_ptr error) {
  {
    std::lock_guard lock(mutex_);
    if (!error_) error_ = std::move(error);
  }
  changed_.notify_all();
}

bool StagedSnapshot::Settled() {
  std::lock_guard lock(mutex_);
  return error_ || published_ == SnapshotPart::kAll;
}

const ServiceSnapshot& StagedSnapshot::Await(SnapshotPart part) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return published_ >= part || error_; });
  if (published_ < part) std::rethrow_exception(error_);
  return snapshot_;
}

}  // namespace cairn::catalog
