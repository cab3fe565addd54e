#include "cloud/dynamodb_client.h"

#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <utility>

#include "core/error.h"

namespace cairn::cloud {
namespace {

using json = nlohmann::json;

AwsJsonService DynamoDbService() {
  return {.signing_name = "dynamodb",
          .target_prefix = "DynamoDB_20120810.",
          .content_type = "application/x-amz-json-1.0",
          .access_denied_reason =
              "access denied: the credentials need dynamodb:ListTables and dynamodb:DescribeTable",
          .not_found_reason = "no such table (in this region and account)",
          .no_answer_hint = "check endPointURL and awsRegion"};
}

std::optional<std::int64_t> IntegerAt(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return std::nullopt;
  return it->get<std::int64_t>();
}

const json& ArrayAt(const json& object, const char* key) {
  static const json kEmpty = json::array();
  auto it = object.find(key);
  return it != object.end() && it->is_array() ? *it : kEmpty;
}

const json& ObjectAt(const json& object, const char* key) {
  static const json kEmpty = json::object();
  auto it = object.find(key);
  return it != object.end() && it->is_object() ? *it : kEmpty;
}

std::vector<DynamoDbKeyElement> KeySchemaOf(const json& object) {
  std::vector<DynamoDbKeyElement> keys;
  for (const json& key : ArrayAt(object, "KeySchema")) {
    keys.push_back(
        {.attribute = StringAt(key, "AttributeName"), .key_type = StringAt(key, "KeyType")});
  }
  return keys;
}

std::vector<DynamoDbIndex> IndexesOf(const json& table, const char* key) {
  std::vector<DynamoDbIndex> indexes;
  for (const json& index : ArrayAt(table, key)) {
    const json& projection = ObjectAt(index, "Projection");
    DynamoDbIndex out{.name = StringAt(index, "IndexName"),
                      .key_schema = KeySchemaOf(index),
                      .projection_type = StringAt(projection, "ProjectionType"),
                      .status = StringAt(index, "IndexStatus"),
                      .item_count = IntegerAt(index, "ItemCount"),
                      .size_bytes = IntegerAt(index, "IndexSizeBytes"),
                      .arn = StringAt(index, "IndexArn")};
    for (const json& attribute : ArrayAt(projection, "NonKeyAttributes")) {
      if (attribute.is_string()) out.non_key_attributes.push_back(attribute.get<std::string>());
    }
    indexes.push_back(std::move(out));
  }
  return indexes;
}

// Provisioned capacity is only meaningful in provisioned mode: on-demand
// tables report zeros there.
void ReadCapacity(const json& table, DynamoDbTable& out) {
  if (out.billing_mode != "PROVISIONED") return;
  const json& throughput = ObjectAt(table, "ProvisionedThroughput");
  out.read_capacity_units = IntegerAt(throughput, "ReadCapacityUnits");
  out.write_capacity_units = IntegerAt(throughput, "WriteCapacityUnits");
}

}  // namespace

DynamoDbFailure ClassifyDynamoDbError(long status, const std::string& code) {
  return ClassifyAwsError(status, code);
}

DynamoDbTable ParseTableDescription(const std::string& describe_table_response,
                                    const std::string& what) {
  const json response = ParseAwsJsonBody(describe_table_response, what);
  const json& table = ObjectAt(response, "Table");
  if (table.empty()) throw Error(ErrorCode::kParse, what + ": the response has no Table");
  DynamoDbTable out{.name = StringAt(table, "TableName"),
                    .arn = StringAt(table, "TableArn"),
                    .id = StringAt(table, "TableId"),
                    .status = StringAt(table, "TableStatus"),
                    .billing_mode = StringAt(ObjectAt(table, "BillingModeSummary"), "BillingMode"),
                    .key_schema = KeySchemaOf(table),
                    .global_indexes = IndexesOf(table, "GlobalSecondaryIndexes"),
                    .local_indexes = IndexesOf(table, "LocalSecondaryIndexes"),
                    .item_count = IntegerAt(table, "ItemCount").value_or(0),
                    .size_bytes = IntegerAt(table, "TableSizeBytes").value_or(0),
                    .table_class = StringAt(ObjectAt(table, "TableClassSummary"), "TableClass")};
  // Tables created before on-demand existed carry no BillingModeSummary:
  // they are provisioned (the model's documentation of BillingModeSummary).
  if (out.billing_mode.empty()) out.billing_mode = "PROVISIONED";
  ReadCapacity(table, out);
  if (auto it = table.find("CreationDateTime"); it != table.end() && it->is_number()) {
    out.created_at = it->get<double>();
  }
  for (const json& attribute : ArrayAt(table, "AttributeDefinitions")) {
    out.attributes.push_back({.name = StringAt(attribute, "AttributeName"),
                              .type = StringAt(attribute, "AttributeType")});
  }
  const json& stream = ObjectAt(table, "StreamSpecification");
  if (stream.value("StreamEnabled", false))
    out.stream_view_type = StringAt(stream, "StreamViewType");
  out.deletion_protection = table.value("DeletionProtectionEnabled", false);
  return out;
}

DynamoDbClient::DynamoDbClient(DynamoDbLocation location, CredentialsProvider credentials,
                               const HttpClient& http)
    : json_(DynamoDbService(), std::move(location.region), std::move(location.endpoint),
            std::move(credentials), http) {}

std::string DynamoDbClient::Endpoint() const {
  return json_.Endpoint();
}

std::vector<std::string> DynamoDbClient::ListTables(int page_size) const {
  if (page_size < 1 || page_size > 100) {
    throw Error(ErrorCode::kInvalidArgument, "ListTables takes pages of 1 to 100 tables");
  }
  const std::string what = fmt::format("DynamoDB ListTables at {}", Endpoint());
  std::vector<std::string> names;
  std::string start;
  do {
    json request = {{"Limit", page_size}};
    if (!start.empty()) request["ExclusiveStartTableName"] = start;
    const json page = ParseAwsJsonBody(json_.Call("ListTables", request.dump(), what), what);
    for (const json& name : ArrayAt(page, "TableNames")) {
      if (name.is_string()) names.push_back(name.get<std::string>());
    }
    std::string next = StringAt(page, "LastEvaluatedTableName");
    // A server that hands back where it started would page forever.
    if (!next.empty() && next == start) {
      throw Error(ErrorCode::kParse, what + ": LastEvaluatedTableName did not advance");
    }
    start = std::move(next);
  } while (!start.empty());
  return names;
}

DynamoDbTable DynamoDbClient::DescribeTable(const std::string& name) const {
  const std::string what = fmt::format("DynamoDB DescribeTable '{}' at {}", name, Endpoint());
  const json request = {{"TableName", name}};
  return ParseTableDescription(json_.Call("DescribeTable", request.dump(), what), what);
}

}  // namespace cairn::cloud
