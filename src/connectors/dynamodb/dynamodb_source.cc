#include "connectors/dynamodb/dynamodb_source.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <future>
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

// DescribeTable takes one table a request (there is no batch form): a few
// requests in flight hide the round trips of a region with many tables.
constexpr std::size_t kDescribesInFlight = 8;

// nullopt for a table deleted since it was listed: what the region holds
// now no longer has it, which is what the snapshot should say.
std::optional<cloud::DynamoDbTable> DescribeIfPresent(const cloud::DynamoDbClient& client,
                                                      const std::string& name) {
  try {
    return client.DescribeTable(name);
  } catch (const Error& error) {
    if (error.code() != ErrorCode::kNotFound) throw;
    return std::nullopt;
  }
}

// Each table of `names` described, in their order. The first failure stops
// the other workers from starting more requests and is rethrown.
std::vector<std::optional<cloud::DynamoDbTable>> DescribeAll(
    const cloud::DynamoDbClient& client, const std::vector<std::string>& names) {
  std::vector<std::optional<cloud::DynamoDbTable>> tables(names.size());
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  auto work = [&] {
    try {
      for (std::size_t i = next++; i < names.size() && !failed; i = next++) {
        tables[i] = DescribeIfPresent(client, names[i]);
      }
    } catch (...) {
      failed = true;
      throw;
    }
  };
  std::vector<std::future<void>> workers;
  for (std::size_t i = 0; i < std::min(kDescribesInFlight, names.size()); ++i) {
    workers.push_back(std::async(std::launch::async, work));
  }
  for (std::future<void>& worker : workers) worker.get();
  return tables;
}

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
    snapshot.missing_tables = config_.pipeline.missing_tables();
    snapshot.read_schemas.emplace();
    if (config_.pipeline.KeepsDatabase(place.service, place.database) &&
        config_.pipeline.KeepsSchema(place.service, place.database, place.schema)) {
      snapshot.read_schemas->push_back({.database = place.database, .schema = place.schema});
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

    const std::vector<std::string> kept = Kept(names, place);
    progress.PhaseStarted("describing DynamoDB tables", 0);
    const std::vector<std::optional<cloud::DynamoDbTable>> described = DescribeAll(client, kept);
    progress.PhaseFinished("describing DynamoDB tables");

    std::vector<catalog::Table> tables;
    for (std::size_t i = 0; i < kept.size(); ++i) {
      if (described[i]) {
        tables.push_back(MapTable(*described[i], place, warnings_));
      } else {
        warnings_.push_back(
            fmt::format("table '{}' was deleted while it was read; skipped", kept[i]));
      }
    }
    return tables;
  }

  // The tables the filters keep, in listing order; the others are counted.
  std::vector<std::string> Kept(const std::vector<std::string>& names, const TablePlace& place) {
    std::vector<std::string> kept;
    for (const std::string& name : names) {
      if (config_.pipeline.KeepsTable(place.service, place.database, place.schema, name, false)) {
        kept.push_back(name);
      }
    }
    return kept;
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
