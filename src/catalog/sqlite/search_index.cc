#include "catalog/sqlite/search_index.h"

#include <algorithm>
#include <unordered_map>
#include <vector>

#include "catalog/fqn_key.h"

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
constexpr const char* kDeleteDocuments = R"sql(
DELETE FROM search_fts WHERE rowid IN (SELECT id * 2 FROM temp.dirty_tables
                                       UNION ALL SELECT id * 2 + 1 FROM temp.dirty_nodes)
)sql";

// A table's document carries the dbt node that builds it (same fqn) and the
// tags of both: as text for search and, lower-cased between U+001F
// separators, for exact filtering.
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
       coalesce(n.resource_type, 'table'),
       t.schema_name,
       s.name,
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
JOIN services s ON s.id = t.service_id
LEFT JOIN dbt_nodes n ON n.id = (SELECT b.id FROM dbt_nodes b WHERE b.fqn = t.fqn
                                 AND b.table_fqn = b.fqn ORDER BY b.id LIMIT 1)
ORDER BY d.id
)sql";

// Nodes whose fqn is their table's are part of the table's document instead.
constexpr const char* kInsertNodeDocuments = R"sql(
INSERT INTO search_fts(rowid, name, aliases, fqn, description, columns, tags, resource_type,
                       schema_name, service, tag_list, owner_list)
SELECT n.id * 2 + 1, n.name, iif(n.test_name <> n.name, n.test_name, ''), n.fqn, n.description,
       n.test_column,
       iif(n.tags = '[]', '',
           coalesce((SELECT group_concat(value, ' ') FROM json_each(n.tags)), '')),
       n.resource_type,
       iif(n.table_fqn = '', '',
           coalesce((SELECT schema_name FROM tables WHERE fqn = n.table_fqn), '')),
       s.name,
       iif(n.tags = '[]', '',
           coalesce((SELECT char(31) || group_concat(lower(value), char(31)) || char(31)
                     FROM json_each(n.tags)), '')),
       iif(n.owners = '[]', '',
           coalesce((SELECT char(31) || group_concat(lower(value), char(31)) || char(31)
                     FROM json_each(n.owners)), ''))
FROM temp.dirty_nodes d
JOIN dbt_nodes n ON n.id = d.id
JOIN services s ON s.id = n.service_id
WHERE n.fqn <> n.table_fqn
ORDER BY d.id
)sql";

constexpr const char* kInsertDocument = R"sql(
INSERT INTO search_fts(rowid, name, aliases, fqn, description, columns, tags, resource_type,
                       schema_name, service, tag_list, owner_list)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
)sql";

// ?2..?5 are the optional filters; an empty value means no filter.
#define CAIRN_SEARCH_FILTERS                                                   \
  " AND (?2 = '' OR resource_type = ?2)"                                       \
  " AND (?3 = '' OR instr(tag_list, char(31) || lower(?3) || char(31)) > 0)"   \
  " AND (?4 = '' OR instr(owner_list, char(31) || lower(?4) || char(31)) > 0)" \
  " AND (?5 = '' OR schema_name = ?5 COLLATE NOCASE)"

// Column weights: a hit in the name counts most, then aliases, fqn, tags,
// description, and column names/descriptions least. Tests are named after
// what they test (unique_fct_daily_revenue_...), so they would crowd out the
// models people look for; they rank at a third of their text score.
constexpr const char* kSearchText =
    "SELECT fqn, name, resource_type, substr(description, 1, 200),"
    " -bm25(search_fts, 10.0, 8.0, 4.0, 2.0, 1.0, 3.0)"
    "   * (CASE WHEN resource_type IN ('test', 'unit_test') THEN 0.33 ELSE 1.0 END) AS score"
    " FROM search_fts WHERE search_fts MATCH ?1" CAIRN_SEARCH_FILTERS
    " ORDER BY score DESC, fqn LIMIT ?6 OFFSET ?7";
constexpr const char* kCountText =
    "SELECT count(*) FROM search_fts WHERE search_fts MATCH ?1" CAIRN_SEARCH_FILTERS;
constexpr const char* kSearchAll =
    "SELECT fqn, name, resource_type, substr(description, 1, 200), 0.0"
    " FROM search_fts WHERE ?1 = ''" CAIRN_SEARCH_FILTERS " ORDER BY name, fqn LIMIT ?6 OFFSET ?7";
constexpr const char* kCountAll =
    "SELECT count(*) FROM search_fts WHERE ?1 = ''" CAIRN_SEARCH_FILTERS;

#undef CAIRN_SEARCH_FILTERS

bool IsWordByte(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         c >= 0x80;
}

void BindSearch(Statement& statement, const std::string& match, const SearchQuery& query) {
  statement.Bind(1, std::string_view(match))
      .Bind(2, std::string_view(query.resource_type))
      .Bind(3, std::string_view(query.tag))
      .Bind(4, std::string_view(query.owner))
      .Bind(5, std::string_view(query.schema));
}

// One search document, as kInsertTableDocuments / kInsertNodeDocuments
// compute it in SQL.
struct Document {
  std::int64_t rowid = 0;
  std::string_view name;
  std::string_view aliases;
  std::string_view fqn;
  std::string_view description;
  std::string columns;
  std::string tags;
  std::string_view resource_type;
  std::string_view schema_name;
  std::string tag_list;
  std::string owner_list;
};

// group_concat(value, separator) over `values`.
std::string Joined(const std::vector<std::string_view>& values, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += separator;
    out += values[i];
  }
  return out;
}

// char(31) || group_concat(lower(value), char(31)) || char(31); SQLite's
// lower() folds ASCII letters only.
std::string FilterList(const std::vector<std::string_view>& values) {
  if (values.empty()) return {};
  std::string out = Joined(values, "\x1f");
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return "\x1f" + out + "\x1f";
}

std::vector<std::string_view> Views(const std::vector<std::string>& values) {
  return {values.begin(), values.end()};
}

// SELECT value FROM json_each(a) UNION SELECT value FROM json_each(b): the
// distinct values in byte order.
std::vector<std::string_view> Union(const std::vector<std::string>& a,
                                    const std::vector<std::string>* b) {
  std::vector<std::string_view> out = Views(a);
  if (b != nullptr) out.insert(out.end(), b->begin(), b->end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Document TableDocument(const Table& table, const DbtNode* builder) {
  Document doc{.name = table.name, .fqn = table.fqn, .schema_name = table.schema};
  if (builder != nullptr && builder->name != table.name) doc.aliases = builder->name;
  doc.description = !table.description.empty() || builder == nullptr
                        ? std::string_view(table.description)
                        : std::string_view(builder->description);
  for (const Column& column : table.columns) {
    if (&column != &table.columns.front()) doc.columns += ' ';
    doc.columns += column.name;
    doc.columns += ' ';
    doc.columns += column.description;
  }
  doc.resource_type = builder != nullptr ? std::string_view(builder->resource_type) : "table";
  const std::vector<std::string_view> tags =
      Union(table.tags, builder != nullptr ? &builder->tags : nullptr);
  doc.tags = Joined(tags, " ");
  doc.tag_list = FilterList(tags);
  doc.owner_list = FilterList(Union(table.owners, builder != nullptr ? &builder->owners : nullptr));
  return doc;
}

Document NodeDocument(const DbtNode& node, std::string_view schema) {
  Document doc{.name = node.name,
               .fqn = node.fqn,
               .description = node.description,
               .columns = node.test_column,
               .resource_type = node.resource_type,
               .schema_name = schema};
  if (node.test_name != node.name) doc.aliases = node.test_name;
  doc.tags = Joined(Views(node.tags), " ");
  doc.tag_list = FilterList(Views(node.tags));
  doc.owner_list = FilterList(Views(node.owners));
  return doc;
}

}  // namespace

std::string BuildMatchExpression(std::string_view text) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !IsWordByte(static_cast<unsigned char>(text[i]))) ++i;
    std::size_t start = i;
    while (i < text.size() && IsWordByte(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
  }
  std::string match;
  for (std::string_view word : words) {
    if (!match.empty()) match += ' ';
    match += '"';
    match += word;
    match += '"';
  }
  if (!match.empty()) match += '*';
  return match;
}

void SearchIndex::Refresh(const std::vector<std::int64_t>& table_ids,
                          const std::vector<std::int64_t>& node_ids, bool had_documents) {
  if (table_ids.empty() && node_ids.empty()) return;
  db_.Exec(kCreateDirtySets);
  Statement& add_table = db_.Prepare(kAddDirtyTable);
  for (std::int64_t id : table_ids) add_table.Bind(1, id).Exec();
  Statement& add_node = db_.Prepare(kAddDirtyNode);
  for (std::int64_t id : node_ids) add_node.Bind(1, id).Exec();
  if (had_documents) db_.Prepare(kDeleteDocuments).Exec();
  db_.Prepare(kInsertTableDocuments).Exec();
  db_.Prepare(kInsertNodeDocuments).Exec();
  db_.Exec(kClearDirtySets);
}

void SearchIndex::IndexNewCatalog(const ServiceSnapshot& snapshot, std::string_view service,
                                  const std::vector<std::int64_t>& table_ids,
                                  const std::vector<std::int64_t>& node_ids) {
  // A table's builder is the first node with its fqn that builds it; a
  // node's schema is that of the table it points at.
  std::unordered_map<std::string, const DbtNode*> builders;
  for (const DbtNode& node : snapshot.nodes) {
    std::string key = FqnKey(node.fqn);
    if (key == FqnKey(node.table_fqn)) builders.emplace(std::move(key), &node);
  }
  std::unordered_map<std::string, const Table*> tables;
  tables.reserve(snapshot.tables.size());
  for (const Table& table : snapshot.tables) tables.emplace(FqnKey(table.fqn), &table);

  Statement& insert = db_.Prepare(kInsertDocument);
  auto write = [&](const Document& doc) {
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
    const DbtNode& node = snapshot.nodes[i];
    const std::string key = FqnKey(node.table_fqn);
    if (FqnKey(node.fqn) == key) return;  // part of its table's document
    std::string_view schema;
    if (auto table = tables.find(key); !key.empty() && table != tables.end()) {
      schema = table->second->schema;
    }
    Document doc = NodeDocument(node, schema);
    doc.rowid = node_ids[i] * 2 + 1;
    write(doc);
  };
  // In ascending rowid order throughout, so FTS5 never flushes early (ids
  // grow in snapshot order on an empty catalog).
  std::size_t next_node = 0;
  for (std::size_t t = 0; t < snapshot.tables.size(); ++t) {
    const std::int64_t rowid = table_ids[t] * 2;
    while (next_node < snapshot.nodes.size() && node_ids[next_node] * 2 + 1 < rowid) {
      write_node(next_node++);
    }
    const Table& table = snapshot.tables[t];
    auto builder = builders.find(FqnKey(table.fqn));
    Document doc = TableDocument(table, builder != builders.end() ? builder->second : nullptr);
    doc.rowid = rowid;
    write(doc);
  }
  while (next_node < snapshot.nodes.size()) write_node(next_node++);
}

SearchPage SearchIndex::Search(const SearchQuery& query) {
  std::string match = BuildMatchExpression(query.text);
  bool has_text = !match.empty();
  SearchPage page;
  {
    StatementScope count(db_.Prepare(has_text ? kCountText : kCountAll));
    BindSearch(*count, match, query);
    if (count->Next()) page.total = count->Int64(0);
  }
  if (page.total == 0 || query.limit <= 0) return page;
  StatementScope rows(db_.Prepare(has_text ? kSearchText : kSearchAll));
  BindSearch(*rows, match, query);
  rows->Bind(6, query.limit).Bind(7, query.offset < 0 ? 0 : query.offset);
  while (rows->Next()) {
    page.hits.push_back(SearchHit{.fqn = rows->String(0),
                                  .name = rows->String(1),
                                  .resource_type = rows->String(2),
                                  .description = rows->String(3),
                                  .score = rows->Double(4)});
  }
  return page;
}

}  // namespace cairn::catalog::sqlite
