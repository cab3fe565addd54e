#include "cloud/dynamodb_client.h"

#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <utility>

#include "core/error.h"

namespace cairn::cloud {
namespace {

using json = nlohmann::json;

constexpr const char* kTargetPrefix = "DynamoDB_20120810.";
// Enough of a service message to act on; some (a failed permission check)
// name a whole ARN, none needs more.
constexpr std::size_t kMaxServiceMessage = 300;

std::string Reason(DynamoDbFailure failure) {
  switch (failure) {
    case DynamoDbFailure::kBadCredentials:
      return "the credentials were refused: the access key, secret or session token is wrong or "
             "expired";
    case DynamoDbFailure::kAccessDenied:
      return "access denied: the credentials need dynamodb:ListTables and dynamodb:DescribeTable";
    case DynamoDbFailure::kResourceNotFound:
      return "no such table (in this region and account)";
    case DynamoDbFailure::kThrottled:
      return "throttled by DynamoDB, still after the retries; try again later";
    case DynamoDbFailure::kBadRequest:
      return "the request was refused";
    case DynamoDbFailure::kOther:
      break;
  }
  return "the request failed";
}

// A failed call as a person can act on it: what was asked, why it failed,
// the status and code. The service's own message is kept where it helps (a
// permission check names the action and resource) and dropped for refused
// credentials, whose messages may echo the signed request.
[[noreturn]] void ThrowFailure(const std::string& what, const HttpResponse& response) {
  const AwsJsonError error = ParseAwsJsonError(response.body, response.Header("x-amzn-errortype"));
  const DynamoDbFailure failure = ClassifyDynamoDbError(response.status, error.code);
  std::string detail;
  if (failure != DynamoDbFailure::kBadCredentials && !error.message.empty()) {
    detail = ": " + error.message.substr(0, kMaxServiceMessage);
  }
  throw Error(failure == DynamoDbFailure::kResourceNotFound ? ErrorCode::kNotFound : ErrorCode::kIo,
              fmt::format("{}: {} (HTTP {}{}{}){}", what, Reason(failure), response.status,
                          error.code.empty() ? "" : ", ", error.code, detail));
}

json ParseBody(const std::string& body, const std::string& what) {
  json value = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded() || !value.is_object()) {
    throw Error(ErrorCode::kParse, what + ": the response is not a JSON object");
  }
  return value;
}

std::string StringAt(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
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

AwsJsonError ParseAwsJsonError(const std::string& body, const std::string& error_type_header) {
  AwsJsonError error;
  json value = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!value.is_discarded() && value.is_object()) {
    error.code = StringAt(value, "__type");
    error.message = StringAt(value, "message");
    if (error.message.empty()) error.message = StringAt(value, "Message");
  }
  if (error.code.empty()) error.code = error_type_header;
  if (auto hash = error.code.rfind('#'); hash != std::string::npos) error.code.erase(0, hash + 1);
  if (auto colon = error.code.find(':'); colon != std::string::npos) error.code.erase(colon);
  return error;
}

DynamoDbFailure ClassifyDynamoDbError(long status, const std::string& code) {
  for (const char* refused :
       {"UnrecognizedClientException", "InvalidSignatureException", "IncompleteSignature",
        "IncompleteSignatureException", "MissingAuthenticationToken",
        "MissingAuthenticationTokenException", "ExpiredTokenException", "InvalidClientTokenId",
        "SignatureDoesNotMatch", "UnrecognizedClient"}) {
    if (code == refused) return DynamoDbFailure::kBadCredentials;
  }
  if (code == "AccessDeniedException" || code == "AccessDenied") {
    return DynamoDbFailure::kAccessDenied;
  }
  if (code == "ResourceNotFoundException") return DynamoDbFailure::kResourceNotFound;
  for (const char* throttled : {"ProvisionedThroughputExceededException", "ThrottlingException",
                                "RequestLimitExceeded", "Throttling", "LimitExceededException"}) {
    if (code == throttled) return DynamoDbFailure::kThrottled;
  }
  if (code == "ValidationException" || code == "SerializationException") {
    return DynamoDbFailure::kBadRequest;
  }
  if (code.empty() && status == 403) return DynamoDbFailure::kAccessDenied;
  if (code.empty() && status == 429) return DynamoDbFailure::kThrottled;
  return DynamoDbFailure::kOther;
}

DynamoDbTable ParseTableDescription(const std::string& describe_table_response,
                                    const std::string& what) {
  const json response = ParseBody(describe_table_response, what);
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
    : location_(std::move(location)), credentials_(std::move(credentials)), http_(http) {
  if (location_.region.empty()) {
    throw Error(ErrorCode::kInvalidArgument, "DynamoDB needs a region");
  }
}

std::string DynamoDbClient::Endpoint() const {
  std::string endpoint = location_.endpoint;
  if (endpoint.empty()) {
    // The China partition has its own domain.
    const bool china = location_.region.starts_with("cn-");
    endpoint =
        fmt::format("https://dynamodb.{}.amazonaws.com{}", location_.region, china ? ".cn" : "");
  }
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  return endpoint;
}

std::string DynamoDbClient::Call(const std::string& operation, const std::string& request_json,
                                 const std::string& what) const {
  HttpRequestToSign request{.method = "POST",
                            .endpoint = Endpoint(),
                            .path = "/",
                            .headers = {{"Content-Type", "application/x-amz-json-1.0"},
                                        {"X-Amz-Target", kTargetPrefix + operation}},
                            .payload = request_json};
  // The URL is set here too, unsigned, so that a failure to connect names it.
  HttpRequest shell{.method = "POST", .url = Endpoint() + "/", .body = request_json};
  // Signed on every attempt: a retry after a backoff needs a fresh date,
  // and a renewed role its new keys.
  HttpResponse response = SendOrExplain(shell, what, [&](HttpRequest& attempt) {
    SignedRequest signed_request = SignV4(request, credentials_(),
                                          {.region = location_.region,
                                           .service = "dynamodb",
                                           .time = std::chrono::system_clock::now()});
    attempt.url = signed_request.url;
    attempt.headers = signed_request.headers;
  });
  if (response.status != 200) ThrowFailure(what, response);
  return std::move(response.body);
}

HttpResponse DynamoDbClient::SendOrExplain(const HttpRequest& request, const std::string& what,
                                           const std::function<void(HttpRequest&)>& sign) const {
  try {
    return http_.Send(request, sign);
  } catch (const Error& error) {
    if (error.code() != ErrorCode::kIo) throw;
    // Nothing answered: most often the endpoint or region is not the one meant.
    throw Error(ErrorCode::kIo, fmt::format("{}: no answer (check endPointURL and awsRegion): {}",
                                            what, error.message()));
  }
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
    const json page = ParseBody(Call("ListTables", request.dump(), what), what);
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
  return ParseTableDescription(Call("DescribeTable", request.dump(), what), what);
}

}  // namespace cairn::cloud
