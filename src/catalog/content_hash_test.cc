#include "catalog/content_hash.h"

#include <gtest/gtest.h>

#include <string>

namespace cairn::catalog {
namespace {

Table SampleTable() {
  Table table;
  table.fqn = "shop.db.main.customers";
  table.name = "customers";
  table.columns.resize(2);
  table.columns[0].name = "id";
  table.columns[1].name = "email";
  table.columns[1].description = std::string(100, 'x');
  return table;
}

// Stored hashes must stay comparable across builds and machines, so the
// function's output is pinned.
TEST(ContentHashTest, ValuesArePinned) {
  ContentHasher empty;
  EXPECT_EQ(empty.Finish(), 13263175924529229314ULL);
  ContentHasher text;
  text.Add(std::string_view("select * from {{ ref('customers') }} where id is not null"));
  EXPECT_EQ(text.Finish(), 11259039961619061057ULL);
}

TEST(ContentHashTest, FieldBoundariesMatter) {
  ContentHasher a;
  a.Add(std::string_view("ab"));
  a.Add(std::string_view("c"));
  ContentHasher b;
  b.Add(std::string_view("a"));
  b.Add(std::string_view("bc"));
  EXPECT_NE(a.Finish(), b.Finish());
}

TEST(ContentHashTest, TableHashCoversColumns) {
  Table table = SampleTable();
  std::uint64_t before = HashTable(table);
  EXPECT_EQ(HashTable(SampleTable()), before);
  table.columns[1].description.back() = 'y';
  EXPECT_NE(HashTable(table), before);
  table = SampleTable();
  table.columns[0].tags.push_back("pii");
  EXPECT_NE(HashTable(table), before);
}

TEST(ContentHashTest, NodeHashCoversSqlAndFlags) {
  DbtNode node;
  node.unique_id = "model.shop.customers";
  node.raw_code = std::string(5000, 's');
  std::uint64_t before = HashNode(node);
  node.raw_code[4321] = 't';
  EXPECT_NE(HashNode(node), before);
  node.raw_code[4321] = 's';
  EXPECT_EQ(HashNode(node), before);
  node.contract_enforced = true;
  EXPECT_NE(HashNode(node), before);
}

}  // namespace
}  // namespace cairn::catalog
