#include "cli/dbt_cloud_commands.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "cli/commands.h"
#include "cli/credentials_commands.h"
#include "cloud/dbt_cloud_admin_client.h"
#include "cloud/dbt_cloud_client.h"
#include "connectors/dbt/dbt_cloud_run_source.h"
#include "connectors/dbt/discovery_project.h"
#include "core/error.h"
#include "core/file.h"

namespace cairn::cli {
namespace {

struct RunOptions {
  std::int64_t job_id = 0;
  std::int64_t run_id = 0;  // cancel
  bool wait = false;
  std::string cause = "Triggered by cairn";
  std::string git_branch;
  std::vector<std::string> steps_override;
  int timeout_seconds = 900;
  std::string account_id;
  std::string domain = "cloud.getdbt.com";
  std::string access_url;
  std::string service;
  std::string db;
  bool json = false;
  std::string credentials;     // a credential block's name
  std::string discovery_url;   // overrides the metadata host
  std::string environment_id;  // ingest
  std::string graphql;         // query
  std::string variables = "{}";
};

std::string Database(const RunOptions& options) {
  return options.db.empty() ? DefaultDatabase() : options.db;
}

// The one place credentials come from: a credential block (--credentials
// NAME, key sealed in the catalog), or the flags with the API key from
// DBT_CLOUD_API_KEY only (never argv).
cloud::DbtCloudCredentials ResolveCredentials(const RunOptions& options) {
  if (!options.credentials.empty()) {
    cloud::DbtCloudCredentials credentials =
        LoadDbtCloudCredentials(Database(options), options.credentials);
    if (!options.discovery_url.empty()) credentials.discovery_url = options.discovery_url;
    return credentials;
  }
  cloud::DbtCloudCredentials credentials;
  credentials.account_id = options.account_id;
  if (credentials.account_id.empty()) {
    const char* env = std::getenv("DBT_CLOUD_ACCOUNT_ID");
    if (env != nullptr) credentials.account_id = env;
  }
  if (credentials.account_id.empty()) {
    throw Error(ErrorCode::kInvalidArgument,
                "dbt Cloud: give --account-id or set DBT_CLOUD_ACCOUNT_ID");
  }
  const char* key = std::getenv("DBT_CLOUD_API_KEY");
  if (key == nullptr || *key == '\0') {
    throw Error(ErrorCode::kInvalidArgument, "dbt Cloud: set the API key in DBT_CLOUD_API_KEY");
  }
  credentials.api_key = key;
  credentials.domain = options.domain;
  credentials.access_url = options.access_url;
  credentials.discovery_url = options.discovery_url;
  return credentials;
}

int Run(const RunOptions& options) {
  cloud::DbtCloudAdminClient client(ResolveCredentials(options));
  cloud::TriggerRunRequest request;
  request.cause = options.cause;
  if (!options.git_branch.empty()) request.git_branch = options.git_branch;
  request.steps_override = options.steps_override;
  const nlohmann::json run = client.TriggerRun(options.job_id, request);
  const std::int64_t run_id = run.value("id", std::int64_t{0});
  std::cerr << fmt::format("dbt Cloud: job {} run {} queued\n", options.job_id, run_id);
  if (!options.wait) {
    if (options.json) std::cout << run.dump(2) << '\n';
    return 0;
  }
  cloud::WaitOptions wait;
  wait.timeout = std::chrono::seconds(options.timeout_seconds);
  wait.on_status = [run_id](const nlohmann::json& seen) {
    std::cerr << fmt::format(
        "dbt Cloud: run {}: {}\n", run_id,
        seen.value("status_humanized", std::to_string(seen.value("status", 0))));
  };
  const nlohmann::json done = client.WaitForRun(run_id, wait);
  const int status = done.value("status", 0);
  if (status != cloud::kRunSuccess) {
    throw Error(ErrorCode::kIo,
                fmt::format("dbt Cloud: run {} of job {} ended {}{}", run_id, options.job_id,
                            status == cloud::kRunCancelled ? "cancelled" : "in error",
                            done.contains("href") && done["href"].is_string()
                                ? " (" + done["href"].get<std::string>() + ")"
                                : ""));
  }
  ScopedDirectory target =
      ScopedDirectory::Unique(std::filesystem::temp_directory_path(), "cairn-dbt-cloud-");
  connectors::dbt::DownloadRunArtifacts(client, run_id, target.path());
  IngestDbtOptions ingest;
  ingest.directory = target.path().string();
  ingest.service = options.service;
  return IngestDbt(ingest, Database(options), OutputOptions{.json = options.json});
}

// One GraphQL query against the Discovery API, its whole answer printed.
int Query(const RunOptions& options) {
  nlohmann::json variables = nlohmann::json::parse(options.variables, nullptr, false);
  if (!variables.is_object()) {
    throw Error(ErrorCode::kInvalidArgument,
                "dbt Cloud: --variables must be a JSON object, e.g. '{\"id\": 7}'");
  }
  const cloud::HttpClient http;
  const cloud::DbtCloudClient client =
      cloud::MakeDbtCloudClient(ResolveCredentials(options), "metadata", http);
  std::cout
      << std::get<cloud::DbtCloudDiscoveryClient>(client).Query(options.graphql, variables).dump(2)
      << '\n';
  return 0;
}

// The catalog from an environment's applied state, for when no run's
// artifacts are at hand.
int IngestEnvironment(const RunOptions& options) {
  auto source = connectors::dbt::MakeDiscoverySource(ResolveCredentials(options),
                                                     options.environment_id, options.service,
                                                     /*include_tags=*/true);
  return IngestSource(*source, Database(options), /*force=*/false,
                      OutputOptions{.json = options.json});
}

int ListRuns(const RunOptions& options) {
  cloud::DbtCloudAdminClient client(ResolveCredentials(options));
  cloud::ListRunsQuery query;
  if (options.job_id != 0) query.job_definition_id = options.job_id;
  query.order_by = "-id";
  const std::vector<nlohmann::json> runs = client.ListRuns(query);
  if (options.json) {
    std::cout << nlohmann::json(runs).dump(2) << '\n';
    return 0;
  }
  for (const nlohmann::json& run : runs) {
    std::cout << fmt::format("{}\t{}\t{}\n", run.value("id", std::int64_t{0}),
                             run.value("job_definition_id", std::int64_t{0}),
                             run.value("status_humanized", ""));
  }
  return 0;
}

// A finished run keeps its status: the answer says whether it was stopped.
int CancelRun(const RunOptions& options) {
  cloud::DbtCloudAdminClient client(ResolveCredentials(options));
  const nlohmann::json run = client.CancelRun(options.run_id);
  const int status = run.value("status", 0);
  if (options.json) {
    std::cout << run.dump(2) << '\n';
  } else {
    std::cout << fmt::format("dbt Cloud: run {}: {}\n", options.run_id,
                             run.value("status_humanized", std::to_string(status)));
  }
  if (status != cloud::kRunCancelled && cloud::IsTerminalRunStatus(status)) {
    std::cerr << fmt::format("dbt Cloud: run {} had already finished; nothing was cancelled\n",
                             options.run_id);
  }
  return 0;
}

// Runs `command` mapping cairn::Error to an exit code, as main() does.
void Exit(int (*command)(const RunOptions&), const RunOptions& options) {
  int code = 0;
  try {
    code = command(options);
  } catch (const Error& e) {
    std::cerr << "cairn: error: " << e.what() << '\n';
    code = ExitCodeFor(e.code());
  }
  if (code != 0) throw CLI::RuntimeError(code);
}

// --credentials, and --db where the block is (also where `run` ingests).
void AddCredentialOptions(CLI::App& command, RunOptions& options) {
  command.add_option("--credentials", options.credentials,
                     "Credential block to use (cairn credentials create dbt-cloud NAME)");
  if (command.get_option_no_throw("--db") == nullptr) {
    command.add_option("--db", options.db,
                       "Catalog store URL (default: $CAIRN_DB or sqlite:cairn.db)");
  }
}

// Where the Administrative API is: a block, or the flags.
void AddAdminOptions(CLI::App& command, RunOptions& options) {
  AddCredentialOptions(command, options);
  command.add_option("--account-id", options.account_id,
                     "dbt Cloud account id (default: DBT_CLOUD_ACCOUNT_ID)");
  command.add_option("--domain", options.domain, "Account host")->capture_default_str();
  command.add_option("--access-url", options.access_url,
                     "Full base URL overriding --domain (https://...)");
}

void AddDiscoveryOptions(CLI::App& command, RunOptions& options) {
  command.add_option("--account-id", options.account_id,
                     "dbt Cloud account id (default: DBT_CLOUD_ACCOUNT_ID)");
  command.add_option("--domain", options.domain, "Account host")->capture_default_str();
  command.add_option("--discovery-url", options.discovery_url,
                     "Full GraphQL endpoint overriding the domain's metadata host (https://...)");
}

}  // namespace

void AddDbtCloudCommands(CLI::App& app) {
  CLI::App* cloud = app.add_subcommand("dbt-cloud",
                                       "Work with a dbt Cloud account (a credential block, or "
                                       "the API key from DBT_CLOUD_API_KEY)");
  cloud->require_subcommand(1);
  auto options = std::make_shared<RunOptions>();
  CLI::App* run = cloud->add_subcommand("run",
                                        "Trigger a dbt Cloud job run; with --wait, ingest "
                                        "its artifacts");
  run->add_option("--job-id", options->job_id, "Job to run")->required();
  run->add_flag("--wait", options->wait, "Wait for the run, then ingest its artifacts");
  run->add_option("--cause", options->cause, "Why the run was triggered")->capture_default_str();
  run->add_option("--git-branch", options->git_branch, "Branch to check out");
  run->add_option("--steps-override", options->steps_override,
                  "A dbt command replacing the job's steps (repeatable)");
  run->add_option("--timeout", options->timeout_seconds, "Seconds --wait waits at most")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  AddAdminOptions(*run, *options);
  run->add_option("--service", options->service,
                  "Service the project's relations belong to (default: the dbt project name)");
  run->add_flag("--json", options->json, "Print the run (or the ingest report) as JSON");
  run->callback([options] { Exit(Run, *options); });

  auto list = std::make_shared<RunOptions>();
  CLI::App* runs = cloud->add_subcommand("runs", "List the account's runs, newest first");
  runs->add_option("--job-id", list->job_id, "Only this job's runs");
  AddAdminOptions(*runs, *list);
  runs->add_flag("--json", list->json, "Print the runs as JSON");
  runs->callback([list] { Exit(ListRuns, *list); });

  auto stop = std::make_shared<RunOptions>();
  CLI::App* cancel = cloud->add_subcommand("cancel", "Cancel a queued or running job run");
  cancel->add_option("--run-id", stop->run_id, "The run to cancel")
      ->required()
      ->check(CLI::PositiveNumber);
  AddAdminOptions(*cancel, *stop);
  cancel->add_flag("--json", stop->json, "Print the run as JSON");
  cancel->callback([stop] { Exit(CancelRun, *stop); });

  auto query = std::make_shared<RunOptions>();
  CLI::App* graphql = cloud->add_subcommand(
      "query", "Send one GraphQL query to the Discovery API and print the JSON answer");
  graphql->add_option("GRAPHQL", query->graphql, "The query")->required();
  graphql->add_option("--variables", query->variables, "Its variables, a JSON object")
      ->capture_default_str();
  AddCredentialOptions(*graphql, *query);
  AddDiscoveryOptions(*graphql, *query);
  graphql->callback([query] { Exit(Query, *query); });

  auto environment = std::make_shared<RunOptions>();
  CLI::App* ingest = cloud->add_subcommand(
      "ingest",
      "Build the catalog from an environment's applied state (Discovery API), without artifacts");
  ingest->add_option("--environment-id", environment->environment_id, "The dbt Cloud environment")
      ->required();
  ingest->add_option("--service", environment->service,
                     "Service the project's relations belong to (default: the dbt project name)");
  AddCredentialOptions(*ingest, *environment);
  AddDiscoveryOptions(*ingest, *environment);
  ingest->add_flag("--json", environment->json, "Print the ingest report as JSON");
  ingest->callback([environment] { Exit(IngestEnvironment, *environment); });
}

}  // namespace cairn::cli
