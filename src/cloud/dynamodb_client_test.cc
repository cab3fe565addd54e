#include "cloud/dynamodb_client.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "cloud/moto_server_test_util.h"
#include "core/error.h"

namespace cairn::cloud {
namespace {

using testing::ErrorOf;

class MotoDynamoDbTest : public testing::MotoServerTest {
 protected:
  void SetUp() override { ResetMoto(); }
  DynamoDbClient Client() const { return ClientOfMoto<DynamoDbClient>(); }
};

TEST_F(MotoDynamoDbTest, ListsEveryTableAcrossPages) {
  Boto3(
      "for i in range(23):\n"
      "    dynamodb.create_table(TableName=f'events_{i:02d}',"
      " KeySchema=[{'AttributeName': 'id', 'KeyType': 'HASH'}],"
      " AttributeDefinitions=[{'AttributeName': 'id', 'AttributeType': 'S'}],"
      " BillingMode='PAY_PER_REQUEST')\n");
  DynamoDbClient client = Client();
  std::vector<std::string> names = client.ListTables(5);
  ASSERT_EQ(names.size(), 23u);
  std::vector<std::string> sorted = names;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(std::unique(sorted.begin(), sorted.end()), sorted.end()) << "no table twice";
  EXPECT_EQ(sorted.front(), "events_00");
  EXPECT_EQ(sorted.back(), "events_22");
  EXPECT_EQ(client.ListTables(1).size(), 23u);
  EXPECT_EQ(client.ListTables().size(), 23u);
  EXPECT_EQ(ErrorOf([&] { client.ListTables(101); }).code(), ErrorCode::kInvalidArgument);
}

TEST_F(MotoDynamoDbTest, AnEmptyRegionListsNothing) {
  EXPECT_TRUE(Client().ListTables().empty());
}

TEST_F(MotoDynamoDbTest, DescribesKeysAttributesIndexesAndCounts) {
  Boto3(
      "dynamodb.create_table(TableName='orders',"
      " KeySchema=[{'AttributeName': 'customer_id', 'KeyType': 'HASH'},"
      "            {'AttributeName': 'order_id', 'KeyType': 'RANGE'}],"
      " AttributeDefinitions=[{'AttributeName': 'customer_id', 'AttributeType': 'S'},"
      "   {'AttributeName': 'order_id', 'AttributeType': 'N'},"
      "   {'AttributeName': 'status', 'AttributeType': 'S'},"
      "   {'AttributeName': 'placed_at', 'AttributeType': 'N'}],"
      " GlobalSecondaryIndexes=[{'IndexName': 'by_status',"
      "   'KeySchema': [{'AttributeName': 'status', 'KeyType': 'HASH'},"
      "                 {'AttributeName': 'placed_at', 'KeyType': 'RANGE'}],"
      "   'Projection': {'ProjectionType': 'INCLUDE', 'NonKeyAttributes': ['total']}}],"
      " LocalSecondaryIndexes=[{'IndexName': 'by_placed_at',"
      "   'KeySchema': [{'AttributeName': 'customer_id', 'KeyType': 'HASH'},"
      "                 {'AttributeName': 'placed_at', 'KeyType': 'RANGE'}],"
      "   'Projection': {'ProjectionType': 'KEYS_ONLY'}}],"
      " BillingMode='PAY_PER_REQUEST')\n"
      "for i in range(3):\n"
      "    dynamodb.put_item(TableName='orders', Item={'customer_id': {'S': 'c1'},"
      " 'order_id': {'N': str(i)}, 'status': {'S': 'open'}, 'placed_at': {'N': '5'},"
      " 'total': {'N': '9.5'}})\n");
  const DynamoDbTable table = Client().DescribeTable("orders");
  EXPECT_EQ(table.name, "orders");
  EXPECT_EQ(table.arn, "arn:aws:dynamodb:us-east-1:123456789012:table/orders");
  EXPECT_EQ(table.status, "ACTIVE");
  EXPECT_EQ(table.billing_mode, "PAY_PER_REQUEST");
  EXPECT_FALSE(table.read_capacity_units.has_value()) << "on-demand tables have no capacity";
  ASSERT_TRUE(table.created_at.has_value());
  EXPECT_GT(*table.created_at, 1.7e9);
  ASSERT_EQ(table.key_schema.size(), 2u);
  EXPECT_EQ(table.key_schema[0].attribute, "customer_id");
  EXPECT_EQ(table.key_schema[0].key_type, "HASH");
  EXPECT_EQ(table.key_schema[1].attribute, "order_id");
  EXPECT_EQ(table.key_schema[1].key_type, "RANGE");
  ASSERT_EQ(table.attributes.size(), 4u);
  EXPECT_EQ(table.attributes[1].name, "order_id");
  EXPECT_EQ(table.attributes[1].type, "N");
  ASSERT_EQ(table.global_indexes.size(), 1u);
  const DynamoDbIndex& gsi = table.global_indexes[0];
  EXPECT_EQ(gsi.name, "by_status");
  EXPECT_EQ(gsi.status, "ACTIVE");
  EXPECT_EQ(gsi.projection_type, "INCLUDE");
  EXPECT_EQ(gsi.non_key_attributes, std::vector<std::string>{"total"});
  ASSERT_EQ(gsi.key_schema.size(), 2u);
  EXPECT_EQ(gsi.key_schema[1].attribute, "placed_at");
  ASSERT_EQ(table.local_indexes.size(), 1u);
  EXPECT_EQ(table.local_indexes[0].name, "by_placed_at");
  EXPECT_EQ(table.local_indexes[0].projection_type, "KEYS_ONLY");
  EXPECT_EQ(table.item_count, 3);
  EXPECT_GE(table.size_bytes, 0);
}

TEST_F(MotoDynamoDbTest, AProvisionedTableKeepsItsCapacity) {
  Boto3(
      "dynamodb.create_table(TableName='sessions',"
      " KeySchema=[{'AttributeName': 'token', 'KeyType': 'HASH'}],"
      " AttributeDefinitions=[{'AttributeName': 'token', 'AttributeType': 'B'}],"
      " ProvisionedThroughput={'ReadCapacityUnits': 5, 'WriteCapacityUnits': 3},"
      " StreamSpecification={'StreamEnabled': True, 'StreamViewType': 'NEW_IMAGE'})\n");
  const DynamoDbTable table = Client().DescribeTable("sessions");
  EXPECT_EQ(table.billing_mode, "PROVISIONED");
  EXPECT_EQ(table.read_capacity_units, 5);
  EXPECT_EQ(table.write_capacity_units, 3);
  EXPECT_EQ(table.stream_view_type, "NEW_IMAGE");
  EXPECT_TRUE(table.global_indexes.empty());
  ASSERT_EQ(table.attributes.size(), 1u);
  EXPECT_EQ(table.attributes[0].type, "B");
}

TEST_F(MotoDynamoDbTest, AMissingTableIsNotFoundAndNamedWithoutSecrets) {
  const Error error = ErrorOf([&] { Client().DescribeTable("no_such_table"); });
  EXPECT_EQ(error.code(), ErrorCode::kNotFound);
  const std::string message = error.what();
  EXPECT_NE(message.find("DescribeTable 'no_such_table' at " + Url("")), std::string::npos)
      << message;
  EXPECT_NE(message.find("no such table"), std::string::npos) << message;
  EXPECT_NE(message.find("HTTP 400, ResourceNotFoundException"), std::string::npos) << message;
  EXPECT_EQ(message.find("wJalrXUtnFEMI"), std::string::npos) << message;
  EXPECT_EQ(message.find("Signature="), std::string::npos) << message;
}

TEST_F(MotoDynamoDbTest, NoServerIsAnIoErrorNamingTheEndpoint) {
  HttpClient once({.connect_timeout = std::chrono::milliseconds(500), .max_attempts = 1});
  DynamoDbClient client(
      {.region = "us-east-1", .endpoint = "http://127.0.0.1:1"},
      [] {
        return AwsCredentials{"AKIAIOSFODNN7EXAMPLE", "secret", ""};
      },
      once);
  const Error error = ErrorOf([&] { client.ListTables(); });
  EXPECT_EQ(error.code(), ErrorCode::kIo);
  EXPECT_NE(std::string(error.what())
                .find("DynamoDB ListTables at http://127.0.0.1:1: no answer (check endPointURL "
                      "and awsRegion): POST http://127.0.0.1:1/: "),
            std::string::npos)
      << error.what();
}

TEST(DynamoDbClientTest, TheEndpointFollowsTheRegion) {
  HttpClient http;
  auto keys = [] { return AwsCredentials{}; };
  EXPECT_EQ(DynamoDbClient({.region = "eu-west-1"}, keys, http).Endpoint(),
            "https://dynamodb.eu-west-1.amazonaws.com");
  EXPECT_EQ(DynamoDbClient({.region = "cn-north-1"}, keys, http).Endpoint(),
            "https://dynamodb.cn-north-1.amazonaws.com.cn");
  EXPECT_EQ(
      DynamoDbClient({.region = "us-east-1", .endpoint = "http://localhost:8000/"}, keys, http)
          .Endpoint(),
      "http://localhost:8000");
  EXPECT_THROW(DynamoDbClient({.region = ""}, keys, http), Error);
}

TEST(DynamoDbClientTest, ErrorCodesComeFromTypeOrHeader) {
  AwsJsonError error = ParseAwsJsonError(
      R"({"__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
          "message": "Requested resource not found"})",
      "");
  EXPECT_EQ(error.code, "ResourceNotFoundException");
  EXPECT_EQ(error.message, "Requested resource not found");
  error = ParseAwsJsonError(
      R"({"__type": "AccessDeniedException:http://internal", "Message": "no"})", "");
  EXPECT_EQ(error.code, "AccessDeniedException");
  EXPECT_EQ(error.message, "no");
  error = ParseAwsJsonError("<html>Bad Gateway</html>", "ThrottlingException");
  EXPECT_EQ(error.code, "ThrottlingException");
  EXPECT_EQ(error.message, "");
  EXPECT_EQ(ParseAwsJsonError("", "").code, "");
}

TEST(DynamoDbClientTest, FailuresAreClassifiedByWhatAPersonCanDo) {
  EXPECT_EQ(ClassifyDynamoDbError(400, "UnrecognizedClientException"),
            DynamoDbFailure::kBadCredentials);
  EXPECT_EQ(ClassifyDynamoDbError(400, "InvalidSignatureException"),
            DynamoDbFailure::kBadCredentials);
  EXPECT_EQ(ClassifyDynamoDbError(400, "ExpiredTokenException"), DynamoDbFailure::kBadCredentials);
  EXPECT_EQ(ClassifyDynamoDbError(400, "AccessDeniedException"), DynamoDbFailure::kAccessDenied);
  EXPECT_EQ(ClassifyDynamoDbError(403, ""), DynamoDbFailure::kAccessDenied);
  EXPECT_EQ(ClassifyDynamoDbError(400, "ResourceNotFoundException"),
            DynamoDbFailure::kResourceNotFound);
  EXPECT_EQ(ClassifyDynamoDbError(400, "ProvisionedThroughputExceededException"),
            DynamoDbFailure::kThrottled);
  EXPECT_EQ(ClassifyDynamoDbError(400, "ValidationException"), DynamoDbFailure::kBadRequest);
  EXPECT_EQ(ClassifyDynamoDbError(500, "InternalServerError"), DynamoDbFailure::kOther);
}

TEST(DynamoDbClientTest, ReadsWhatMotoLeavesOut) {
  const DynamoDbTable table = ParseTableDescription(R"({"Table": {
      "TableName": "legacy", "TableStatus": "ACTIVE", "TableId": "4b0c-id",
      "CreationDateTime": 1795346513.296, "ItemCount": 12, "TableSizeBytes": 4096,
      "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
      "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
      "ProvisionedThroughput": {"ReadCapacityUnits": 10, "WriteCapacityUnits": 2},
      "GlobalSecondaryIndexes": [{"IndexName": "g", "IndexStatus": "CREATING",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "ALL"}, "ItemCount": 7, "IndexSizeBytes": 100,
        "IndexArn": "arn:aws:dynamodb:eu-west-1:1:table/legacy/index/g"}],
      "StreamSpecification": {"StreamEnabled": false, "StreamViewType": "KEYS_ONLY"},
      "TableClassSummary": {"TableClass": "STANDARD_INFREQUENT_ACCESS"},
      "DeletionProtectionEnabled": true}})");
  EXPECT_EQ(table.billing_mode, "PROVISIONED") << "no BillingModeSummary: provisioned";
  EXPECT_EQ(table.read_capacity_units, 10);
  EXPECT_EQ(table.id, "4b0c-id");
  EXPECT_DOUBLE_EQ(*table.created_at, 1795346513.296);
  EXPECT_EQ(table.item_count, 12);
  EXPECT_EQ(table.size_bytes, 4096);
  EXPECT_EQ(table.global_indexes.at(0).item_count, 7);
  EXPECT_EQ(table.global_indexes.at(0).size_bytes, 100);
  EXPECT_EQ(table.global_indexes.at(0).status, "CREATING");
  EXPECT_EQ(table.stream_view_type, "") << "a disabled stream has no view type";
  EXPECT_EQ(table.table_class, "STANDARD_INFREQUENT_ACCESS");
  EXPECT_TRUE(table.deletion_protection);
  EXPECT_THROW(ParseTableDescription("{}"), Error);
  EXPECT_THROW(ParseTableDescription("not json"), Error);
}

}  // namespace
}  // namespace cairn::cloud
