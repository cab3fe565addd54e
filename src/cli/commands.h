#pragma once

#include <string>

#include "catalog/model.h"

namespace cairn::connectors {
class Source;
}

// The CLI's subcommands. Each returns the process exit code and throws
// cairn::Error for failures, which main() prints and maps to an exit code.
namespace cairn::cli {

struct OutputOptions {
  bool json = false;
};

struct IngestDbtOptions {
  std::string directory;
  std::string service;  // empty: the manifest's project name
  bool include_tags = true;
  bool force = false;  // re-ingest even when the artifacts are unchanged
};

int IngestWorkflow(const std::string& config_path, const std::string& db_override, bool force,
                   const OutputOptions& output);
int IngestDbt(const IngestDbtOptions& options, const std::string& db, const OutputOptions& output);
// Ingests `source` into the store `db` with progress on a TTY and the report
// printed, as every `cairn ingest ...` does.
int IngestSource(connectors::Source& source, const std::string& db, bool force,
                 const OutputOptions& output);
int Search(const catalog::SearchQuery& query, const std::string& db, const OutputOptions& output);
int Show(const std::string& fqn, const std::string& db, const OutputOptions& output);
int Lineage(const catalog::LineageQuery& query, const std::string& db, const OutputOptions& output);

// The store URL used when neither --db nor the workflow names one.
std::string DefaultDatabase();

}  // namespace cairn::cli
