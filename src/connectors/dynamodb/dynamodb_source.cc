#include "connectors/dynamodb/dynamodb_source.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "cloud/aws_credentials.h"
#include "cloud/dynamodb_client.h"
#include "connectors/dynamodb/dynamodb_mapper.h"
#include "core/error.h"

namespace cairn::connectors::dynamodb {
namespace {

using json = nlohmann::json;

constexpr const char* kConnectionPath = "$.source.serviceConnection.config";

class DynamoDbSource : public Source {
 public:
  explicit DynamoDbSource(DynamoDbSourceConfig config)
      : config_(std::move(config)), http_(config_.http) {}

  catalog::ServiceSnapshot Read(ProgressListener& progress) override {
    catalog::ServiceSnapshot snapshot{
        .service = config_.service, .service_type = "dynamodb", .origin = "dynamodb"};
    const TablePlace place{
        .service = config_.service, .database = config_.database, .schema = kDefaultName};
    // The one database and schema are asked about too, as for any warehouse:
    // filtering either out leaves the service without tables.
    if (config_.pipeline.KeepsDatabase(place.service, place.database) &&
        config_.pipeline.KeepsSchema(place.service, place.database, place.schema)) {
      snapshot.tables = ReadTables(place, progress);
    }
    return snapshot;
  }

  std::vector<std::string> Warnings() const override { return warnings_; }

  std::int64_t Filtered() const override { return config_.pipeline.filtered(); }

 private:
  std::vector<catalog::Table> ReadTables(const TablePlace& place, ProgressListener& progress) {
    cloud::AwsSession session(http_, config_.aws.credentials, config_.aws.assume_role);
    const cloud::DynamoDbClient client(
        {.region = config_.aws.region, .endpoint = config_.aws.endpoint},
        [&session] { return session.Current(); }, http_);
    const std::string listing = "listing DynamoDB tables at " + client.Endpoint();
    progress.PhaseStarted(listing, 0);
    const std::vector<std::string> names = client.ListTables();
    progress.PhaseFinished(listing);

    std::vector<catalog::Table> tables;
    progress.PhaseStarted("describing DynamoDB tables", 0);
    for (const std::string& name : names) {
      if (!config_.pipeline.KeepsTable(place.service, place.database, place.schema, name, false)) {
        continue;
      }
      std::optional<cloud::DynamoDbTable> table = Describe(client, name);
      if (table) tables.push_back(MapTable(*table, place, warnings_));
    }
    progress.PhaseFinished("describing DynamoDB tables");
    return tables;
  }

  // nullopt for a table deleted since it was listed: what the region holds
  // now no longer has it, which is what the snapshot should say.
  std::optional<cloud::DynamoDbTable> Describe(const cloud::DynamoDbClient& client,
                                               const std::string& name) {
    try {
      return client.DescribeTable(name);
    } catch (const Error& error) {
      if (error.code() != ErrorCode::kNotFound) throw;
      warnings_.push_back(fmt::format("table '{}' was deleted while it was read; skipped", name));
      return std::nullopt;
    }
  }

  DynamoDbSourceConfig config_;
  cloud::HttpClient http_;
  std::vector<std::string> warnings_;
};

// The connection's filter patterns are defaults for the pipeline's
// (OpenMetadata's DynamoDBConnection carries them). Each is compiled here
// first, so that a bad regex is named where it was written.
json PipelineWithConnectionDefaults(const json& pipeline, const json& connection) {
  json merged = pipeline;
  for (const char* key : {"databaseFilterPattern", "schemaFilterPattern", "tableFilterPattern"}) {
    auto it = connection.find(key);
    if (it == connection.end() || merged.contains(key)) continue;
    FilterPattern::FromJson(*it, fmt::format("{}.{}", kConnectionPath, key));
    merged[key] = *it;
  }
  return merged;
}

std::unique_ptr<Source> FromWorkflow(const SourceContext& context) {
  return MakeDynamoDbSource(DynamoDbSourceConfigFrom(context));
}

std::vector<NestedSchema> PartSchemas(const json& /*source*/) {
  return {{.pointer = "/serviceConnection/config/awsConfig",
           .schema_file = "common/aws_credentials.json"},
          {.pointer = "/sourceConfig/config", .schema_file = "pipelines/database_metadata.json"}};
}

}  // namespace

DynamoDbSourceConfig DynamoDbSourceConfigFrom(const SourceContext& context) {
  const json& source = *context.source;
  const json& connection = source.at("serviceConnection").at("config");
  DynamoDbSourceConfig config;
  config.service = context.service_name;
  if (auto it = connection.find("databaseName"); it != connection.end() && it->is_string()) {
    if (!it->get<std::string>().empty()) config.database = it->get<std::string>();
  }
  config.aws =
      AwsConfigFrom(connection.at("awsConfig"), std::string(kConnectionPath) + ".awsConfig");
  config.pipeline = DatabasePipeline::FromJson(
      PipelineWithConnectionDefaults(source.at("sourceConfig").at("config"), connection));
  return config;
}

std::unique_ptr<Source> MakeDynamoDbSource(DynamoDbSourceConfig config) {
  return std::make_unique<DynamoDbSource>(std::move(config));
}

Connector DynamoDbConnector() {
  return Connector{.type = "dynamodb",
                   .schema_file = "connectors/dynamodb.json",
                   .factory = FromWorkflow,
                   .nested_schemas = PartSchemas};
}

}  // namespace cairn::connectors::dynamodb
