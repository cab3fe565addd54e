#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/model.h"
#include "catalog/postgres/connection.h"
#include "catalog/search_document.h"

namespace cairn::catalog::postgres {

// What an Apply of one service changed that its search documents depend on.
struct SearchChanges {
  std::int64_t service_id = 0;
  std::vector<std::int64_t> table_ids;  // tables added, changed or removed
  std::vector<std::int64_t> node_ids;   // dbt nodes added, changed or removed
  bool new_results = false;             // run results were added: test statuses may change
};

// PostgreSQL full-text search over search_docs (catalog_schema.cc): the
// same documents, filters, facets and test statuses as the SQLite index
// (catalog/sqlite/search_index.h), ranked with ts_rank. Documents are
// rebuilt set-wise from the stored rows, so a table's document is right
// whichever source wrote it.
class SearchIndex {
 public:
  explicit SearchIndex(Connection& db) : db_(db) {}

  // Rebuilds (or drops) the documents of the changed tables and nodes with
  // one statement per kind, then the test status of the service's
  // documents. Writes nothing when nothing changed.
  void Refresh(const SearchChanges& changes);

  // Indexes a snapshot applied to a catalog that held no documents: the
  // documents Refresh would build from the stored rows, built from the
  // snapshot and written with one COPY. `table_ids` and `node_ids` are the
  // rows' ids, parallel to snapshot.tables and snapshot.nodes.
  // With `statuses` (a catalog without history either), the documents get
  // their test status at once.
  void IndexNewCatalog(const ServiceSnapshot& snapshot, std::int64_t service_id,
                       const std::vector<std::int64_t>& table_ids,
                       const std::vector<std::int64_t>& node_ids,
                       const NewCatalogTestStatuses* statuses);

  SearchPage Search(const SearchQuery& query);

  // The test status (as SearchHit::test_status) of the document of each
  // table or dbt resource FQN, in order; "none" for one without a document.
  std::vector<std::string> TestStatuses(const std::vector<std::string>& fqns);

 private:
  Connection& db_;
};

// A to_tsquery('simple', …) expression for what a user typed: its words
// (catalog/search_terms.h) all required, the parts of a word that the index
// splits ("customer_id") as a phrase, the last one as a prefix; every
// lexeme quoted, so no user text is read as query syntax. Empty when the
// text has no words.
std::string BuildTsQuery(std::string_view text);

// A document's tsvector in PostgreSQL's input syntax, as the SQL of Refresh
// computes it: the runs of letters and digits (ASCII folded to lower case) of
// name and aliases weighted A, fqn B, tags and description C, columns D.
std::string DocumentVector(const catalog::Document& doc);

}  // namespace cairn::catalog::postgres
