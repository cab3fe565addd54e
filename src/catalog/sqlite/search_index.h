#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/model.h"
#include "catalog/sqlite/connection.h"

namespace cairn::catalog::sqlite {

// The FTS5 search index (table search_fts): one document per table, carrying
// what the dbt node that builds it says, and one per table-less dbt node
// (tests, exposures, ephemeral models, ...). Documents are rebuilt from the
// stored rows, so a table's document is right whichever source wrote it.
class SearchIndex {
 public:
  explicit SearchIndex(Connection& db) : db_(db) {}

  // Rebuilds (or drops, when the entity is gone) the documents of these
  // tables and nodes, in a few set-wise statements. `had_documents` false
  // (nothing of the service was indexed before) skips the deletes.
  void Refresh(const std::vector<std::int64_t>& table_ids,
               const std::vector<std::int64_t>& node_ids, bool had_documents);

  // Indexes a snapshot applied to a catalog that held no tables and no nodes
  // before: the documents Refresh would build from the stored rows, built
  // from the snapshot instead. `table_ids` and `node_ids` are the rows'
  // ids, parallel to snapshot.tables and snapshot.nodes; `service` is the
  // service's stored name.
  void IndexNewCatalog(const ServiceSnapshot& snapshot, std::string_view service,
                       const std::vector<std::int64_t>& table_ids,
                       const std::vector<std::int64_t>& node_ids);

  SearchPage Search(const SearchQuery& query);

 private:
  Connection& db_;
};

// An FTS5 MATCH expression for what a user typed: its words, each quoted
// (so no user text is read as FTS syntax), all required, the last one as a
// prefix. Empty when the text has no words.
std::string BuildMatchExpression(std::string_view text);

}  // namespace cairn::catalog::sqlite
