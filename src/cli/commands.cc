#include "cli/commands.h"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <iostream>
#include <thread>

#include "catalog/model_json.h"
#include "catalog/store.h"
#include "cli/catalog_printer.h"
#include "cli/progress.h"
#include "connectors/dbt/dbt_source.h"
#include "core/error.h"
#include "ingest/workflow.h"

namespace cairn::cli {
namespace {

// `server` is the base URL of the Cairn server a metadata-rest sink sent to,
// empty for the local store.
void ReportIngest(const ingest::IngestReport& report, const catalog::CatalogCounts& totals,
                  const OutputOptions& output, const std::string& server = "") {
  if (output.json) {
    nlohmann::json out = {
        {"service", report.service},         {"unchanged", report.unchanged},
        {"tables_seen", report.tables_seen}, {"nodes_seen", report.nodes_seen},
        {"filtered", report.filtered},       {"applied", catalog::ToJson(report.applied)},
        {"warnings", report.warnings},       {"elapsed_seconds", report.elapsed_seconds},
        {"catalog", catalog::ToJson(totals)}};
    if (!server.empty()) out["server"] = server;
    std::cout << out.dump(2) << '\n';
    return;
  }
  PrintIngestReport(report, totals, std::cout);
  if (!server.empty()) std::cout << "Sent to the Cairn server at " << server << '\n';
}

// The metadata-rest sink: no local store is opened, so --db has nothing to
// name and is refused rather than silently ignored.
int IngestToServer(const ingest::WorkflowConfig& config, const std::string& db_override,
                   const OutputOptions& output) {
  const std::string& server = config.rest_sink->base_url;
  if (!db_override.empty()) {
    throw Error(ErrorCode::kInvalidArgument,
                "--db names a local store, but this workflow's sink is metadata-rest (the Cairn "
                "server at " +
                    server + "); drop --db");
  }
  TerminalProgress progress;
  const ingest::RemoteIngestReport remote = ingest::RunWorkflowToServer(config, progress);
  ReportIngest(remote.report, remote.catalog, output, server);
  return 0;
}

void ApplyLoggerLevel(const std::string& level) {
  if (level == "DEBUG") spdlog::set_level(spdlog::level::debug);
  if (level == "WARN") spdlog::set_level(spdlog::level::warn);
  if (level == "ERROR") spdlog::set_level(spdlog::level::err);
}

// `cairn ingest` ends right after the report: the snapshot is freed on a
// thread nobody waits for, beside the counts and the store's close, and
// whatever is left of it goes with the process.
void FreeInBackground(catalog::ServiceSnapshot&& snapshot) {
  std::thread([doomed = std::move(snapshot)] {}).detach();
}

}  // namespace

std::string DefaultDatabase() {
  const char* env = std::getenv("CAIRN_DB");
  return env != nullptr && *env != '\0' ? std::string(env) : std::string("sqlite:cairn.db");
}

int IngestWorkflow(const std::string& config_path, const std::string& db_override, bool force,
                   const OutputOptions& output) {
  // Validate the whole config before touching the store: a bad file writes nothing.
  const ingest::WorkflowConfig config = ingest::LoadWorkflowConfig(config_path);
  ApplyLoggerLevel(config.logger_level);
  if (config.rest_sink) return IngestToServer(config, db_override, output);
  const std::string db = !db_override.empty()
                             ? db_override
                             : (!config.sink_db.empty() ? config.sink_db : DefaultDatabase());
  spdlog::debug("workflow {}: source {} for service {}, store {}", config_path,
                config.connector->type, config.service_name, db);
  auto store = catalog::OpenStore(db, {.first_load = true});
  TerminalProgress progress;
  const ingest::IngestReport report =
      ingest::RunWorkflow(config, *store, progress, {.force = force, .dispose = FreeInBackground});
  ReportIngest(report, store->Counts(), output);
  return 0;
}

int IngestDbt(const IngestDbtOptions& options, const std::string& db, const OutputOptions& output) {
  auto source =
      connectors::dbt::MakeDbtSource(connectors::dbt::ArtifactPathsInDirectory(options.directory),
                                     options.service, options.include_tags);
  return IngestSource(*source, db, options.force, output);
}

int IngestSource(connectors::Source& source, const std::string& db, bool force,
                 const OutputOptions& output) {
  auto store = catalog::OpenStore(db, {.first_load = true});
  TerminalProgress progress;
  const ingest::IngestReport report =
      ingest::Ingest(source, *store, progress, {.force = force, .dispose = FreeInBackground});
  ReportIngest(report, store->Counts(), output);
  return 0;
}

int Search(const catalog::SearchQuery& query, const std::string& db, const OutputOptions& output) {
  auto store = catalog::OpenStore(db);
  const catalog::SearchPage page = store->Search(query);
  if (output.json) {
    std::cout << catalog::ToJson(page).dump(2) << '\n';
  } else {
    PrintSearchPage(page, query, std::cout);
  }
  return page.hits.empty() ? 1 : 0;
}

int Show(const std::string& fqn, const std::string& db, const OutputOptions& output) {
  auto store = catalog::OpenStore(db);
  const std::optional<catalog::EntityDetail> entity = store->Get(fqn);
  if (!entity) {
    throw Error(ErrorCode::kNotFound,
                "no table or dbt resource '" + fqn + "' (try `cairn search` to find its FQN)");
  }
  if (output.json) {
    std::cout << catalog::ToJson(*entity).dump(2) << '\n';
  } else {
    PrintEntity(*entity, std::cout);
  }
  return 0;
}

int Lineage(const catalog::LineageQuery& query, const std::string& db,
            const OutputOptions& output) {
  auto store = catalog::OpenStore(db);
  const catalog::LineageGraph graph = store->Lineage(query);
  if (!graph.found) {
    throw Error(ErrorCode::kNotFound, "no table or dbt resource '" + query.fqn + "'");
  }
  if (output.json) {
    std::cout << catalog::ToJson(graph).dump(2) << '\n';
  } else {
    PrintLineage(graph, std::cout);
  }
  return 0;
}

}  // namespace cairn::cli
