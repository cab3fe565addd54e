// cairn: the data catalog for dbt users. Parses the command line and maps
// every failure to a message on stderr and an exit code (core/error.h).
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/auth_commands.h"
#include "cli/commands.h"
#include "cli/credentials_commands.h"
#include "cli/dbt_cloud_commands.h"
#include "cli/tokens_commands.h"
#include "core/error.h"
#include "server/serve.h"

namespace {

constexpr const char* kVersion = "0.1.0";

using cairn::cli::OutputOptions;

void AddDbOption(CLI::App& command, std::string& db) {
  command.add_option(
      "--db", db, "Catalog store: sqlite:PATH or a path (env CAIRN_DB; default sqlite:cairn.db)");
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_default_logger(spdlog::stderr_color_mt("cairn"));
  spdlog::set_pattern("%^%l%$: %v");
  spdlog::set_level(spdlog::level::info);

  CLI::App app{"Cairn: a data catalog for dbt users", "cairn"};
  app.require_subcommand(1);
  app.set_version_flag("--version", kVersion);
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "Log debug detail to stderr");

  std::string db;
  OutputOptions output;

  // cairn ingest -c workflow.yaml | cairn ingest dbt TARGET_DIR
  CLI::App* ingest = app.add_subcommand("ingest", "Ingest metadata into the catalog");
  std::string config_path;
  ingest->add_option("-c,--config", config_path, "Workflow file (YAML, OpenMetadata shape)")
      ->check(CLI::ExistingFile);
  ingest->add_option("--db", db,
                     "Catalog store of a metadata-store sink: sqlite:PATH or a path (env "
                     "CAIRN_DB; default sqlite:cairn.db). Refused with a metadata-rest sink, "
                     "which sends to workflowConfig.openMetadataServerConfig.hostPort");
  ingest->add_flag("--json", output.json, "Print the run report as JSON");
  cairn::cli::IngestDbtOptions dbt_options;
  constexpr const char* kForceHelp =
      "Read and write everything even when the artifacts are byte-identical to the last "
      "successful ingest of the service (which is otherwise skipped and reported unchanged)";
  ingest->add_flag("--force", dbt_options.force, kForceHelp);
  CLI::App* ingest_dbt =
      ingest->add_subcommand("dbt", "Ingest a dbt project's artifacts from a target/ directory");
  ingest_dbt
      ->add_option("directory", dbt_options.directory,
                   "dbt target/ directory, or the project holding it")
      ->required();
  ingest_dbt->add_option(
      "--service", dbt_options.service,
      "Service the project's relations belong to (default: the dbt project name)");
  bool no_tags = false;
  ingest_dbt->add_flag("--no-tags", no_tags, "Do not import dbt tags");
  AddDbOption(*ingest_dbt, db);
  ingest_dbt->add_flag("--json", output.json, "Print the run report as JSON");
  ingest_dbt->add_flag("--force", dbt_options.force, kForceHelp);

  // cairn search QUERY
  CLI::App* search =
      app.add_subcommand("search", "Full-text search over names, descriptions and columns");
  cairn::catalog::SearchQuery query;
  std::vector<std::string> words;
  search->add_option("query", words, "Words to search for; the last one also matches as a prefix")
      ->required();
  search->add_option("--type", query.resource_type,
                     "Only this kind: model, source, seed, snapshot, test, exposure, ...");
  search->add_option("--tag", query.tag, "Only entities with this tag");
  search->add_option("--owner", query.owner, "Only entities with this owner");
  search->add_option("--schema", query.schema, "Only entities in this schema");
  search->add_option("--limit", query.limit, "Results per page")->check(CLI::Range(1, 1000));
  search->add_option("--offset", query.offset, "Results to skip")->check(CLI::NonNegativeNumber);
  AddDbOption(*search, db);
  search->add_flag("--json", output.json, "Print JSON");

  // cairn show FQN
  CLI::App* show =
      app.add_subcommand("show", "Show a table or dbt resource: columns, tests, history");
  std::string fqn;
  show->add_option("fqn", fqn, "service.database.schema.table, or a dbt unique_id")->required();
  AddDbOption(*show, db);
  show->add_flag("--json", output.json, "Print JSON");

  // cairn lineage FQN
  CLI::App* lineage =
      app.add_subcommand("lineage", "Walk the lineage graph from a table or dbt resource");
  cairn::catalog::LineageQuery lineage_query;
  lineage->add_option("fqn", lineage_query.fqn, "service.database.schema.table, or a dbt unique_id")
      ->required();
  bool upstream = false;
  bool downstream = false;
  lineage->add_flag("--upstream", upstream, "Only what it reads from");
  lineage->add_flag("--downstream", downstream, "Only what reads from it");
  lineage->add_option("--depth", lineage_query.depth, "Hops to follow (default 1)")
      ->check(CLI::Range(1, 100));
  AddDbOption(*lineage, db);
  lineage->add_flag("--json", output.json, "Print JSON");

  // cairn serve
  CLI::App* serve = app.add_subcommand(
      "serve", "Serve the catalog over HTTP: REST API, artifact uploads, service tokens");
  cairn::server::ServeOptions serve_options;
  serve->add_option("--db", db,
                    "Database: sqlite:PATH, a path, or postgresql://… shared by every instance "
                    "(env CAIRN_DB, where a password belongs rather than in arguments; default "
                    "sqlite:cairn.db)");
  serve->add_option("--host", serve_options.host, "Address to listen on")->capture_default_str();
  serve->add_option("--port", serve_options.port, "Port to listen on; 0 picks a free one")
      ->capture_default_str();
  serve->add_option("--threads", serve_options.io_threads, "I/O threads (at least 2)")
      ->check(CLI::Range(2, 256))
      ->capture_default_str();
  serve->add_option("--data-dir", serve_options.data_dir,
                    "Where uploaded artifacts are kept, one per instance (default: cairn-data "
                    "beside an SQLite catalog, ./cairn-data with PostgreSQL)");
  serve->add_option("--tls-cert", serve_options.tls_cert, "PEM certificate chain: serve HTTPS")
      ->check(CLI::ExistingFile);
  serve->add_option("--tls-key", serve_options.tls_key, "PEM private key of --tls-cert")
      ->check(CLI::ExistingFile);
  std::uint64_t max_upload_mb = serve_options.max_upload_bytes >> 20;
  serve->add_option("--max-upload-mb", max_upload_mb, "Largest artifact upload accepted, in MiB")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  serve
      ->add_option("--cache-mb", serve_options.cache_mb,
                   "Memory for cached API responses, in MiB; 0 turns the cache off")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  serve
      ->add_option("--account-id", serve_options.account_id,
                   "Account id of the dbt Cloud-shaped service-token API (/api/v3/accounts/ID/)")
      ->capture_default_str();
  serve
      ->add_option("--bucket-stall-timeout", serve_options.bucket_stall_timeout_seconds,
                   "Bucket syncs: seconds without a byte from the bucket before a request fails "
                   "(and is retried)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  serve
      ->add_option("--bucket-attempts", serve_options.bucket_attempts,
                   "Bucket syncs: tries per request on 5xx, throttling and connection errors")
      ->check(CLI::Range(1, 10))
      ->capture_default_str();

  const cairn::cli::AuthCommands auth_commands(app, *serve, serve_options);
  cairn::cli::CredentialsCommands credentials(app, db);
  cairn::cli::AddTokensCommands(app);
  cairn::cli::AddDbtCloudCommands(app);

  CLI11_PARSE(app, argc, argv);
  if (verbose) spdlog::set_level(spdlog::level::debug);
  if (db.empty()) db = cairn::cli::DefaultDatabase();

  try {
    if (auth_commands.Chosen()) return auth_commands.Run(std::cout);
    if (*ingest_dbt) {
      dbt_options.include_tags = !no_tags;
      return cairn::cli::IngestDbt(dbt_options, db, output);
    }
    if (*ingest) {
      if (config_path.empty()) {
        std::cerr
            << "cairn ingest: give a workflow with -c FILE, or use `cairn ingest dbt TARGET_DIR`\n";
        return 64;
      }
      return cairn::cli::IngestWorkflow(config_path, ingest->count("--db") > 0 ? db : "",
                                        dbt_options.force, output);
    }
    if (*search) {
      for (const std::string& word : words) query.text += (query.text.empty() ? "" : " ") + word;
      return cairn::cli::Search(query, db, output);
    }
    if (*show) return cairn::cli::Show(fqn, db, output);
    if (credentials.chosen()) return credentials.Run();
    if (*serve) {
      if ((serve_options.tls_cert.empty()) != (serve_options.tls_key.empty())) {
        std::cerr << "cairn serve: give both --tls-cert and --tls-key, or neither\n";
        return 64;
      }
      serve_options.db_url = db;
      serve_options.max_upload_bytes = max_upload_mb << 20;
      return cairn::server::Serve(serve_options, std::cout);
    }
    if (*lineage) {
      if (upstream && !downstream)
        lineage_query.direction = cairn::catalog::LineageDirection::kUpstream;
      if (downstream && !upstream)
        lineage_query.direction = cairn::catalog::LineageDirection::kDownstream;
      return cairn::cli::Lineage(lineage_query, db, output);
    }
  } catch (const cairn::Error& e) {
    std::cerr << "cairn: error: " << e.what() << '\n';
    return cairn::ExitCodeFor(e.code());
  } catch (const std::exception& e) {
    std::cerr << "cairn: internal error: " << e.what() << '\n';
    return 70;
  }
  return 0;
}
