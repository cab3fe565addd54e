#include "connectors/dynamodb/dynamodb_mapper.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "core/timestamp.h"

namespace cairn::connectors::dynamodb {
namespace {

using json = nlohmann::json;

std::string ColumnType(const std::string& attribute_type) {
  if (attribute_type == "S") return "string";
  if (attribute_type == "N") return "number";
  if (attribute_type == "B") return "binary";
  return attribute_type;  // none other exists today; keep what AWS said
}

// The table's key attributes first (HASH, then RANGE), then the rest of the
// definitions in AWS's order.
std::vector<const cloud::DynamoDbAttribute*> ColumnOrder(const cloud::DynamoDbTable& table) {
  std::vector<const cloud::DynamoDbAttribute*> ordered;
  std::set<std::string> placed;
  for (const char* key_type : {"HASH", "RANGE"}) {
    for (const cloud::DynamoDbKeyElement& key : table.key_schema) {
      if (key.key_type != key_type) continue;
      for (const cloud::DynamoDbAttribute& attribute : table.attributes) {
        if (attribute.name == key.attribute && placed.insert(attribute.name).second) {
          ordered.push_back(&attribute);
        }
      }
    }
  }
  for (const cloud::DynamoDbAttribute& attribute : table.attributes) {
    if (placed.insert(attribute.name).second) ordered.push_back(&attribute);
  }
  return ordered;
}

void AddIndexKeys(const std::vector<cloud::DynamoDbIndex>& indexes, const char* index_type,
                  const std::string& attribute, json& constraints) {
  for (const cloud::DynamoDbIndex& index : indexes) {
    for (const cloud::DynamoDbKeyElement& key : index.key_schema) {
      if (key.attribute != attribute) continue;
      constraints.push_back(json::object({{"type", "index_key"},
                                          {"index", index.name},
                                          {"index_type", index_type},
                                          {"key_type", key.key_type}}));
    }
  }
}

std::string ConstraintsOf(const cloud::DynamoDbTable& table, const std::string& attribute) {
  json constraints = json::array();
  for (const cloud::DynamoDbKeyElement& key : table.key_schema) {
    if (key.attribute == attribute) {
      constraints.push_back(json::object({{"type", "primary_key"}, {"key_type", key.key_type}}));
    }
  }
  AddIndexKeys(table.global_indexes, "global", attribute, constraints);
  AddIndexKeys(table.local_indexes, "local", attribute, constraints);
  return constraints.dump();
}

std::vector<catalog::Column> ColumnsOf(const cloud::DynamoDbTable& table,
                                       const std::string& table_fqn,
                                       std::vector<std::string>& warnings) {
  std::vector<catalog::Column> columns;
  std::set<std::string> names;
  for (const cloud::DynamoDbAttribute* attribute : ColumnOrder(table)) {
    std::string name = CutToCharacters(attribute->name, kMaxColumnNameLength);
    if (!names.insert(name).second) {
      warnings.push_back(fmt::format(
          "{}: attribute '{}' skipped: its first {} characters are those of another attribute",
          table_fqn, attribute->name, kMaxColumnNameLength));
      continue;
    }
    json meta = {{"attribute_type", attribute->type}};
    if (name != attribute->name) meta["attribute_name"] = attribute->name;
    columns.push_back({.name = std::move(name),
                       .ordinal = static_cast<int>(columns.size()) + 1,
                       .data_type = ColumnType(attribute->type),
                       .meta_json = meta.dump(),
                       .constraints_json = ConstraintsOf(table, attribute->name)});
  }
  return columns;
}

json IndexStats(const cloud::DynamoDbIndex& index) {
  json keys = json::array();
  for (const cloud::DynamoDbKeyElement& key : index.key_schema) {
    keys.push_back(json::object({{"attribute", key.attribute}, {"key_type", key.key_type}}));
  }
  json out = {{"name", index.name}, {"key_schema", keys}, {"projection", index.projection_type}};
  if (!index.non_key_attributes.empty()) out["non_key_attributes"] = index.non_key_attributes;
  if (!index.status.empty()) out["status"] = index.status;
  if (index.item_count) out["item_count"] = *index.item_count;
  if (index.size_bytes) out["size_bytes"] = *index.size_bytes;
  if (!index.arn.empty()) out["arn"] = index.arn;
  return out;
}

std::string Iso8601(double epoch_seconds) {
  const auto millis = static_cast<std::int64_t>(std::llround(epoch_seconds * 1000));
  return FormatUtcTimestamp(
      std::chrono::system_clock::time_point(std::chrono::milliseconds(millis)));
}

// One statistic in the catalog's shape (dbt catalog.json's).
void Stat(json& stats, const char* key, const char* label, json value, const char* description) {
  stats[key] = {{"label", label}, {"value", std::move(value)}, {"description", description}};
}

void IndexesStat(json& stats, const char* key, const char* label,
                 const std::vector<cloud::DynamoDbIndex>& indexes, const char* description) {
  if (indexes.empty()) return;
  json list = json::array();
  for (const cloud::DynamoDbIndex& index : indexes) list.push_back(IndexStats(index));
  Stat(stats, key, label, std::move(list), description);
}

void OptionalStats(const cloud::DynamoDbTable& table, json& stats) {
  if (table.created_at) {
    Stat(stats, "created_at", "Created", Iso8601(*table.created_at), "When the table was created");
  }
  if (table.read_capacity_units) {
    Stat(stats, "read_capacity_units", "Read Capacity", *table.read_capacity_units,
         "Provisioned read capacity units");
  }
  if (table.write_capacity_units) {
    Stat(stats, "write_capacity_units", "Write Capacity", *table.write_capacity_units,
         "Provisioned write capacity units");
  }
  if (!table.stream_view_type.empty()) {
    Stat(stats, "stream_view_type", "Stream", table.stream_view_type,
         "What the table's enabled stream records of each change");
  }
  if (!table.table_class.empty()) {
    Stat(stats, "table_class", "Table Class", table.table_class, "Storage class of the table");
  }
  IndexesStat(stats, "global_secondary_indexes", "Global Secondary Indexes", table.global_indexes,
              "Indexes with their own partition key, across the whole table");
  IndexesStat(stats, "local_secondary_indexes", "Local Secondary Indexes", table.local_indexes,
              "Indexes sharing the table's partition key, with another sort key");
}

std::string StatsOf(const cloud::DynamoDbTable& table) {
  json stats = json::object();
  Stat(stats, "row_count", "Item Count", table.item_count,
       "Approximate number of items (DynamoDB refreshes it about every six hours)");
  Stat(stats, "bytes", "Table Size", table.size_bytes,
       "Approximate size in bytes (DynamoDB refreshes it about every six hours)");
  Stat(stats, "status", "Table Status", table.status, "ACTIVE, CREATING, UPDATING, ...");
  Stat(stats, "billing_mode", "Billing Mode", table.billing_mode, "PROVISIONED or PAY_PER_REQUEST");
  Stat(stats, "arn", "Table ARN", table.arn, "The table's Amazon Resource Name");
  Stat(stats, "deletion_protection", "Deletion Protection", table.deletion_protection,
       "Whether deletion protection keeps the table from being deleted");
  OptionalStats(table, stats);
  return stats.dump();
}

}  // namespace

std::string CutToCharacters(const std::string& name, std::size_t max) {
  std::size_t characters = 0;
  for (std::size_t i = 0; i < name.size(); ++i) {
    // A UTF-8 character starts at every byte that is not a continuation byte.
    if ((static_cast<unsigned char>(name[i]) & 0xC0U) == 0x80U) continue;
    if (characters++ == max) return name.substr(0, i);
  }
  return name;
}

catalog::Table MapTable(const cloud::DynamoDbTable& table, const TablePlace& place,
                        std::vector<std::string>& warnings) {
  catalog::Table out{
      .fqn = catalog::TableFqn(place.service, place.database, place.schema, table.name),
      .database = place.database,
      .schema = place.schema,
      .name = table.name,
      .table_type = "table",
      .stats_json = StatsOf(table)};
  out.columns = ColumnsOf(table, out.fqn, warnings);
  return out;
}

}  // namespace cairn::connectors::dynamodb
