#pragma once

#include <condition_variable>
#include <exception>
#include <mutex>

#include "catalog/model.h"

namespace cairn::catalog {

// The parts of a ServiceSnapshot, in the order a source completes them and a
// store writes them; each includes the ones before it.
enum class SnapshotPart {
  kTables = 1,  // service, service_type, origin, tables, lineage
  kNodes = 2,   // dbt nodes, doc blocks
  kAll = 3,     // invocations, runs, artifact_fingerprint
};

// A snapshot handed part by part from the thread that reads it to the thread
// that writes it, so that writing the tables overlaps mapping the nodes and
// reading the run results. The producer fills snapshot() and publishes each
// part once it is complete, after which it never touches that part again;
// the consumer waits for a part before reading it. A producer that fails
// hands its error over instead, and the consumer's next wait throws it.
class StagedSnapshot {
 public:
  // For the producer: the parts not published yet.
  ServiceSnapshot& snapshot() { return snapshot_; }
  void Publish(SnapshotPart part);
  void Fail(std::exception_ptr error);
  // Whether everything was published (or failed), i.e. no wait can block.
  bool Settled();

  // For the consumer: blocks until `part` is published; rethrows the
  // producer's error when it failed first.
  const ServiceSnapshot& Await(SnapshotPart part);

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  SnapshotPart published_{0};
  std::exception_ptr error_;
  ServiceSnapshot snapshot_;
};

}  // namespace cairn::catalog
