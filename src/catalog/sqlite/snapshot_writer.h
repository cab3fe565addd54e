#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "catalog/model.h"
#include "catalog/sqlite/connection.h"
#include "catalog/sqlite/search_index.h"
#include "catalog/sqlite/table_rows.h"
#include "catalog/staged_snapshot.h"
#include "catalog/table_reconciler.h"

namespace cairn::catalog::sqlite {

// Writes one ServiceSnapshot inside the caller's transaction (Store::Apply
// semantics). Entities are matched to stored rows by FQN (tables) and
// unique_id (nodes); rows whose content hash is unchanged are not touched, so
// re-applying an unchanged snapshot only reads. Search documents are
// refreshed for exactly the entities that changed. With `staged` set,
// `snapshot` is still being read into it: each part is awaited before it is
// written, and a failure of the reader is thrown from Write; the snapshot is
// released before Write is done with the transaction.
class SnapshotWriter final : private TableRowWriter {
 public:
  SnapshotWriter(Connection& db, const ServiceSnapshot& snapshot, StagedSnapshot* staged = nullptr);

  ApplyReport Write();

 private:
  struct StoredRow {  // a stored dbt node
    std::int64_t id = 0;
    std::int64_t hash = 0;
    std::string fqn;
    std::string origin;
    bool seen = false;
  };

  void Await(SnapshotPart part);
  void UpsertService();
  void WriteTables();
  // TableRowWriter: each decision of TableReconciler written at once.
  void InsertTable(std::size_t index, const Table& table, std::int64_t hash) override;
  void MatchTable(std::size_t index, const StoredTableRow& row) override;
  void RewriteTable(const StoredTableRow& row, std::string_view origin, const Table& table,
                    std::int64_t hash, std::string_view deleted_at) override;
  void MarkTableDeleted(const StoredTableRow& row) override;
  void RemoveTable(const StoredTableRow& row) override;
  std::optional<Table> ReadTable(std::string_view fqn) override;
  std::vector<TableLayer> ReadLayers(std::int64_t table_id) override;
  void PutLayer(std::int64_t table_id, std::string_view origin, std::int64_t hash,
                const Table& table) override;
  void RemoveLayer(std::int64_t table_id, std::string_view origin) override;
  void RemoveLayers(std::int64_t table_id) override;
  // Binds ?1 (`first`: the service id on insert, the row id on update) to ?13.
  Statement& BindTable(Statement& write, std::int64_t first, std::string_view origin,
                       const Table& table, std::int64_t hash);
  void InsertColumns(std::int64_t table_id, const Table& table);
  // A table the snapshot lists that another origin describes too: this
  // origin's layer is stored and the row becomes the layers' merge.
  void ShareTable(StoredRow& row, const Table& table, std::int64_t hash);
  // A shared table this origin no longer lists: its layer goes (or is
  // marked deleted) and the row is merged again from what is left.
  void ForgetMissingLayer(StoredRow& row);
  // Writes the row from the table's layers again; false when it already
  // held that.
  bool Remerge(StoredRow& row);
  // Whether a stored table lies in what the snapshot read.
  bool InReadSchemas(const StoredRow& row) const;
  // A stored table of this origin the snapshot no longer lists.
  void ForgetMissingTable(const StoredRow& row);
  void WriteNodes();
  void BindNode(Statement& statement, const DbtNode& node, std::int64_t hash);
  void WriteLineage();
  void WriteDocBlocks();
  void WriteHistory();
  void NoteLatest(std::string_view unique_id, std::string_view generated_at,
                  std::string_view status);
  void RefreshSearch();

  // The id of the table with this FQN, when there is one.
  std::optional<std::int64_t> TableIdFor(const std::string& fqn);
  // A node's fqn feeds its table's search document when it builds that table.
  void MarkTableOfNodeDirty(const std::string& fqn);
  std::optional<std::int64_t> StoredSetHash(const char* column);

  Connection& db_;
  const ServiceSnapshot& snapshot_;
  StagedSnapshot* staged_;
  SearchIndex search_;
  ApplyReport report_;
  std::int64_t service_id_ = 0;
  std::string service_name_;  // as stored
  // The catalog held no tables and no nodes before this Apply.
  bool catalog_was_empty_ = false;
  // ... and no run results: the test statuses then come from this snapshot.
  bool history_was_empty_ = false;
  LatestRuns latest_runs_;  // with history_was_empty_: what WriteHistory stored
  // Row ids parallel to snapshot_.tables and snapshot_.nodes.
  std::vector<std::int64_t> table_row_ids_;
  std::vector<std::int64_t> node_row_ids_;
  std::unordered_map<std::string, std::int64_t> table_ids_;  // FqnKey -> id
  std::unordered_set<std::int64_t> dirty_tables_;
  std::unordered_set<std::int64_t> dirty_nodes_;
  bool had_entities_ = false;  // the service held tables or nodes of any origin
  std::int64_t lineage_hash_ = 0;
  std::int64_t docs_hash_ = 0;
};

}  // namespace cairn::catalog::sqlite
