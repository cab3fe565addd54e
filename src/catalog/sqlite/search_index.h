#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "catalog/model.h"
#include "catalog/search_document.h"
#include "catalog/sqlite/connection.h"

namespace cairn::catalog::sqlite {

// What an Apply of one service changed that its search documents and their
// facets depend on.
struct SearchChanges {
  std::int64_t service_id = 0;
  std::vector<std::int64_t> table_ids;  // tables added, changed or removed, ascending
  std::vector<std::int64_t> node_ids;   // dbt nodes added, changed or removed, ascending
  bool had_documents = false;           // the service was indexed before (else deletes are skipped)
  bool new_results = false;             // run results were added: test statuses may change
};

// The FTS5 search index (table search_fts): one document per table, carrying
// what the dbt node that builds it says, and one per table-less dbt node
// (tests, exposures, ephemeral models, ...). Documents are rebuilt from the
// stored rows, so a table's document is right whichever source wrote it.
// Beside each document, search_facets keeps what it is filtered and counted
// by, including the worst latest result of its tests, which changes with run
// results even when the document does not.
class SearchIndex {
 public:
  explicit SearchIndex(Connection& db) : db_(db) {}

  // Rebuilds (or drops, when the entity is gone) the documents and facets of
  // the changed tables and nodes in a few set-wise statements, then the test
  // status of the service's documents. Writes nothing when nothing changed.
  void Refresh(const SearchChanges& changes);

  // Indexes a snapshot applied to a catalog that held no tables and no nodes
  // before: the documents Refresh would build from the stored rows, built
  // from the snapshot instead. `table_ids` and `node_ids` are the rows'
  // ids, parallel to snapshot.tables and snapshot.nodes; `service` is the
  // service's stored name.
  void IndexNewCatalog(const ServiceSnapshot& snapshot, std::string_view service,
                       const std::vector<std::int64_t>& table_ids,
                       const std::vector<std::int64_t>& node_ids);

  // The test status of those documents, as Refresh would compute it from
  // the stored runs, for a catalog that held no runs either: `latest` is
  // the status of each node's latest run (by unique_id) among the runs this
  // Apply stored.
  void SetNewCatalogTestStatus(const ServiceSnapshot& snapshot,
                               const std::vector<std::int64_t>& table_ids,
                               const std::vector<std::int64_t>& node_ids, const LatestRuns& latest);

  SearchPage Search(const SearchQuery& query);

  // The test status (as SearchHit::test_status) of the document of each
  // table or dbt resource FQN, in order; "none" for one without a document.
  std::vector<std::string> TestStatuses(const std::vector<std::string>& fqns);

 private:
  void Rank(const std::string& match, const SearchQuery& query, int test_status, SearchPage& page);
  void List(const SearchQuery& query, int test_status, SearchPage& page);
  std::int64_t Count(const std::string& match, const SearchQuery& query, int test_status);
  SearchFacets CountFacets(const std::string& match, const SearchQuery& query, int test_status,
                           std::int64_t& total);

  Connection& db_;
};

// Builds search_facets for every stored document (migration 6).
void RebuildSearchFacets(Connection& db);

// An FTS5 MATCH expression for what a user typed: its words, each quoted
// (so no user text is read as FTS syntax), all required, the last one as a
// prefix. Empty when the text has no words.
std::string BuildMatchExpression(std::string_view text);

}  // namespace cairn::catalog::sqlite
