#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "catalog/model.h"

namespace cairn::catalog {
class StagedSnapshot;  // catalog/staged_snapshot.h
}  // namespace cairn::catalog

namespace cairn::connectors {

// Told about the phases of a long read (file parsing, listing tables) so the
// CLI can show progress on a TTY. Implementations must be cheap; they are
// called a handful of times per phase, never per entity. Ingest's store
// writes while the source still reads, so some calls come while its write
// transaction is open: a listener that writes to the same database waits
// for the commit there. So once a source has published a part of the
// snapshot (the store may then be waiting for the next part) it only
// finishes phases, and PhaseFinished must not write to that database;
// Ingest starts "writing to the catalog" once the whole snapshot is
// handed over.
class ProgressListener {
 public:
  virtual ~ProgressListener() = default;
  virtual void PhaseStarted(const std::string& phase, std::uint64_t bytes) = 0;
  virtual void PhaseFinished(const std::string& phase) = 0;
};

// Everything a connector is configured with: the workflow's `source` object,
// already validated against the connector's JSON Schema.
struct SourceContext {
  std::string service_name;
  const nlohmann::json* source = nullptr;  // the whole `source` object
};

// A Source reads one system (a dbt project, a database) and says what it
// holds about one service. It is used once, from one thread.
class Source {
 public:
  virtual ~Source() = default;

  // Reads everything and returns the snapshot. Throws cairn::Error naming the
  // file or endpoint and the place in it when the input is bad.
  // The snapshot's artifact_fingerprint is this source's Fingerprint() when
  // the input did not change while it was read, else empty.
  virtual catalog::ServiceSnapshot Read(ProgressListener& progress) = 0;

  // Read, handing the snapshot over part by part as each is complete (see
  // StagedSnapshot), so that a store can write while the rest is read. The
  // caller publishes SnapshotPart::kAll when this returns, and hands an
  // error over when it throws. The default reads everything at once.
  virtual void ReadStaged(ProgressListener& progress, catalog::StagedSnapshot& out);

  // A digest of everything Read would return, taken without parsing (the
  // input's bytes, the options, the service name or how it is derived):
  // equal fingerprints promise equal snapshots, so an ingestion whose
  // fingerprint the store already holds can stop here. Empty when the source
  // cannot tell; such a source is read every time.
  virtual std::string Fingerprint() { return {}; }

  // Things skipped while reading (not errors), for the run report.
  virtual std::vector<std::string> Warnings() const = 0;

  // Databases, schemas and tables the sourceConfig's filters left out.
  virtual std::int64_t Filtered() const { return 0; }
};

using SourceFactory = std::function<std::unique_ptr<Source>(const SourceContext&)>;

// Parts of a `source` object whose schema depends on a value in it (a
// dbtConfigSource's dbtConfigType): each a JSON pointer under `source` and
// the schema (file under schemas/) the value there must match.
struct NestedSchema {
  std::string pointer;
  std::string schema_file;
};
using NestedSchemas = std::function<std::vector<NestedSchema>(const nlohmann::json& source)>;

// A connector as the registry knows it: its `source.type` name, the JSON
// Schema (file name under schemas/) its `source` object must match, those of
// its variant parts, and how to build it.
struct Connector {
  std::string type;
  std::string schema_file;
  SourceFactory factory;
  NestedSchemas nested_schemas;  // may be empty
};

}  // namespace cairn::connectors
