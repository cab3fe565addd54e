#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/entity_detail.h"
#include "catalog/postgres/connection.h"
#include "catalog/store.h"

namespace cairn::catalog::postgres {

// The Store on a PostgreSQL database (libpq), migrated to the latest schema
// when opened. Owns one connection; use one PostgresStore per thread. Each
// Apply is one transaction whose writes are bulk (COPY and statements over
// arrays), so its round trips do not grow with the project; readers in
// other processes see it whole or not at all.
class PostgresStore final : public Store, private EntityRows {
 public:
  // `url`: postgresql://… Throws kStorage when it cannot connect or the
  // schema is newer than this binary.
  explicit PostgresStore(const std::string& url);

  ApplyReport Apply(const ServiceSnapshot& snapshot) override;
  // Writes the tables and lineage while the nodes are still being mapped,
  // and the nodes while the run results are read; the transaction opens
  // once the first part is there.
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
  // Name and resource type of lineage vertices, in two statements for all.
  void Describe(std::vector<LineageNode>& nodes);
  // Marks the open transaction as a change for ChangeCounter.
  void CountChange();

  std::unique_ptr<Connection> db_;
  bool fail_next_apply_ = false;
};

}  // namespace cairn::catalog::postgres
