#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/entity_detail.h"
#include "catalog/sqlite/connection.h"
#include "catalog/store.h"

namespace cairn::catalog::sqlite {

// The Store on one SQLite file: WAL mode (readers beside one writer), foreign
// keys on, migrated to the latest schema when opened. Owns one connection;
// use one SqliteStore per thread.
class SqliteStore final : public Store, private EntityRows {
 public:
  // Opens or creates the file. Throws kStorage when it cannot be opened, is
  // not a Cairn catalog, or has a schema newer than this binary. With
  // options.first_load a new file starts with a rollback journal (see
  // Apply).
  explicit SqliteStore(const std::string& path, const StoreOptions& options = {});

  ApplyReport Apply(const ServiceSnapshot& snapshot) override;
  // Writes the tables while the nodes are still being mapped, and so on;
  // the transaction opens once the first part is there.
  ApplyReport ApplyStaged(StagedSnapshot& staged) override;
  SearchPage Search(const SearchQuery& query) override;
  std::optional<EntityDetail> Get(std::string_view fqn_or_unique_id) override;
  LineageGraph Lineage(const LineageQuery& query) override;
  std::vector<NodeRun> RunHistory(std::string_view unique_id, int limit) override;
  std::vector<InvocationSummary> Invocations(int limit, int offset) override;
  std::vector<NodeRun> InvocationRuns(std::string_view invocation_id) override;
  void SaveEdits(const std::vector<Edit>& edits) override;
  std::optional<UnchangedService> FindUnchanged(std::string_view artifact_fingerprint) override;
  bool HoldsArtifactFingerprints() override;
  CatalogCounts Counts() override;
  std::int64_t ChangeCounter() override;
  int SchemaVersion() override;

  // Copies the WAL into the main file and truncates the WAL.
  void Checkpoint();

  // Test hook: the next Apply writes everything, then fails before it commits.
  void FailNextApplyBeforeCommitForTesting() { fail_next_apply_ = true; }

 private:
  // Both Applies; `staged`, when set, is what `snapshot` is being read into.
  ApplyReport Write(const ServiceSnapshot& snapshot, StagedSnapshot* staged);
  std::optional<DbtNode> ReadNode(const char* sql, std::string_view key, std::string& service);
  // EntityRows, for Get.
  std::optional<Table> TableRow(std::string_view fqn, std::string& service) override;
  std::optional<DbtNode> BuilderNode(std::string_view fqn) override;
  std::optional<DbtNode> NodeByFqn(std::string_view fqn, std::string& service) override;
  std::optional<DbtNode> NodeByUniqueId(std::string_view unique_id, std::string& service) override;
  std::vector<TestSummary> TestsOn(std::string_view fqn) override;
  std::vector<NodeRun> Runs(std::string_view unique_id, int limit) override;
  std::vector<Edit> EditsOf(std::string_view fqn) override;
  std::vector<Edit> ReadEdits(std::string_view target_fqn);
  // Name and resource type of lineage vertices: their tables or dbt nodes,
  // in two statements for all of them.
  void Describe(std::vector<LineageNode>& nodes);
  // Each node's test status, from the search index's facets.
  void AttachTestStatuses(LineageGraph& graph);

  // Switches a file created with a rollback journal to WAL once it holds a
  // committed Apply; keeps trying on later Applies when it cannot.
  void SwitchToWal() noexcept;

  std::unique_ptr<Connection> db_;
  bool rollback_journal_ = false;  // a new file, not switched to WAL yet
  bool fail_next_apply_ = false;
};

}  // namespace cairn::catalog::sqlite
