#pragma once

#include <string>
#include <vector>

#include "catalog/model.h"
#include "cloud/dynamodb_client.h"

// How a DynamoDB table becomes a catalog table, as OpenMetadata maps it
// (../shared/reference/openmetadata-workflow.md §2) plus what DescribeTable
// says that OpenMetadata drops:
//  * table_type "table"; no description (DynamoDB has none).
//  * columns: the AttributeDefinitions (only key attributes of the table and
//    its indexes: DynamoDB has no schema for the rest of an item), the
//    table's partition key first, then its sort key, then the others in the
//    order AWS gives them. Types S/N/B become string/number/binary. Names are
//    cut to 64 characters as OpenMetadata cuts them; the full name stays in
//    meta_json.attribute_name.
//  * meta_json: {"attribute_type": "S"} (+ "attribute_name" when cut).
//  * constraints_json, a list in dbt's shape (`type` first):
//      {"type": "primary_key", "key_type": "HASH" | "RANGE"}   a key of the table
//      {"type": "index_key", "index": NAME, "index_type": "global" | "local",
//       "key_type": "HASH" | "RANGE"}                          a key of an index
//  * stats_json: each statistic as dbt's catalog.json gives them,
//    {"label", "value", "description"}: row_count (ItemCount), bytes
//    (TableSizeBytes), status, billing_mode, arn, created_at (ISO-8601 UTC),
//    read/write_capacity_units (provisioned tables), stream_view_type,
//    table_class, deletion_protection, and global_secondary_indexes /
//    local_secondary_indexes whose values are lists of
//    {name, key_schema: [{attribute, key_type}], projection,
//     non_key_attributes, status, item_count, size_bytes, arn}
//    (absent fields left out).
namespace cairn::connectors::dynamodb {

inline constexpr std::size_t kMaxColumnNameLength = 64;

struct TablePlace {
  std::string service;
  std::string database;
  std::string schema;
};

// `warnings` receives what was dropped: a column whose cut name repeats
// another's.
catalog::Table MapTable(const cloud::DynamoDbTable& table, const TablePlace& place,
                        std::vector<std::string>& warnings);

// `name` cut to `max` characters (UTF-8 code points, never inside one).
std::string CutToCharacters(const std::string& name, std::size_t max);

}  // namespace cairn::connectors::dynamodb
