#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/model.h"

namespace cairn::catalog {

class StagedSnapshot;  // catalog/staged_snapshot.h

// The catalog's persistence, backend-neutral: SQLite and PostgreSQL.
// Every backend passes the same contract suite (store_contract_test.h).
//
// Thread safety: a Store is used from one thread at a time; open one per
// thread (SQLite in WAL mode lets readers run beside one writer).
// Errors: throws cairn::Error with ErrorCode::kStorage; a failed Apply leaves
// the store exactly as it was.
class Store {
 public:
  virtual ~Store() = default;

  // Makes the store hold `snapshot` for (snapshot.service, snapshot.origin)
  // in one transaction: adds, updates and removes tables, columns, dbt nodes,
  // lineage edges and doc blocks; appends invocations and runs not seen before
  // (keyed by invocation_id), so re-applying the same snapshot changes
  // nothing. Unchanged entities are not rewritten. The search index is
  // brought up to date before the transaction commits.
  // snapshot.artifact_fingerprint is recorded with the state of (service,
  // origin), replacing the previous one; the fingerprints of the service's
  // other origins are cleared, since this Apply may have changed what they
  // wrote.
  virtual ApplyReport Apply(const ServiceSnapshot& snapshot) = 0;

  // Apply of a snapshot that another thread is still reading: the same
  // transaction and outcome as Apply of the whole, but a backend may start
  // writing each part as soon as it is published. When the producer fails,
  // nothing is committed and its error is thrown. It may release the
  // snapshot (StagedSnapshot::Release) as soon as it has read all of it.
  // The default waits for the whole snapshot, then applies it.
  virtual ApplyReport ApplyStaged(StagedSnapshot& staged);

  // The service whose last successful Apply (of any origin) recorded this
  // non-empty fingerprint and whose state nothing has changed since, with
  // its stored counts; nullopt when there is none. Edits do not count as
  // changes: Apply never touches them.
  virtual std::optional<UnchangedService> FindUnchanged(std::string_view artifact_fingerprint) = 0;

  // Whether FindUnchanged can find anything at all: false when no Apply
  // recorded a fingerprint that still stands (a new catalog), so that a
  // caller need not compute one before reading.
  virtual bool HoldsArtifactFingerprints() = 0;

  // Full-text search with optional filters, best match first (without text:
  // every entity that passes the filters, by name). `total` counts every
  // match; `facets` is set when query.facets asks for it. Each hit carries
  // its test status, which follows the newest run results as they are
  // applied. Throws kInvalidArgument for an unknown query.test_status.
  virtual SearchPage Search(const SearchQuery& query) = 0;

  // A table by FQN (case-insensitive), or a dbt resource by FQN or by its
  // unique_id; nullopt when there is none.
  virtual std::optional<EntityDetail> Get(std::string_view fqn_or_unique_id) = 0;

  // Breadth-first walk of the lineage graph from query.fqn: a table or dbt
  // resource by FQN (case-insensitive) or by unique_id, as Get finds them;
  // graph.found is false when there is none.
  virtual LineageGraph Lineage(const LineageQuery& query) = 0;

  // Results of one node (by unique_id) across invocations, newest first.
  virtual std::vector<NodeRun> RunHistory(std::string_view unique_id, int limit) = 0;

  // Invocations whose results are kept, newest first.
  virtual std::vector<InvocationSummary> Invocations(int limit, int offset) = 0;

  // Every node result of one invocation, in the order dbt ran them; empty
  // when the invocation is unknown.
  virtual std::vector<NodeRun> InvocationRuns(std::string_view invocation_id) = 0;

  // Saves people's edits in one transaction, replacing earlier edits of the
  // same (target, field); an edit with an empty value_json removes it, so the
  // ingested value shows again. Apply never touches edits, so re-ingestion
  // cannot overwrite them. Throws kInvalidArgument for an unknown field or a
  // value of the wrong JSON type; the caller checks that the target exists.
  virtual void SaveEdits(const std::vector<Edit>& edits) = 0;

  virtual CatalogCounts Counts() = 0;

  // A number that differs from what the previous call on this Store returned
  // whenever anyone (this process or another) committed a change to the
  // catalog since then: lets readers keep caches of what they read.
  virtual std::int64_t ChangeCounter() = 0;

  // The schema version the store is migrated to.
  virtual int SchemaVersion() = 0;
};

struct StoreOptions {
  // The caller is about to fill a catalog that may not exist yet with one
  // Apply, and nothing else in this process opens it meanwhile (`cairn
  // ingest`). A backend may then skip what only serves concurrent readers
  // of a new catalog; SQLite creates a new file with a rollback journal
  // and switches it to WAL once the first Apply has committed.
  bool first_load = false;
};

// Opens (creating and migrating when needed) the store at `url`:
// "sqlite:PATH", or a bare path, which means SQLite; "postgresql://…" or
// "postgres://…" (libpq connection URIs), PostgreSQL. options serve SQLite.
std::unique_ptr<Store> OpenStore(const std::string& url, const StoreOptions& options = {});

}  // namespace cairn::catalog
