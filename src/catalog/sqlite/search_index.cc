#include "catalog/sqlite/search_index.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <queue>
#include <unordered_map>
#include <vector>

#include "catalog/fqn_key.h"
#include "catalog/search_document.h"
#include "catalog/search_terms.h"
#include "core/error.h"

namespace cairn::catalog::sqlite {
namespace {

// The entities whose documents an Apply refreshes, in temporary tables so
// that documents are rebuilt set-wise and in ascending rowid order (FTS5
// flushes its pending terms whenever a rowid is not above the previous one).
constexpr const char* kCreateDirtySets = R"sql(
CREATE TEMP TABLE IF NOT EXISTS dirty_tables(id INTEGER PRIMARY KEY);
CREATE TEMP TABLE IF NOT EXISTS dirty_nodes(id INTEGER PRIMARY KEY);
DELETE FROM temp.dirty_tables;
DELETE FROM temp.dirty_nodes;
)sql";
constexpr const char* kClearDirtySets =
    "DELETE FROM temp.dirty_tables; DELETE FROM temp.dirty_nodes;";
constexpr const char* kAddDirtyTable = "INSERT OR IGNORE INTO temp.dirty_tables(id) VALUES (?1)";
constexpr const char* kAddDirtyNode = "INSERT OR IGNORE INTO temp.dirty_nodes(id) VALUES (?1)";

#define CAIRN_DIRTY_DOCUMENTS              \
  " (SELECT id * 2 FROM temp.dirty_tables" \
  " UNION ALL SELECT id * 2 + 1 FROM temp.dirty_nodes)"
constexpr const char* kDeleteDocuments =
    "DELETE FROM search_fts WHERE rowid IN" CAIRN_DIRTY_DOCUMENTS;
constexpr const char* kDeleteFacets =
    "DELETE FROM search_facets WHERE doc IN" CAIRN_DIRTY_DOCUMENTS;
#undef CAIRN_DIRTY_DOCUMENTS

// A table's facets come from the table and the dbt node that builds it (same
// fqn): tags and owners of both, lower-cased between U+001F separators for
// exact filtering. Written before the documents, which repeat them.
constexpr const char* kInsertTableFacets = R"sql(
INSERT INTO search_facets(doc, resource_type, schema_name, tag_list, owner_list)
SELECT t.id * 2,
       coalesce(n.resource_type, 'table'),
       t.schema_name,
       iif(t.tags = '[]' AND coalesce(n.tags, '[]') = '[]', '',
           coalesce((SELECT char(31) || group_concat(lower(value), char(31)) || char(31)
                     FROM (SELECT value FROM json_each(t.tags)
                           UNION SELECT value FROM json_each(n.tags))), '')),
       iif(t.owners = '[]' AND coalesce(n.owners, '[]') = '[]', '',
           coalesce((SELECT char(31) || group_concat(lower(value), char(31)) || char(31)
                     FROM (SELECT value FROM json_each(t.owners)
                           UNION SELECT value FROM json_each(n.owners))), ''))
FROM temp.dirty_tables d
JOIN tables t ON t.id = d.id
LEFT JOIN dbt_nodes n ON n.id = (SELECT b.id FROM dbt_nodes b WHERE b.fqn = t.fqn
                                 AND b.table_fqn = b.fqn ORDER BY b.id LIMIT 1)
ORDER BY d.id
)sql";

// Nodes whose fqn is their table's are part of the table's document instead.
constexpr const char* kInsertNodeFacets = R"sql(
INSERT INTO search_facets(doc, resource_type, schema_name, tag_list, owner_list)
SELECT n.id * 2 + 1,
       n.resource_type,
       iif(n.table_fqn = '', '',
           coalesce((SELECT schema_name FROM tables WHERE fqn = n.table_fqn), '')),
       iif(n.tags = '[]', '',
           coalesce((SELECT char(31) || group_concat(lower(value), char(31)) || char(31)
                     FROM json_each(n.tags)), '')),
       iif(n.owners = '[]', '',
           coalesce((SELECT char(31) || group_concat(lower(value), char(31)) || char(31)
                     FROM json_each(n.owners)), ''))
FROM temp.dirty_nodes d
JOIN dbt_nodes n ON n.id = d.id
WHERE n.fqn <> n.table_fqn
ORDER BY d.id
)sql";

// A table's document carries what the dbt node that builds it says, and
// its tags as text for search; the filter columns repeat its facets.
constexpr const char* kInsertTableDocuments = R"sql(
INSERT INTO search_fts(rowid, name, aliases, fqn, description, columns, tags, resource_type,
                       schema_name, service, tag_list, owner_list)
SELECT t.id * 2, t.name,
       iif(n.name IS NULL OR n.name = t.name, '', n.name),
       t.fqn,
       iif(t.description <> '', t.description, coalesce(n.description, '')),
       coalesce((SELECT group_concat(c.name || ' ' || c.description, ' ')
                 FROM columns c WHERE c.table_id = t.id), ''),
       iif(t.tags = '[]' AND coalesce(n.tags, '[]') = '[]', '',
           coalesce((SELECT group_concat(value, ' ') FROM (SELECT value FROM json_each(t.tags)
                     UNION SELECT value FROM json_each(n.tags))), '')),
       x.resource_type, x.schema_name, s.name, x.tag_list, x.owner_list
FROM temp.dirty_tables d
JOIN tables t ON t.id = d.id
JOIN search_facets x ON x.doc = t.id * 2
JOIN services s ON s.id = t.service_id
LEFT JOIN dbt_nodes n ON n.id = (SELECT b.id FROM dbt_nodes b WHERE b.fqn = t.fqn
                                 AND b.table_fqn = b.fqn ORDER BY b.id LIMIT 1)
ORDER BY d.id
)sql";

constexpr const char* kInsertNodeDocuments = R"sql(
INSERT INTO search_fts(rowid, name, aliases, fqn, description, columns, tags, resource_type,
                       schema_name, service, tag_list, owner_list)
SELECT n.id * 2 + 1, n.name, iif(n.test_name <> n.name, n.test_name, ''), n.fqn, n.description,
       n.test_column,
       iif(n.tags = '[]', '',
           coalesce((SELECT group_concat(value, ' ') FROM json_each(n.tags)), '')),
       x.resource_type, x.schema_name, s.name, x.tag_list, x.owner_list
FROM temp.dirty_nodes d
JOIN dbt_nodes n ON n.id = d.id
JOIN search_facets x ON x.doc = n.id * 2 + 1
JOIN services s ON s.id = n.service_id
ORDER BY d.id
)sql";

constexpr const char* kInsertDocument = R"sql(
INSERT INTO search_fts(rowid, name, aliases, fqn, description, columns, tags, resource_type,
                       schema_name, service, tag_list, owner_list)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
)sql";

constexpr const char* kSetTestStatus = "UPDATE search_facets SET test_status = ?2 WHERE doc = ?1";
constexpr const char* kInsertFacet = R"sql(
INSERT INTO search_facets(doc, resource_type, schema_name, tag_list, owner_list)
VALUES (?1, ?2, ?3, ?4, ?5)
)sql";

// A document's test status is the worst latest result of the tests on its
// subject (a table's document: the table; a node's: the node) or, for a
// test, its own. Run results are history keyed by unique_id, so one new
// invocation can change the status of every document of a service without
// changing any document: the statuses of the service are recomputed
// together, from the latest result of each of its tests, and only rows
// whose status changed are written.
constexpr const char* kCreateTestRanks = R"sql(
CREATE TEMP TABLE IF NOT EXISTS test_ranks(node_id INTEGER PRIMARY KEY,
                                           subject TEXT NOT NULL COLLATE NOCASE,
                                           rank INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS temp.test_ranks_by_subject ON test_ranks(subject, rank);
DELETE FROM temp.test_ranks;
)sql";
constexpr const char* kClearTestRanks = "DELETE FROM temp.test_ranks";
// A test's latest result as Get shows it (newest first), ranked worst high;
// some dbt versions write "success" for a passing test.
constexpr const char* kRankTests = R"sql(
INSERT INTO temp.test_ranks(node_id, subject, rank)
SELECT x.id, x.table_fqn,
       CASE (SELECT r.status FROM node_runs r WHERE r.unique_id = x.unique_id
             ORDER BY r.generated_at DESC, r.id DESC LIMIT 1)
         WHEN 'error' THEN 4 WHEN 'fail' THEN 3 WHEN 'warn' THEN 2 WHEN 'pass' THEN 1
         WHEN 'success' THEN 1 ELSE 0 END
FROM dbt_nodes x WHERE x.service_id = ?1 AND x.resource_type IN ('test', 'unit_test')
)sql";
constexpr const char* kUpdateTestStatus = R"sql(
UPDATE search_facets SET test_status = s.worst
FROM (SELECT t.id * 2 AS doc,
             coalesce((SELECT max(r.rank) FROM temp.test_ranks r WHERE r.subject = t.fqn), 0)
               AS worst
      FROM tables t WHERE t.service_id = ?1
      UNION ALL
      SELECT n.id * 2 + 1,
             coalesce((SELECT r.rank FROM temp.test_ranks r WHERE r.node_id = n.id),
                      (SELECT max(r.rank) FROM temp.test_ranks r WHERE r.subject = n.fqn), 0)
      FROM dbt_nodes n WHERE n.service_id = ?1 AND n.fqn <> n.table_fqn) s
WHERE search_facets.doc = s.doc AND search_facets.test_status <> s.worst
)sql";

// ?2..?6 are the optional filters on the document's facets (x); an empty
// value (a negative status) means no filter.
#define CAIRN_SEARCH_FILTERS                                                     \
  " AND (?2 = '' OR x.resource_type = ?2)"                                       \
  " AND (?3 = '' OR instr(x.tag_list, char(31) || lower(?3) || char(31)) > 0)"   \
  " AND (?4 = '' OR instr(x.owner_list, char(31) || lower(?4) || char(31)) > 0)" \
  " AND (?5 = '' OR x.schema_name = ?5 COLLATE NOCASE)"                          \
  " AND (?6 < 0 OR x.test_status = ?6)"
#define CAIRN_MATCHES                                                 \
  " FROM search_fts JOIN search_facets x ON x.doc = search_fts.rowid" \
  " WHERE search_fts MATCH ?1" CAIRN_SEARCH_FILTERS

// Column weights: a hit in the name counts most, then aliases, fqn, tags,
// description, and column names/descriptions least. FTS5 ranks the matches
// by it before reading any document (ORDER BY rank); Rank demotes tests.
constexpr const char* kRankText =
    "SELECT search_fts.rowid, rank, x.resource_type, x.test_status" CAIRN_MATCHES
    " AND rank MATCH 'bm25(10.0, 8.0, 4.0, 2.0, 1.0, 3.0)' ORDER BY rank";
constexpr const char* kDocument =
    "SELECT fqn, name, resource_type, substr(description, 1, 200) FROM search_fts"
    " WHERE rowid = ?1";
constexpr const char* kCountText = "SELECT count(*) FROM search_fts WHERE search_fts MATCH ?1";
constexpr const char* kCountTextFiltered = "SELECT count(*)" CAIRN_MATCHES;
constexpr const char* kFacetsText =
    "SELECT x.resource_type, x.schema_name, x.tag_list, x.owner_list, x.test_status" CAIRN_MATCHES;
constexpr const char* kListAll =
    "SELECT f.fqn, f.name, x.resource_type, substr(f.description, 1, 200), x.test_status"
    " FROM search_facets x JOIN search_fts f ON f.rowid = x.doc"
    " WHERE ?1 = ''" CAIRN_SEARCH_FILTERS " ORDER BY f.name, f.fqn LIMIT ?7 OFFSET ?8";
constexpr const char* kCountAll =
    "SELECT count(*) FROM search_facets x WHERE ?1 = ''" CAIRN_SEARCH_FILTERS;
constexpr const char* kFacetsAll =
    "SELECT x.resource_type, x.schema_name, x.tag_list, x.owner_list, x.test_status"
    " FROM search_facets x WHERE ?1 = ''" CAIRN_SEARCH_FILTERS;

#undef CAIRN_MATCHES
#undef CAIRN_SEARCH_FILTERS

bool HasFilters(const SearchQuery& query, int test_status) {
  return !query.resource_type.empty() || !query.tag.empty() || !query.owner.empty() ||
         !query.schema.empty() || test_status >= 0;
}

void BindSearch(Statement& statement, const std::string& match, const SearchQuery& query,
                int test_status) {
  statement.Bind(1, std::string_view(match))
      .Bind(2, std::string_view(query.resource_type))
      .Bind(3, std::string_view(query.tag))
      .Bind(4, std::string_view(query.owner))
      .Bind(5, std::string_view(query.schema))
      .Bind(6, test_status);
}

// A match as ranked, before its document is read.
struct RankedMatch {
  std::int64_t doc = 0;
  double score = 0;
  std::int64_t test_status = 0;
};

void RefreshTestStatus(Connection& db, std::int64_t service_id) {
  db.Exec(kCreateTestRanks);
  db.Prepare(kRankTests).Bind(1, service_id).Exec();
  db.Prepare(kUpdateTestStatus).Bind(1, service_id).Exec();
  db.Exec(kClearTestRanks);
}

}  // namespace

std::string BuildMatchExpression(std::string_view text) {
  std::string match;
  for (std::string_view word : SearchWords(text)) {
    if (!match.empty()) match += ' ';
    match += '"';
    match += word;
    match += '"';
  }
  if (!match.empty()) match += '*';
  return match;
}

constexpr const char* kForgetDeletedTables = R"sql(
DELETE FROM temp.dirty_tables WHERE id IN (SELECT id FROM tables WHERE deleted_at <> '')
)sql";

void SearchIndex::Refresh(const SearchChanges& changes) {
  if (!changes.table_ids.empty() || !changes.node_ids.empty()) {
    db_.Exec(kCreateDirtySets);
    Statement& add_table = db_.Prepare(kAddDirtyTable);
    for (std::int64_t id : changes.table_ids) add_table.Bind(1, id).Exec();
    Statement& add_node = db_.Prepare(kAddDirtyNode);
    for (std::int64_t id : changes.node_ids) add_node.Bind(1, id).Exec();
    if (changes.had_documents) {
      db_.Prepare(kDeleteDocuments).Exec();
      db_.Prepare(kDeleteFacets).Exec();
      // A table marked deleted loses its document and gets none back.
      db_.Prepare(kForgetDeletedTables).Exec();
    }
    db_.Prepare(kInsertTableFacets).Exec();
    db_.Prepare(kInsertNodeFacets).Exec();
    db_.Prepare(kInsertTableDocuments).Exec();
    db_.Prepare(kInsertNodeDocuments).Exec();
    db_.Exec(kClearDirtySets);
  } else if (!changes.new_results) {
    return;
  }
  RefreshTestStatus(db_, changes.service_id);
}

void RebuildSearchFacets(Connection& db) {
  db.Exec("DELETE FROM search_facets");
  db.Exec(kCreateDirtySets);
  db.Exec(
      "INSERT INTO temp.dirty_tables(id) SELECT id FROM tables;"
      " INSERT INTO temp.dirty_nodes(id) SELECT id FROM dbt_nodes;");
  db.Prepare(kInsertTableFacets).Exec();
  db.Prepare(kInsertNodeFacets).Exec();
  db.Exec(kClearDirtySets);
  std::vector<std::int64_t> services;
  {
    StatementScope rows(db.Prepare("SELECT id FROM services"));
    while (rows->Next()) services.push_back(rows->Int64(0));
  }
  for (std::int64_t service_id : services) RefreshTestStatus(db, service_id);
}

void SearchIndex::IndexNewCatalog(const ServiceSnapshot& snapshot, std::string_view service,
                                  const std::vector<std::int64_t>& table_ids,
                                  const std::vector<std::int64_t>& node_ids) {
  const SnapshotDocuments documents(snapshot);
  Statement& insert = db_.Prepare(kInsertDocument);
  Statement& insert_facet = db_.Prepare(kInsertFacet);
  auto write = [&](const Document& doc) {
    insert_facet.Bind(1, doc.rowid)
        .Bind(2, doc.resource_type)
        .Bind(3, doc.schema_name)
        .Bind(4, std::string_view(doc.tag_list))
        .Bind(5, std::string_view(doc.owner_list))
        .Exec();
    insert.Bind(1, doc.rowid)
        .Bind(2, doc.name)
        .Bind(3, doc.aliases)
        .Bind(4, doc.fqn)
        .Bind(5, doc.description)
        .Bind(6, std::string_view(doc.columns))
        .Bind(7, std::string_view(doc.tags))
        .Bind(8, doc.resource_type)
        .Bind(9, doc.schema_name)
        .Bind(10, service)
        .Bind(11, std::string_view(doc.tag_list))
        .Bind(12, std::string_view(doc.owner_list))
        .Exec();
  };
  auto write_node = [&](std::size_t i) {
    std::optional<Document> doc = documents.OfNode(i);
    if (!doc) return;  // part of its table's document
    doc->rowid = node_ids[i] * 2 + 1;
    write(*doc);
  };
  // In ascending rowid order throughout, so FTS5 never flushes early (ids
  // grow in snapshot order on an empty catalog).
  std::size_t next_node = 0;
  for (std::size_t t = 0; t < snapshot.tables.size(); ++t) {
    const std::int64_t rowid = table_ids[t] * 2;
    while (next_node < snapshot.nodes.size() && node_ids[next_node] * 2 + 1 < rowid) {
      write_node(next_node++);
    }
    Document doc = documents.OfTable(t);
    doc.rowid = rowid;
    write(doc);
  }
  while (next_node < snapshot.nodes.size()) write_node(next_node++);
}

void SearchIndex::SetNewCatalogTestStatus(const ServiceSnapshot& snapshot,
                                          const std::vector<std::int64_t>& table_ids,
                                          const std::vector<std::int64_t>& node_ids,
                                          const LatestRuns& latest) {
  const NewCatalogTestStatuses statuses = ComputeNewCatalogTestStatuses(snapshot, latest);
  // kUpdateTestStatus: the documents start at 0, so only others are set.
  Statement& set = db_.Prepare(kSetTestStatus);
  auto write = [&](std::int64_t doc, int status) {
    if (status != 0) set.Bind(1, doc).Bind(2, std::int64_t{status}).Exec();
  };
  for (std::size_t t = 0; t < snapshot.tables.size(); ++t) {
    write(table_ids[t] * 2, statuses.tables[t]);
  }
  for (std::size_t i = 0; i < snapshot.nodes.size(); ++i) {
    const DbtNode& node = snapshot.nodes[i];
    if (FqnKey(node.fqn) == FqnKey(node.table_fqn)) continue;  // part of its table's document
    write(node_ids[i] * 2 + 1, statuses.nodes[i]);
  }
}

SearchPage SearchIndex::Search(const SearchQuery& query) {
  std::string match = BuildMatchExpression(query.text);
  int test_status = TestStatusCode(query.test_status);
  SearchPage page;
  if (query.facets) {
    page.facets = CountFacets(match, query, test_status, page.total);
  } else {
    page.total = Count(match, query, test_status);
  }
  if (page.total == 0 || query.limit <= 0) return page;
  if (match.empty()) {
    List(query, test_status, page);
  } else {
    Rank(match, query, test_status, page);
  }
  return page;
}

std::int64_t SearchIndex::Count(const std::string& match, const SearchQuery& query,
                                int test_status) {
  if (!match.empty() && !HasFilters(query, test_status)) {
    StatementScope count(db_.Prepare(kCountText));
    count->Bind(1, std::string_view(match));
    return count->Next() ? count->Int64(0) : 0;
  }
  StatementScope count(db_.Prepare(match.empty() ? kCountAll : kCountTextFiltered));
  BindSearch(*count, match, query, test_status);
  return count->Next() ? count->Int64(0) : 0;
}

SearchFacets SearchIndex::CountFacets(const std::string& match, const SearchQuery& query,
                                      int test_status, std::int64_t& total) {
  FacetCounter types;
  FacetCounter schemas;
  FacetCounter tags;
  FacetCounter owners;
  std::array<std::int64_t, kTestStatusCount> statuses{};
  total = 0;
  StatementScope rows(db_.Prepare(match.empty() ? kFacetsAll : kFacetsText));
  BindSearch(*rows, match, query, test_status);
  while (rows->Next()) {
    ++total;
    types.Add(rows->Text(0));
    schemas.Add(rows->Text(1));
    tags.AddList(rows->Text(2));
    owners.AddList(rows->Text(3));
    std::int64_t status = rows->Int64(4);
    if (status > 0 && status < static_cast<std::int64_t>(statuses.size())) {
      ++statuses.at(static_cast<std::size_t>(status));
    } else {
      ++statuses[0];
    }
  }
  FacetCounter status_names;
  for (std::size_t i = 0; i < statuses.size(); ++i) {
    status_names.Add(TestStatusName(static_cast<std::int64_t>(i)), statuses.at(i));
  }
  return SearchFacets{.resource_type = types.Top(),
                      .schema = schemas.Top(),
                      .tag = tags.Top(),
                      .owner = owners.Top(),
                      .test_status = status_names.Top()};
}

void SearchIndex::Rank(const std::string& match, const SearchQuery& query, int test_status,
                       SearchPage& page) {
  // FTS5 hands the matches over best text score first. A match's score is at
  // most its text score (tests are demoted), so once the text score falls
  // below the score of the `wanted`-th best match so far, no later match can
  // reach the page: stop there instead of reading every match.
  std::size_t offset = query.offset < 0 ? 0 : static_cast<std::size_t>(query.offset);
  std::size_t wanted = offset + static_cast<std::size_t>(query.limit);
  std::vector<RankedMatch> matches;
  std::priority_queue<double, std::vector<double>, std::greater<>> best;  // lowest on top
  {
    StatementScope rows(db_.Prepare(kRankText));
    BindSearch(*rows, match, query, test_status);
    while (rows->Next()) {
      double text_score = -rows->Double(1);
      if (best.size() == wanted && text_score < best.top()) break;
      double score = IsTest(rows->Text(2)) ? text_score * kTestWeight : text_score;
      matches.push_back({.doc = rows->Int64(0), .score = score, .test_status = rows->Int64(3)});
      if (best.size() < wanted) {
        best.push(score);
      } else if (score > best.top()) {
        best.pop();
        best.push(score);
      }
    }
  }
  if (best.empty()) return;
  // Every match scoring at least the wanted-th best, ties included, ordered
  // by score and then by fqn.
  double cutoff = best.top();
  std::erase_if(matches, [&](const RankedMatch& m) { return m.score < cutoff; });
  std::vector<SearchHit> hits;
  hits.reserve(matches.size());
  for (const RankedMatch& ranked : matches) {
    StatementScope row(db_.Prepare(kDocument));
    row->Bind(1, ranked.doc);
    if (!row->Next()) continue;
    hits.push_back(SearchHit{.fqn = row->String(0),
                             .name = row->String(1),
                             .resource_type = row->String(2),
                             .description = row->String(3),
                             .score = ranked.score,
                             .test_status = TestStatusName(ranked.test_status)});
  }
  std::sort(hits.begin(), hits.end(), [](const SearchHit& a, const SearchHit& b) {
    return a.score != b.score ? a.score > b.score : a.fqn < b.fqn;
  });
  for (std::size_t i = offset; i < hits.size() && i < wanted; ++i) {
    page.hits.push_back(std::move(hits[i]));
  }
}

void SearchIndex::List(const SearchQuery& query, int test_status, SearchPage& page) {
  const std::string no_text;
  StatementScope rows(db_.Prepare(kListAll));
  BindSearch(*rows, no_text, query, test_status);
  rows->Bind(7, query.limit).Bind(8, query.offset < 0 ? 0 : query.offset);
  while (rows->Next()) {
    page.hits.push_back(SearchHit{.fqn = rows->String(0),
                                  .name = rows->String(1),
                                  .resource_type = rows->String(2),
                                  .description = rows->String(3),
                                  .score = 0.0,
                                  .test_status = TestStatusName(rows->Int64(4))});
  }
}

std::vector<std::string> SearchIndex::TestStatuses(const std::vector<std::string>& fqns) {
  // One statement for all: a table's document is 2 * its id, a table-less
  // node's 2 * its id + 1.
  constexpr const char* kStatusesOf = R"sql(
SELECT f.key,
       coalesce((SELECT x.test_status FROM tables t JOIN search_facets x ON x.doc = t.id * 2
                 WHERE t.fqn = f.value),
                (SELECT x.test_status FROM dbt_nodes n JOIN search_facets x ON x.doc = n.id * 2 + 1
                 WHERE n.fqn = f.value AND n.fqn <> n.table_fqn ORDER BY n.id LIMIT 1), 0)
FROM json_each(?1) f
)sql";
  std::vector<std::string> statuses(fqns.size(), TestStatusName(0));
  std::string list = nlohmann::json(fqns).dump();
  StatementScope rows(db_.Prepare(kStatusesOf));
  rows->Bind(1, std::string_view(list));
  while (rows->Next()) {
    auto at = static_cast<std::size_t>(rows->Int64(0));
    if (at < statuses.size()) statuses[at] = TestStatusName(rows->Int64(1));
  }
  return statuses;
}

}  // namespace cairn::catalog::sqlite
