#include "catalog/search_document.h"

#include <algorithm>
#include <vector>

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

}  // namespace cairn::catalog
