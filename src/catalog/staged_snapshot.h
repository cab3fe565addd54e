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
// A consumer that has read all it needs says so (Release), so that the
// producer's thread can free the snapshot while the consumer finishes.
class StagedSnapshot {
 public:
  // For the producer: the parts not published yet.
  ServiceSnapshot& snapshot() { return snapshot_; }
  void Publish(SnapshotPart part);
  void Fail(std::exception_ptr error);
  // Blocks until the consumer has released the snapshot; the snapshot can
  // then be freed, even before the consumer is done.
  void AwaitRelease();

  // For the consumer: blocks until `part` is published; rethrows the
  // producer's error when it failed first.
  const ServiceSnapshot& Await(SnapshotPart part);
  // The consumer reads the snapshot no more, whatever happens next.
  // Whoever runs the consumer calls it once the consumer has returned or
  // thrown (Ingest does); the consumer may call it sooner. Calling it
  // again does nothing.
  void Release();

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  SnapshotPart published_{0};
  bool released_ = false;
  std::exception_ptr error_;
  ServiceSnapshot snapshot_;
};

}  // namespace cairn::catalog
