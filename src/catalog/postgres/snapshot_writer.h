#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "catalog/model.h"
#include "catalog/postgres/bulk.h"
#include "catalog/postgres/connection.h"
#include "catalog/postgres/table_rows.h"

namespace cairn::catalog::postgres {

// Writes one ServiceSnapshot inside the caller's transaction (Store::Apply
// semantics), as catalog/sqlite/snapshot_writer.h does, but in bulk: the
// stored rows of the service are read with one statement per kind, compared
// by content hash in memory, and what changed is written with COPY and
// statements over arrays of ids, so that the number of round trips does not
// grow with the project. Rows whose hash is unchanged are not touched.
class SnapshotWriter {
 public:
  SnapshotWriter(Connection& db, const ServiceSnapshot& snapshot);

  ApplyReport Write();

 private:
  struct StoredRow {
    std::int64_t id = 0;
    std::int64_t hash = 0;
    std::string fqn;
    std::string origin;
    std::string database;  // tables only
    std::string schema;
    bool deleted = false;  // marked deleted by an earlier Apply
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

  void UpsertService();
  void WriteTables();
  // Replaces a stored table's row and columns with `table`, held by `origin`.
  void RewriteTable(StoredRow& row, std::string_view origin, const Table& table, std::int64_t hash,
                    std::string_view deleted_at);
  void ShareTable(StoredRow& row, const Table& table, std::int64_t hash);
  void ForgetMissingLayer(StoredRow& row);
  bool Remerge(StoredRow& row);
  bool InReadSchemas(const StoredRow& row) const;
  void ForgetMissingTable(const StoredRow& row);
  void FlushTables(const std::vector<const Table*>& inserts);
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
  ApplyReport report_;
  std::int64_t service_id_ = 0;
  StoredLayers layers_;  // of the service's shared tables, as stored before this Apply
  std::vector<TableWrite> table_writes_;
  std::deque<Table> merged_tables_;  // what table_writes_ point at besides the snapshot
  std::vector<std::int64_t> removed_tables_;
  std::vector<std::int64_t> marked_tables_;
  std::unordered_set<std::int64_t> dirty_tables_;
  std::unordered_set<std::int64_t> dirty_nodes_;
  // FQNs of tables whose documents the nodes that build them changed.
  std::vector<std::string> dirty_table_fqns_;
  std::int64_t lineage_hash_ = 0;
  std::int64_t docs_hash_ = 0;
};

}  // namespace cairn::catalog::postgres
