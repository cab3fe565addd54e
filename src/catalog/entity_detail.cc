#include "catalog/entity_detail.h"

#include "catalog/entity_edits.h"
#include "catalog/fqn_key.h"

namespace cairn::catalog {
namespace {

// How many past results Get returns per test and for the node itself.
constexpr int kHistoryInDetail = 20;

std::vector<TestSummary> TestsWithHistory(EntityRows& rows, std::string_view fqn) {
  std::vector<TestSummary> tests = rows.TestsOn(fqn);
  for (TestSummary& test : tests) {
    test.history = rows.Runs(test.unique_id, kHistoryInDetail);
    if (!test.history.empty()) test.latest_status = test.history.front().status;
  }
  return tests;
}

}  // namespace

std::optional<EntityDetail> ReadEntityDetail(EntityRows& rows, std::string_view fqn_or_unique_id) {
  EntityDetail detail;
  if (std::optional<Table> table = rows.TableRow(fqn_or_unique_id, detail.service)) {
    detail.kind = "table";
    detail.node = rows.BuilderNode(table->fqn);
    detail.tests = TestsWithHistory(rows, table->fqn);
    detail.table = std::move(table);
  } else {
    detail.node = rows.NodeByFqn(fqn_or_unique_id, detail.service);
    if (!detail.node) detail.node = rows.NodeByUniqueId(fqn_or_unique_id, detail.service);
    if (!detail.node) return std::nullopt;
    // A model, seed, snapshot or source is shown as the table it builds.
    if (!detail.node->table_fqn.empty() &&
        FqnKey(detail.node->table_fqn) == FqnKey(detail.node->fqn) &&
        FqnKey(detail.node->fqn) != FqnKey(fqn_or_unique_id)) {
      if (auto table_detail = ReadEntityDetail(rows, detail.node->fqn);
          table_detail && table_detail->table) {
        return table_detail;
      }
    }
    detail.kind = "dbt_node";
    detail.tests = TestsWithHistory(rows, detail.node->fqn);
  }
  if (detail.node) detail.runs = rows.Runs(detail.node->unique_id, kHistoryInDetail);
  LayEditsOver(detail, rows.EditsOf(detail.table ? detail.table->fqn : detail.node->fqn));
  return detail;
}

}  // namespace cairn::catalog
