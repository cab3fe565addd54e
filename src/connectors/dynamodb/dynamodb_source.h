#pragma once

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "cloud/http_client.h"
#include "connectors/aws_config.h"
#include "connectors/database_pipeline.h"
#include "connectors/source.h"

// `source.type: dynamodb` (schemas/connectors/dynamodb.json): the tables of
// one region, mapped as dynamodb_mapper.h says. One database (databaseName,
// else "default") holding one schema ("default"), as OpenMetadata has it.
namespace cairn::connectors::dynamodb {

inline constexpr const char* kDefaultName = "default";

struct DynamoDbSourceConfig {
  std::string service;
  std::string database = kDefaultName;
  AwsConfig aws;
  DatabasePipeline pipeline;
  cloud::HttpClientOptions http;
};

// From a validated `source` object. Throws kInvalidConfig (with its JSON
// path) for what the schema cannot say: keys given by halves, a regex that
// does not compile.
DynamoDbSourceConfig DynamoDbSourceConfigFrom(const SourceContext& context);

// Lists every table, then describes each one the filters keep (in ListTables
// order); with includeTables false the listing still runs, so that the run
// report can count what was left out. A table deleted between the two is
// skipped with a warning; any other failure ends the read (kIo, or
// kInvalidArgument when no credentials are found), so a run never applies a
// partial region.
std::unique_ptr<Source> MakeDynamoDbSource(DynamoDbSourceConfig config);

Connector DynamoDbConnector();

}  // namespace cairn::connectors::dynamodb
