#pragma once

#include <functional>
#include <string>
#include <vector>

#include "catalog/store.h"
#include "connectors/source.h"
#include "ingest/rest_sink.h"
#include "ingest/workflow_config.h"

namespace cairn::ingest {

// What one ingestion did, for the run report at the end.
struct IngestReport {
  std::string service;
  std::int64_t tables_seen = 0;
  std::int64_t nodes_seen = 0;
  // Databases, schemas and tables the filters left out (Source::Filtered).
  std::int64_t filtered = 0;
  // The store already held this service as applied from byte-identical
  // input (Source::Fingerprint): nothing was read or written, and `applied`
  // and the *_seen counts are what the store holds.
  bool unchanged = false;
  catalog::ApplyReport applied;
  std::vector<std::string> warnings;
  double read_seconds = 0;   // until the source had read everything
  double write_seconds = 0;  // the write after that (it starts while reading)
  double elapsed_seconds = 0;
};

struct IngestOptions {
  // Read and apply even when the store holds the source's fingerprint.
  bool force = false;
  // Takes the snapshot once the store has read all of it; without one,
  // Ingest frees it while the store commits, and waits for that. A process
  // about to end may free it on a thread nobody waits for: at 10k models
  // freeing takes longer (~0.2 s) than what the store has left to do.
  std::function<void(catalog::ServiceSnapshot&&)> dispose;
};

// Reads `source` and applies its snapshot to `store` in one transaction:
// either everything lands or the store is left as it was. Unless forced,
// stops before reading when the store already holds the source's
// fingerprint (IngestReport::unchanged).
IngestReport Ingest(connectors::Source& source, catalog::Store& store,
                    connectors::ProgressListener& progress, const IngestOptions& options = {});

// Runs a validated workflow against `store` (the metadata-store sink).
IngestReport RunWorkflow(const WorkflowConfig& config, catalog::Store& store,
                         connectors::ProgressListener& progress, const IngestOptions& options = {});

// What a metadata-rest run did: `report.applied` as the server answered, and
// the server's catalog counts after it.
struct RemoteIngestReport {
  IngestReport report;
  catalog::CatalogCounts catalog;
};

// Runs a validated workflow whose sink is metadata-rest: reads the source and
// sends its snapshot to config.rest_sink's server, which applies it in one
// transaction. Opens no local store; the server decides what changed, so
// there is no stop-before-reading on an unchanged fingerprint.
RemoteIngestReport RunWorkflowToServer(
    const WorkflowConfig& config, connectors::ProgressListener& progress,
    const cloud::HttpClientOptions& options = RestSink::DefaultClientOptions());

// A listener that ignores everything, for callers without a terminal.
class SilentProgress : public connectors::ProgressListener {
 public:
  void PhaseStarted(const std::string&, std::uint64_t) override {}
  void PhaseFinished(const std::string&) override {}
};

}  // namespace cairn::ingest
