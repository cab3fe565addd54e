#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "catalog/model.h"

// A search document as the stores build it from a snapshot (for a catalog
// that held nothing before; otherwise they rebuild documents from the stored
// rows in SQL, with the same result): what is searched and what it is
// filtered and counted by.
namespace cairn::catalog {

struct Document {
  // Set by the store: its row in the index.
  std::int64_t rowid = 0;
  std::string_view name;
  std::string_view aliases;
  std::string_view fqn;
  std::string_view description;
  std::string columns;
  std::string tags;
  std::string_view resource_type;
  std::string_view schema_name;
  // Folded values between U+001F separators, for exact filtering.
  std::string tag_list;
  std::string owner_list;
};

// A table's document, with what the dbt node that builds it (if any) says.
Document TableDocument(const Table& table, const DbtNode* builder);
// A table-less node's document; `schema` is that of the table it points at.
Document NodeDocument(const DbtNode& node, std::string_view schema);

// The documents of one snapshot, built from it alone: a table's builder is
// the first node with its fqn that builds it; a node's schema is that of the
// table it points at. Holds pointers into the snapshot.
class SnapshotDocuments {
 public:
  explicit SnapshotDocuments(const ServiceSnapshot& snapshot);
  // The document of snapshot.tables[index].
  Document OfTable(std::size_t index) const;
  // The document of snapshot.nodes[index]; nullopt for a node whose fqn is
  // its table's, which is part of the table's document.
  std::optional<Document> OfNode(std::size_t index) const;

 private:
  const ServiceSnapshot& snapshot_;
  std::unordered_map<std::string, const DbtNode*> builders_;  // by FqnKey
  std::unordered_map<std::string, const Table*> tables_;      // by FqnKey
};

// A node's latest run among those one Apply stored, by unique_id.
struct LatestRun {
  std::string_view generated_at;
  std::string_view status;
};
using LatestRuns = std::unordered_map<std::string_view, LatestRun>;

// Notes a run an Apply stored: newest first by (generated_at, order stored),
// as Get shows the history, so on a tie the run stored later wins.
void NoteLatestRun(LatestRuns& latest, std::string_view unique_id, std::string_view generated_at,
                   std::string_view status);

// The test status (search_terms.h) each document of a snapshot applied to a
// catalog without history starts with, as the stores compute it from stored
// runs: `tables` parallel to snapshot.tables, `nodes` to snapshot.nodes (the
// value of a node whose fqn is its table's is unused).
struct NewCatalogTestStatuses {
  std::vector<int> tables;
  std::vector<int> nodes;
};
NewCatalogTestStatuses ComputeNewCatalogTestStatuses(const ServiceSnapshot& snapshot,
                                                     const LatestRuns& latest);

}  // namespace cairn::catalog
