#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "catalog/model.h"
#include "catalog/table_layers.h"

// How an Apply turns the stored tables of a service into those of a
// snapshot, whatever the backend: which rows are added, rewritten, shared
// between origins (catalog/table_layers.h), marked deleted or removed. The
// decisions are made here once; a backend (TableRowWriter) carries them out,
// at once or in bulk.
namespace cairn::catalog {

// The origin of a table row that several origins describe: the row holds
// the merge of their layers. A table only one origin describes has no
// layers; its row is that origin's view.
inline constexpr std::string_view kSharedOrigin = "";

// A stored table of the service, as Apply compares it.
struct StoredTableRow {
  std::int64_t id = 0;
  std::int64_t hash = 0;  // HashTable of what the row holds
  std::string fqn;
  std::string origin;
  std::string database;
  std::string schema;
  bool deleted = false;  // marked deleted by an earlier Apply
  bool seen = false;     // listed by the snapshot being applied
};

struct StoredLayer {
  std::int64_t hash = 0;  // HashTable of the layer
  bool deleted = false;   // its origin marked the table deleted
};
// The layers of a service's shared tables, by (table id, origin).
using StoredLayers = std::map<std::pair<std::int64_t, std::string>, StoredLayer>;

// What a backend does for TableReconciler, inside the Apply's transaction.
class TableRowWriter {
 public:
  virtual ~TableRowWriter() = default;
  // snapshot.tables[index] is new to the service.
  virtual void InsertTable(std::size_t index, const Table& table, std::int64_t hash) = 0;
  // snapshot.tables[index] is stored as `row` (called before any change to it).
  virtual void MatchTable(std::size_t index, const StoredTableRow& row) = 0;
  // The row and its columns are to hold `table`, held by `origin`.
  virtual void RewriteTable(const StoredTableRow& row, std::string_view origin, const Table& table,
                            std::int64_t hash, std::string_view deleted_at) = 0;
  virtual void MarkTableDeleted(const StoredTableRow& row) = 0;
  virtual void RemoveTable(const StoredTableRow& row) = 0;
  // The table stored under `fqn` as readers see it.
  virtual std::optional<Table> ReadTable(std::string_view fqn) = 0;
  virtual std::vector<TableLayer> ReadLayers(std::int64_t table_id) = 0;
  virtual void PutLayer(std::int64_t table_id, std::string_view origin, std::int64_t hash,
                        const Table& table) = 0;
  virtual void RemoveLayer(std::int64_t table_id, std::string_view origin) = 0;
  virtual void RemoveLayers(std::int64_t table_id) = 0;
};

// Store::Apply's rules for tables: matched by FQN (FqnKey); unchanged
// rows (same hash, same origin) untouched; another origin's table becomes
// shared; tables of the snapshot's origin that it no longer lists (within
// its read schemas) go as snapshot.missing_tables says.
class TableReconciler {
 public:
  TableReconciler(const ServiceSnapshot& snapshot, TableRowWriter& writer, ApplyCounts& counts)
      : snapshot_(snapshot), writer_(writer), counts_(counts) {}

  // `stored`: the service's tables by FqnKey; `layers`: of its shared ones.
  // Throws kInconsistent when the snapshot lists a table twice.
  void Apply(std::unordered_map<std::string, StoredTableRow>& stored, StoredLayers layers);

 private:
  void Rewrite(StoredTableRow& row, std::string_view origin, const Table& table, std::int64_t hash,
               std::string_view deleted_at);
  // A table the snapshot lists that another origin describes too: this
  // origin's layer is stored and the row becomes the layers' merge.
  void ShareTable(StoredTableRow& row, const Table& table, std::int64_t hash);
  // A shared table this origin no longer lists: its layer goes (or is
  // marked deleted) and the row is merged again from what is left.
  void ForgetMissingLayer(StoredTableRow& row);
  // Writes the row from the table's layers again; false when it already
  // held that.
  bool Remerge(StoredTableRow& row);
  bool InReadSchemas(const StoredTableRow& row) const;
  void ForgetMissingTable(const StoredTableRow& row);

  const ServiceSnapshot& snapshot_;
  TableRowWriter& writer_;
  ApplyCounts& counts_;
  StoredLayers layers_;
};

}  // namespace cairn::catalog
