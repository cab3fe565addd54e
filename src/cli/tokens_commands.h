#pragma once

namespace CLI {
class App;
}

// cairn tokens rotate: service-token rotation into a secret store
// (docs/token-rotation.md).
namespace cairn::cli {

// Adds `tokens` and its subcommands to `app`; each runs from its callback
// and maps a failure to a message on stderr and the exit code of its kind.
void AddTokensCommands(CLI::App& app);

}  // namespace cairn::cli
