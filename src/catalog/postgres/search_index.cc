#include "catalog/postgres/search_index.h"

#include <algorithm>
#include <array>
#include <map>
#include <unordered_map>

#include "catalog/fqn_key.h"
#include "catalog/postgres/bulk.h"
#include "catalog/search_terms.h"

namespace cairn::catalog::postgres {
namespace {

constexpr const char* kDeleteDocuments =
    "DELETE FROM search_docs x USING unnest($1::bigint[]) d(doc) WHERE x.doc = d.doc";

// Each part of a document is weighted: name and aliases A, fqn B, tags and
// description C, columns D (where SQLite's bm25 weighs 10, 8, 4, 3, 2, 1).
// DocumentVector builds the same vector in C++.
// Tags and owners are also kept folded and distinct for filtering.
//
// A table's document carries what the dbt node that builds it (same fqn)
// says; a table marked deleted has none.
constexpr const char* kInsertTableDocuments = R"sql(
INSERT INTO search_docs(doc, service_id, fqn, name, resource_type, schema_name, tag_list,
                        owner_list, description, document)
SELECT t.id * 2, t.service_id, t.fqn, t.name, coalesce(n.resource_type, 'table'), t.schema_name,
       ARRAY(SELECT DISTINCT cairn_fold(v) FROM jsonb_array_elements_text(l.tags) v ORDER BY 1),
       ARRAY(SELECT DISTINCT cairn_fold(v) FROM jsonb_array_elements_text(l.owners) v ORDER BY 1),
       left(d.description, 200),
       setweight(to_tsvector('simple', cairn_words(
         CASE WHEN n.name IS NULL OR n.name = t.name THEN t.name
              ELSE t.name || ' ' || n.name END)), 'A') ||
       setweight(to_tsvector('simple', cairn_words(t.fqn)), 'B') ||
       setweight(to_tsvector('simple', cairn_words(
         (SELECT coalesce(string_agg(v, ' ' ORDER BY v COLLATE "C"), '')
          FROM (SELECT DISTINCT jsonb_array_elements_text(l.tags) v) x)
         || ' ' || d.description)), 'C') ||
       setweight(to_tsvector('simple', cairn_words(
         (SELECT coalesce(string_agg(c.name || ' ' || c.description, ' ' ORDER BY c.position), '')
          FROM columns c WHERE c.table_id = t.id))), 'D')
FROM unnest($1::bigint[]) dirty(id)
JOIN tables t ON t.id = dirty.id
LEFT JOIN LATERAL (SELECT b.name, b.resource_type, b.description, b.tags, b.owners
                   FROM dbt_nodes b WHERE b.fqn_key = t.fqn_key AND b.table_fqn_key = b.fqn_key
                   ORDER BY b.id LIMIT 1) n ON true
CROSS JOIN LATERAL (SELECT t.tags::jsonb || coalesce(n.tags, '[]')::jsonb AS tags,
                           t.owners::jsonb || coalesce(n.owners, '[]')::jsonb AS owners) l
CROSS JOIN LATERAL (SELECT CASE WHEN t.description <> '' THEN t.description
                           ELSE coalesce(n.description, '') END AS description) d
WHERE t.deleted_at = ''
)sql";

// Nodes whose fqn is their table's are part of the table's document instead.
constexpr const char* kInsertNodeDocuments = R"sql(
INSERT INTO search_docs(doc, service_id, fqn, name, resource_type, schema_name, tag_list,
                        owner_list, description, document)
SELECT n.id * 2 + 1, n.service_id, n.fqn, n.name, n.resource_type,
       CASE WHEN n.table_fqn = '' THEN ''
            ELSE coalesce((SELECT t.schema_name FROM tables t WHERE t.fqn_key = n.table_fqn_key),
                          '') END,
       ARRAY(SELECT DISTINCT cairn_fold(v) FROM jsonb_array_elements_text(n.tags::jsonb) v
             ORDER BY 1),
       ARRAY(SELECT DISTINCT cairn_fold(v) FROM jsonb_array_elements_text(n.owners::jsonb) v
             ORDER BY 1),
       left(n.description, 200),
       setweight(to_tsvector('simple', cairn_words(
         CASE WHEN n.test_name <> n.name THEN n.name || ' ' || n.test_name ELSE n.name END)),
         'A') ||
       setweight(to_tsvector('simple', cairn_words(n.fqn)), 'B') ||
       setweight(to_tsvector('simple', cairn_words(
         (SELECT coalesce(string_agg(v, ' '), '')
          FROM jsonb_array_elements_text(n.tags::jsonb) v) || ' ' || n.description)), 'C') ||
       setweight(to_tsvector('simple', cairn_words(n.test_column)), 'D')
FROM unnest($1::bigint[]) dirty(id) JOIN dbt_nodes n ON n.id = dirty.id
WHERE n.fqn_key <> n.table_fqn_key
)sql";

// A document's test status is the worst latest result of the tests on its
// subject (a table's document: the table; a node's: the node) or, for a
// test, its own. Run results can change it without changing any document,
// so the statuses of the service are recomputed together and only rows
// whose status changed are written.
constexpr const char* kUpdateTestStatus = R"sql(
WITH ranks AS (
  SELECT x.id AS node_id, x.table_fqn_key AS subject,
         CASE (SELECT r.status FROM node_runs r WHERE r.unique_id = x.unique_id
               ORDER BY r.generated_at DESC, r.id DESC LIMIT 1)
           WHEN 'error' THEN 4 WHEN 'fail' THEN 3 WHEN 'warn' THEN 2 WHEN 'pass' THEN 1
           WHEN 'success' THEN 1 ELSE 0 END AS rank
  FROM dbt_nodes x WHERE x.service_id = $1 AND x.resource_type IN ('test', 'unit_test')
), subjects AS (
  SELECT subject, max(rank) AS worst FROM ranks GROUP BY subject
), statuses AS (
  SELECT t.id * 2 AS doc, coalesce(s.worst, 0) AS worst
  FROM tables t LEFT JOIN subjects s ON s.subject = t.fqn_key WHERE t.service_id = $1
  UNION ALL
  SELECT n.id * 2 + 1, coalesce(r.rank, s.worst, 0)
  FROM dbt_nodes n LEFT JOIN ranks r ON r.node_id = n.id
  LEFT JOIN subjects s ON s.subject = n.fqn_key
  WHERE n.service_id = $1 AND n.fqn_key <> n.table_fqn_key
)
UPDATE search_docs d SET test_status = s.worst
FROM statuses s WHERE d.doc = s.doc AND d.test_status <> s.worst
)sql";

// $1 is the tsquery text; $2..$6 the optional filters on the document's
// facets (x): an empty value (a negative status) means no filter.
#define CAIRN_SEARCH_FILTERS                                     \
  " AND ($2 = '' OR x.resource_type = $2)"                       \
  " AND ($3 = '' OR cairn_fold($3) = ANY(x.tag_list))"           \
  " AND ($4 = '' OR cairn_fold($4) = ANY(x.owner_list))"         \
  " AND ($5 = '' OR cairn_fold(x.schema_name) = cairn_fold($5))" \
  " AND ($6::integer < 0 OR x.test_status = $6::integer)"
#define CAIRN_TEXT_MATCHES \
  " FROM search_docs x WHERE x.document @@ to_tsquery('simple', $1)" CAIRN_SEARCH_FILTERS
#define CAIRN_ALL_MATCHES " FROM search_docs x WHERE $1 = ''" CAIRN_SEARCH_FILTERS

// Best first; tests at $9 (kTestWeight) of their text score; ties by fqn.
constexpr const char* kRankText =
    "SELECT x.fqn, x.name, x.resource_type, x.description, x.test_status,"
    " ts_rank('{0.1, 0.2, 0.4, 1.0}', x.document, to_tsquery('simple', $1))::float8"
    "   * CASE WHEN x.resource_type IN ('test', 'unit_test') THEN $9::float8 ELSE 1.0 END"
    "   AS score" CAIRN_TEXT_MATCHES " ORDER BY score DESC, x.fqn COLLATE \"C\" LIMIT $7 OFFSET $8";
constexpr const char* kListAll =
    "SELECT x.fqn, x.name, x.resource_type, x.description, x.test_status, 0.0 * "
    "$9::float8" CAIRN_ALL_MATCHES
    " ORDER BY x.name COLLATE \"C\", x.fqn COLLATE \"C\" LIMIT $7 OFFSET $8";
constexpr const char* kCountText = "SELECT count(*)" CAIRN_TEXT_MATCHES;
constexpr const char* kCountAll = "SELECT count(*)" CAIRN_ALL_MATCHES;

// Every facet's values with their counts over the matches: 0 resource
// type, 1 schema, 2 tag, 3 owner, 4 test status.
#define CAIRN_FACETS(matches)                                                    \
  "WITH m AS (SELECT x.resource_type, x.schema_name, x.tag_list, x.owner_list, " \
  "x.test_status" matches                                                        \
  ")"                                                                            \
  " SELECT 0, resource_type, count(*) FROM m GROUP BY 2"                         \
  " UNION ALL SELECT 1, schema_name, count(*) FROM m GROUP BY 2"                 \
  " UNION ALL SELECT 2, v, count(*) FROM m, unnest(tag_list) v GROUP BY 2"       \
  " UNION ALL SELECT 3, v, count(*) FROM m, unnest(owner_list) v GROUP BY 2"     \
  " UNION ALL SELECT 4, test_status::text, count(*) FROM m GROUP BY 2"
constexpr const char* kFacetsText = CAIRN_FACETS(CAIRN_TEXT_MATCHES);
constexpr const char* kFacetsAll = CAIRN_FACETS(CAIRN_ALL_MATCHES);
#undef CAIRN_FACETS

#undef CAIRN_ALL_MATCHES
#undef CAIRN_TEXT_MATCHES
#undef CAIRN_SEARCH_FILTERS

constexpr const char* kStatusesOf = R"sql(
SELECT f.pos - 1,
       coalesce((SELECT x.test_status FROM tables t JOIN search_docs x ON x.doc = t.id * 2
                 WHERE t.fqn_key = cairn_fold(f.fqn)),
                (SELECT x.test_status FROM dbt_nodes n JOIN search_docs x ON x.doc = n.id * 2 + 1
                 WHERE n.fqn_key = cairn_fold(f.fqn) AND n.fqn_key <> n.table_fqn_key
                 ORDER BY n.id LIMIT 1), 0)
FROM unnest($1::text[]) WITH ORDINALITY f(fqn, pos)
)sql";

constexpr const char* kCopyDocuments = R"sql(
COPY search_docs(doc, service_id, fqn, name, resource_type, schema_name, tag_list, owner_list,
                 description, document, test_status) FROM STDIN
)sql";

// PostgreSQL keeps positions up to 16383 and 256 of them per lexeme.
constexpr int kMaxPosition = 16383;
constexpr std::size_t kMaxPositions = 256;

// The first `count` characters of UTF-8 text, as left(text, count).
std::string_view Characters(std::string_view text, std::size_t count) {
  std::size_t at = 0;
  for (std::size_t seen = 0; at < text.size(); ++at) {
    if ((static_cast<unsigned char>(text[at]) & 0xC0) != 0x80 && seen++ == count) break;
  }
  return text.substr(0, at);
}

// The values between U+001F separators, as an array literal.
std::string ListArray(std::string_view list) {
  std::vector<std::string_view> values;
  std::size_t start = 0;
  while (start < list.size()) {
    std::size_t end = list.find('\x1f', start);
    if (end == std::string_view::npos) end = list.size();
    if (end > start) values.push_back(list.substr(start, end - start));
    start = end + 1;
  }
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return ArrayLiteral(values);
}

Params SearchParams(const std::string& match, const SearchQuery& query, int test_status) {
  Params params;
  params.Add(match)
      .Add(query.resource_type)
      .Add(query.tag)
      .Add(query.owner)
      .Add(query.schema)
      .Add(test_status);
  return params;
}

bool IsLexemeByte(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

}  // namespace

std::string BuildTsQuery(std::string_view text) {
  std::string query;
  for (std::string_view word : SearchWords(text)) {
    std::string phrase;
    std::size_t i = 0;
    while (i < word.size()) {
      while (i < word.size() && !IsLexemeByte(static_cast<unsigned char>(word[i]))) ++i;
      std::size_t start = i;
      while (i < word.size() && IsLexemeByte(static_cast<unsigned char>(word[i]))) ++i;
      if (i == start) continue;
      if (!phrase.empty()) phrase += " <-> ";
      phrase += '\'';
      for (char c : word.substr(start, i - start)) {
        phrase += c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
      }
      phrase += '\'';
    }
    if (phrase.empty()) continue;
    if (!query.empty()) query += " & ";
    query += '(' + phrase + ')';
  }
  if (!query.empty()) query.insert(query.size() - 1, ":*");
  return query;
}

std::string DocumentVector(const Document& doc) {
  std::map<std::string, std::vector<std::pair<int, char>>> lexemes;  // positions, weights
  int position = 0;
  auto add = [&](std::string_view text, char weight) {
    std::size_t i = 0;
    while (i < text.size()) {
      while (i < text.size() && !IsLexemeByte(static_cast<unsigned char>(text[i]))) ++i;
      std::size_t start = i;
      while (i < text.size() && IsLexemeByte(static_cast<unsigned char>(text[i]))) ++i;
      if (i == start) continue;
      std::string lexeme(text.substr(start, i - start));
      for (char& c : lexeme) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      }
      position = std::min(position + 1, kMaxPosition);
      auto& positions = lexemes[std::move(lexeme)];
      if (positions.size() < kMaxPositions) positions.emplace_back(position, weight);
    }
  };
  add(doc.name, 'A');
  add(doc.aliases, 'A');
  add(doc.fqn, 'B');
  add(doc.tags, 'C');
  add(doc.description, 'C');
  add(doc.columns, 'D');
  std::string vector;
  for (const auto& [lexeme, positions] : lexemes) {
    if (!vector.empty()) vector += ' ';
    vector += '\'';
    vector += lexeme;
    vector += "':";
    for (std::size_t i = 0; i < positions.size(); ++i) {
      if (i > 0) vector += ',';
      vector += std::to_string(positions[i].first);
      if (positions[i].second != 'D') vector += positions[i].second;
    }
  }
  return vector;
}

void SearchIndex::IndexNewCatalog(const ServiceSnapshot& snapshot, std::int64_t service_id,
                                  const std::vector<std::int64_t>& table_ids,
                                  const std::vector<std::int64_t>& node_ids,
                                  const NewCatalogTestStatuses* statuses) {
  const SnapshotDocuments documents(snapshot);
  CopyRows rows;
  auto write = [&](const Document& doc, int status) {
    rows.Int(doc.rowid)
        .Int(service_id)
        .Text(doc.fqn)
        .Text(doc.name)
        .Text(doc.resource_type)
        .Text(doc.schema_name)
        .Text(ListArray(doc.tag_list))
        .Text(ListArray(doc.owner_list))
        .Text(Characters(doc.description, 200))
        .Text(DocumentVector(doc))
        .Int(std::int64_t{status})
        .EndRow();
  };
  for (std::size_t i = 0; i < snapshot.tables.size(); ++i) {
    Document doc = documents.OfTable(i);
    doc.rowid = table_ids[i] * 2;
    write(doc, statuses != nullptr ? statuses->tables[i] : 0);
  }
  for (std::size_t i = 0; i < snapshot.nodes.size(); ++i) {
    std::optional<Document> doc = documents.OfNode(i);
    if (!doc) continue;  // part of its table's document
    doc->rowid = node_ids[i] * 2 + 1;
    write(*doc, statuses != nullptr ? statuses->nodes[i] : 0);
  }
  if (!rows.empty()) db_.Copy(kCopyDocuments, rows.data());
}

void SearchIndex::Refresh(const SearchChanges& changes) {
  if (!changes.table_ids.empty() || !changes.node_ids.empty()) {
    std::vector<std::int64_t> docs;
    docs.reserve(changes.table_ids.size() + changes.node_ids.size());
    for (std::int64_t id : changes.table_ids) docs.push_back(id * 2);
    for (std::int64_t id : changes.node_ids) docs.push_back(id * 2 + 1);
    db_.Query(kDeleteDocuments, Params().Add(ArrayLiteral(docs)));
    if (!changes.table_ids.empty()) {
      db_.Query(kInsertTableDocuments, Params().Add(ArrayLiteral(changes.table_ids)));
    }
    if (!changes.node_ids.empty()) {
      db_.Query(kInsertNodeDocuments, Params().Add(ArrayLiteral(changes.node_ids)));
    }
  } else if (!changes.new_results) {
    return;
  }
  db_.Query(kUpdateTestStatus, Params().Add(changes.service_id));
}

SearchPage SearchIndex::Search(const SearchQuery& query) {
  const std::string match = BuildTsQuery(query.text);
  const int test_status = TestStatusCode(query.test_status);
  const bool text = !match.empty();  // a query without words lists, as no text does
  SearchPage page;
  const Params params = SearchParams(match, query, test_status);
  if (query.facets) {
    std::array<FacetCounter, 4> counters;
    std::array<std::int64_t, kTestStatusCount> statuses{};
    Rows rows = db_.Query(text ? kFacetsText : kFacetsAll, params);
    for (int i = 0; i < rows.size(); ++i) {
      std::int64_t facet = rows.Int64(i, 0);
      std::int64_t count = rows.Int64(i, 2);
      if (facet < 4) {
        counters.at(static_cast<std::size_t>(facet)).Add(rows.Text(i, 1), count);
        continue;
      }
      std::int64_t status = rows.Int64(i, 1);
      std::size_t at = status > 0 && status < static_cast<std::int64_t>(kTestStatusCount)
                           ? static_cast<std::size_t>(status)
                           : 0;
      statuses.at(at) += count;
      page.total += count;
    }
    FacetCounter status_names;
    for (std::size_t i = 0; i < statuses.size(); ++i) {
      status_names.Add(TestStatusName(static_cast<std::int64_t>(i)), statuses.at(i));
    }
    page.facets = SearchFacets{.resource_type = counters[0].Top(),
                               .schema = counters[1].Top(),
                               .tag = counters[2].Top(),
                               .owner = counters[3].Top(),
                               .test_status = status_names.Top()};
  } else {
    page.total = db_.Query(text ? kCountText : kCountAll, params).Int64(0, 0);
  }
  if (page.total == 0 || query.limit <= 0) return page;
  Params paged = params;
  paged.Add(query.limit).Add(query.offset < 0 ? 0 : query.offset).Add(kTestWeight);
  Rows rows = db_.Query(text ? kRankText : kListAll, paged);
  for (int i = 0; i < rows.size(); ++i) {
    page.hits.push_back(SearchHit{.fqn = rows.String(i, 0),
                                  .name = rows.String(i, 1),
                                  .resource_type = rows.String(i, 2),
                                  .description = rows.String(i, 3),
                                  .score = rows.Double(i, 5),
                                  .test_status = TestStatusName(rows.Int64(i, 4))});
  }
  return page;
}

std::vector<std::string> SearchIndex::TestStatuses(const std::vector<std::string>& fqns) {
  std::vector<std::string> statuses(fqns.size(), TestStatusName(0));
  std::vector<std::string_view> list(fqns.begin(), fqns.end());
  Rows rows = db_.Query(kStatusesOf, Params().Add(ArrayLiteral(list)));
  for (int i = 0; i < rows.size(); ++i) {
    auto at = static_cast<std::size_t>(rows.Int64(i, 0));
    if (at < statuses.size()) statuses[at] = TestStatusName(rows.Int64(i, 1));
  }
  return statuses;
}

}  // namespace cairn::catalog::postgres
