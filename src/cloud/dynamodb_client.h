#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cloud/aws_json_protocol.h"
#include "cloud/http_client.h"
#include "cloud/sigv4.h"

// DynamoDB's ListTables and DescribeTable over the HTTP client: JSON 1.0
// (`X-Amz-Target: DynamoDB_20120810.<Op>`), signed with SigV4 for service
// `dynamodb` (../shared/reference/aws-apis.md §8, §9). Only the control plane:
// Cairn catalogs tables, it never reads items.
namespace cairn::cloud {

struct DynamoDbLocation {
  std::string region = "us-east-1";
  std::string endpoint;  // empty: https://dynamodb.<region>.amazonaws.com
};

struct DynamoDbKeyElement {
  std::string attribute;
  std::string key_type;  // HASH (partition key) or RANGE (sort key)
};

struct DynamoDbAttribute {
  std::string name;
  std::string type;  // S, N or B
};

// A global or local secondary index. GSIs have a status and their own
// throughput; counts and sizes are absent until AWS first computes them.
struct DynamoDbIndex {
  std::string name;
  std::vector<DynamoDbKeyElement> key_schema;
  std::string projection_type;  // ALL, KEYS_ONLY or INCLUDE
  std::vector<std::string> non_key_attributes;
  std::string status;  // GSIs only
  std::optional<std::int64_t> item_count;
  std::optional<std::int64_t> size_bytes;
  std::string arn;
};

// What DescribeTable says of a table that Cairn keeps. ItemCount and
// TableSizeBytes are refreshed by AWS about every six hours.
struct DynamoDbTable {
  std::string name;
  std::string arn;
  std::string id;
  std::string status;                // ACTIVE, CREATING, UPDATING, ...
  std::string billing_mode;          // PROVISIONED or PAY_PER_REQUEST
  std::optional<double> created_at;  // epoch seconds
  std::vector<DynamoDbKeyElement> key_schema;
  // Only the attributes that are keys of the table or of an index:
  // DynamoDB has no schema for the rest of an item.
  std::vector<DynamoDbAttribute> attributes;
  std::vector<DynamoDbIndex> global_indexes;
  std::vector<DynamoDbIndex> local_indexes;
  std::int64_t item_count = 0;
  std::int64_t size_bytes = 0;
  std::optional<std::int64_t> read_capacity_units;   // provisioned tables only
  std::optional<std::int64_t> write_capacity_units;  // provisioned tables only
  std::string stream_view_type;                      // empty when no stream is enabled
  std::string table_class;                           // empty: STANDARD
  bool deletion_protection = false;
};

// What went wrong, from the service's error code (the JSON protocol's
// classification; the name is kept for the callers of this header).
using DynamoDbFailure = AwsFailure;
DynamoDbFailure ClassifyDynamoDbError(long status, const std::string& code);

// One region's (or one endpoint's) tables. Every call throws cairn::Error
// naming the operation, the endpoint and the reason: kNotFound for a table
// that does not exist, kIo for everything else (no answer, refused
// credentials, access denied, throttled past the retries). Messages never
// hold keys, tokens or signatures.
class DynamoDbClient {
 public:
  DynamoDbClient(DynamoDbLocation location, CredentialsProvider credentials,
                 const HttpClient& http);

  // Every table name, following LastEvaluatedTableName across pages of
  // `page_size` (1 to 100).
  std::vector<std::string> ListTables(int page_size = 100) const;

  DynamoDbTable DescribeTable(const std::string& name) const;

  // The endpoint requests go to, without a trailing '/'.
  std::string Endpoint() const;

 private:
  AwsJsonClient json_;
};

// A DescribeTable response body read into the struct (exposed for tests of
// shapes moto does not produce). Throws kParse, starting with `what`.
DynamoDbTable ParseTableDescription(const std::string& describe_table_response,
                                    const std::string& what = "DescribeTable");

}  // namespace cairn::cloud
