#pragma once

#include <cstdint>
#include <string>
#include <string_view>

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

}  // namespace cairn::catalog
