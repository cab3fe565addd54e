#include "ingest/workflow.h"

#include <chrono>
#include <future>

#include "catalog/staged_snapshot.h"
#include "core/error.h"

namespace cairn::ingest {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Releases the staged snapshot when the store's Apply returns or throws.
class ReleaseWhenDone {
 public:
  explicit ReleaseWhenDone(catalog::StagedSnapshot& staged) : staged_(staged) {}
  ~ReleaseWhenDone() { staged_.Release(); }
  ReleaseWhenDone(const ReleaseWhenDone&) = delete;
  ReleaseWhenDone& operator=(const ReleaseWhenDone&) = delete;

 private:
  catalog::StagedSnapshot& staged_;
};

std::unique_ptr<connectors::Source> MakeSource(const WorkflowConfig& config) {
  connectors::SourceContext context{.service_name = config.service_name,
                                    .source = &config.source()};
  return config.connector->factory(context);
}

// The report's account of the source's side of a run.
void NoteWhatWasRead(const catalog::ServiceSnapshot& snapshot, const connectors::Source& source,
                     IngestReport& report) {
  report.service = snapshot.service;
  report.tables_seen = static_cast<std::int64_t>(snapshot.tables.size());
  report.nodes_seen = static_cast<std::int64_t>(snapshot.nodes.size());
  report.warnings = source.Warnings();
  report.filtered = source.Filtered();
}

}  // namespace

IngestReport Ingest(connectors::Source& source, catalog::Store& store,
                    connectors::ProgressListener& progress, const IngestOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  IngestReport report;
  // A catalog without fingerprints (a new one) cannot match: the source then
  // computes its fingerprint while it reads instead of before.
  if (!options.force && store.HoldsArtifactFingerprints()) {
    progress.PhaseStarted("checking for changes", 0);
    std::optional<catalog::UnchangedService> unchanged = store.FindUnchanged(source.Fingerprint());
    progress.PhaseFinished("checking for changes");
    if (unchanged) {
      report.unchanged = true;
      report.service = std::move(unchanged->service);
      report.applied = unchanged->stored;
      report.tables_seen = report.applied.tables.unchanged;
      report.nodes_seen = report.applied.nodes.unchanged;
      report.read_seconds = SecondsSince(start);
      report.elapsed_seconds = report.read_seconds;
      return report;
    }
  }
  // The store writes on the second core while the source is still reading:
  // each part of the snapshot as soon as it is complete (writing the
  // tables overlaps mapping the nodes and reading the run results). The
  // store is used by that thread alone until it is joined.
  catalog::StagedSnapshot staged;
  std::future<catalog::ApplyReport> applied = std::async(std::launch::async, [&] {
    ReleaseWhenDone release(staged);
    return store.ApplyStaged(staged);
  });
  try {
    source.ReadStaged(progress, staged);
  } catch (...) {
    staged.Fail(std::current_exception());
    try {
      applied.get();
    } catch (...) {  // rolled back; the source's error is the one to report
    }
    throw;
  }
  staged.Publish(catalog::SnapshotPart::kAll);
  report.read_seconds = SecondsSince(start);
  NoteWhatWasRead(staged.snapshot(), source, report);

  // What is left of the write once reading is over.
  const auto write_start = std::chrono::steady_clock::now();
  progress.PhaseStarted("writing to the catalog", 0);
  // Freed here, on the core the reader used, while the store finishes.
  staged.AwaitRelease();
  if (options.dispose) {
    options.dispose(std::move(staged.snapshot()));
  } else {
    catalog::ServiceSnapshot freed = std::move(staged.snapshot());
  }
  report.applied = applied.get();
  progress.PhaseFinished("writing to the catalog");
  report.write_seconds = SecondsSince(write_start);
  report.elapsed_seconds = SecondsSince(start);
  return report;
}

RemoteIngestReport RunWorkflowToServer(const WorkflowConfig& config,
                                       connectors::ProgressListener& progress,
                                       const cloud::HttpClientOptions& options) {
  if (!config.rest_sink) {
    throw Error(ErrorCode::kInternal, "RunWorkflowToServer needs a metadata-rest sink");
  }
  const RestSink sink(*config.rest_sink, options);
  const auto start = std::chrono::steady_clock::now();
  std::unique_ptr<connectors::Source> source = MakeSource(config);
  const catalog::ServiceSnapshot snapshot = source->Read(progress);
  RemoteIngestReport remote;
  IngestReport& report = remote.report;
  report.read_seconds = SecondsSince(start);
  NoteWhatWasRead(snapshot, *source, report);

  const auto write_start = std::chrono::steady_clock::now();
  progress.PhaseStarted("sending to " + sink.base_url(), 0);
  RestSink::Result result = sink.Apply(snapshot);
  progress.PhaseFinished("sending to " + sink.base_url());
  report.applied = result.applied;
  remote.catalog = result.catalog;
  report.write_seconds = SecondsSince(write_start);
  report.elapsed_seconds = SecondsSince(start);
  return remote;
}

IngestReport RunWorkflow(const WorkflowConfig& config, catalog::Store& store,
                         connectors::ProgressListener& progress, const IngestOptions& options) {
  std::unique_ptr<connectors::Source> source = MakeSource(config);
  return Ingest(*source, store, progress, options);
}

}  // namespace cairn::ingest
