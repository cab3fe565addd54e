#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "catalog/model.h"
#include "catalog/postgres/bulk.h"
#include "catalog/postgres/connection.h"
#include "catalog/postgres/table_rows.h"
#include "catalog/search_document.h"
#include "catalog/staged_snapshot.h"
#include "catalog/table_reconciler.h"

namespace cairn::catalog::postgres {

// Writes one ServiceSnapshot inside the caller's transaction (Store::Apply
// semantics), as catalog/sqlite/snapshot_writer.h does, but in bulk: the
// stored rows of the service are read with one statement per kind, compared
// by content hash in memory, and what changed is written with COPY and
// statements over arrays of ids, so that the number of round trips does not
// grow with the project. Rows whose hash is unchanged are not touched.
// With `staged` set, `snapshot` is still being read into it: each part is
// awaited before it is written (a failure of the reader is thrown from
// Write), and the snapshot is released before the search documents, which
// are built from the stored rows alone.
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
  // A table row to write when the tables are flushed.
  struct TableWrite {
    std::int64_t id = 0;
    std::string origin;
    std::int64_t hash = 0;
    const Table* table = nullptr;
    std::string deleted_at;
  };

  void Await(SnapshotPart part);
  void UpsertService();
  void WriteTables();
  // TableRowWriter: decisions of TableReconciler, written by FlushTables.
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
  // Removes, marks, rewrites and inserts the tables decided on, in bulk.
  void FlushTables();
  void AddTableRow(CopyRows& rows, const TableWrite& write);
  void WriteNodes();
  void AddNodeRow(CopyRows& rows, std::int64_t id, const DbtNode& node, std::int64_t hash);
  void WriteLineage();
  void WriteDocBlocks();
  void SaveSetState();
  void WriteHistory();
  void RefreshSearch();

  // `count` new ids of a bigserial table's sequence, in one round trip.
  std::vector<std::int64_t> NewIds(const char* sql, std::size_t count);
  std::optional<std::int64_t> StoredSetHash(const char* sql);

  Connection& db_;
  const ServiceSnapshot& snapshot_;
  StagedSnapshot* staged_;
  ApplyReport report_;
  std::int64_t service_id_ = 0;
  std::vector<std::pair<std::size_t, std::int64_t>> table_inserts_;  // snapshot index, hash
  std::vector<TableWrite> table_writes_;
  std::deque<Table> written_tables_;  // what table_writes_ point at
  std::vector<std::int64_t> removed_tables_;
  std::vector<std::int64_t> marked_tables_;
  std::unordered_set<std::int64_t> dirty_tables_;
  std::unordered_set<std::int64_t> dirty_nodes_;
  // FQNs of tables whose documents the nodes that build them changed.
  std::vector<std::string> dirty_table_fqns_;
  // The catalog held no tables and no nodes before this Apply: the search
  // documents come from the snapshot (SearchIndex::IndexNewCatalog), with
  // the rows' ids parallel to snapshot_.tables and snapshot_.nodes.
  bool catalog_was_empty_ = false;
  // ... and no run results: the test statuses come from this snapshot.
  bool history_was_empty_ = false;
  LatestRuns latest_runs_;  // with history_was_empty_: what WriteHistory stored
  std::vector<std::int64_t> table_row_ids_;
  std::vector<std::int64_t> node_row_ids_;
  std::int64_t lineage_hash_ = 0;
  std::int64_t docs_hash_ = 0;
};

}  // namespace cairn::catalog::postgres
