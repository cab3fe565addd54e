#pragma once

#include <CLI/CLI.hpp>

// cairn dbt-cloud ...: commands against a dbt Cloud account's
// Administrative API (docs/dbt-cloud.md).
namespace cairn::cli {

// Adds `dbt-cloud` and its subcommands to `app`; each runs from its own
// callback and maps cairn::Error to the CLI's exit codes.
void AddDbtCloudCommands(CLI::App& app);

}  // namespace cairn::cli
