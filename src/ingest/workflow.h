#pragma once

#include <string>
#include <vector>

#include "catalog/store.h"
#include "connectors/source.h"
#include "ingest/workflow_config.h"

namespace cairn::ingest {

// What one ingestion did, for the run report at the end.
struct IngestReport {
  std::string service;
  std::int64_t tables_seen = 0;
  std::int64_t nodes_seen = 0;
  catalog::ApplyReport applied;
  std::vector<std::string> warnings;
  double read_seconds = 0;
  double write_seconds = 0;
  double elapsed_seconds = 0;
};

// Reads `source` and applies its snapshot to `store` in one transaction:
// either everything lands or the store is left as it was.
IngestReport Ingest(connectors::Source& source, catalog::Store& store,
                    connectors::ProgressListener& progress);

// Runs a validated workflow against `store` (the metadata-store sink).
IngestReport RunWorkflow(const WorkflowConfig& config, catalog::Store& store,
                         connectors::ProgressListener& progress);

// A listener that ignores everything, for callers without a terminal.
class SilentProgress : public connectors::ProgressListener {
 public:
  void PhaseStarted(const std::string&, std::uint64_t) override {}
  void PhaseFinished(const std::string&) override {}
};

}  // namespace cairn::ingest
