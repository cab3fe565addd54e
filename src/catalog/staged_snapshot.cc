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

void StagedSnapshot::AwaitRelease() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return released_; });
}

void StagedSnapshot::Release() {
  {
    std::lock_guard lock(mutex_);
    released_ = true;
  }
  changed_.notify_all();
}

const ServiceSnapshot& StagedSnapshot::Await(SnapshotPart part) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return published_ >= part || error_; });
  if (published_ < part) std::rethrow_exception(error_);
  return snapshot_;
}

}  // namespace cairn::catalog
