#include "catalog/search_document.h"

#include <algorithm>
#include <string>
#include <vector>

#include "catalog/fqn_key.h"
#include "catalog/search_terms.h"

namespace cairn::catalog {
namespace {

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

}  // namespace

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

SnapshotDocuments::SnapshotDocuments(const ServiceSnapshot& snapshot) : snapshot_(snapshot) {
  for (const DbtNode& node : snapshot.nodes) {
    std::string key = FqnKey(node.fqn);
    if (key == FqnKey(node.table_fqn)) builders_.emplace(std::move(key), &node);
  }
  tables_.reserve(snapshot.tables.size());
  for (const Table& table : snapshot.tables) tables_.emplace(FqnKey(table.fqn), &table);
}

Document SnapshotDocuments::OfTable(std::size_t index) const {
  const Table& table = snapshot_.tables[index];
  auto builder = builders_.find(FqnKey(table.fqn));
  return TableDocument(table, builder != builders_.end() ? builder->second : nullptr);
}

std::optional<Document> SnapshotDocuments::OfNode(std::size_t index) const {
  const DbtNode& node = snapshot_.nodes[index];
  const std::string key = FqnKey(node.table_fqn);
  if (FqnKey(node.fqn) == key) return std::nullopt;
  std::string_view schema;
  if (auto table = tables_.find(key); !key.empty() && table != tables_.end()) {
    schema = table->second->schema;
  }
  return NodeDocument(node, schema);
}

void NoteLatestRun(LatestRuns& latest, std::string_view unique_id, std::string_view generated_at,
                   std::string_view status) {
  auto [it, added] = latest.try_emplace(unique_id, LatestRun{generated_at, status});
  if (!added && generated_at >= it->second.generated_at) it->second = {generated_at, status};
}

NewCatalogTestStatuses ComputeNewCatalogTestStatuses(const ServiceSnapshot& snapshot,
                                                     const LatestRuns& latest) {
  // Each test's rank; the worst per tested table (its subject).
  std::vector<int> own(snapshot.nodes.size(), -1);
  std::unordered_map<std::string, int> worst;  // FqnKey(subject) -> rank
  for (std::size_t i = 0; i < snapshot.nodes.size(); ++i) {
    const DbtNode& node = snapshot.nodes[i];
    if (!IsTest(node.resource_type)) continue;
    auto run = latest.find(node.unique_id);
    own[i] = run == latest.end() ? 0 : TestRank(run->second.status);
    int& subject = worst[FqnKey(node.table_fqn)];
    subject = std::max(subject, own[i]);
  }
  auto worst_of = [&](const std::string& fqn) {
    auto it = worst.find(FqnKey(fqn));
    return it == worst.end() ? 0 : it->second;
  };
  NewCatalogTestStatuses statuses;
  statuses.tables.reserve(snapshot.tables.size());
  for (const Table& table : snapshot.tables) statuses.tables.push_back(worst_of(table.fqn));
  statuses.nodes.reserve(snapshot.nodes.size());
  for (std::size_t i = 0; i < snapshot.nodes.size(); ++i) {
    statuses.nodes.push_back(own[i] >= 0 ? own[i] : worst_of(snapshot.nodes[i].fqn));
  }
  return statuses;
}

}  // namespace cairn::catalog
