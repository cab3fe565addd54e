#pragma once

#include <chrono>
#include <filesystem>
#include <iosfwd>
#include <string>

namespace CLI {
class App;
}
namespace cairn::server {
struct ServeOptions;
}

namespace cairn::cli {

// `cairn auth jwt` (mint an HS256 JWT of Cairn's own for an ingestion bot)
// and the JWT flags of `cairn serve` (--jwt-secret-file, --oidc-*), which
// both read the same secret file. Registers its options on construction;
// lives as long as the parsed command line.
class AuthCommands {
 public:
  AuthCommands(CLI::App& app, CLI::App& serve, server::ServeOptions& serve_options);

  // Whether the command line chose `cairn auth ...`.
  bool Chosen() const;
  // Prints the token on `out` (nothing else, so that it can be piped into
  // a secret file). Returns the exit code; throws cairn::Error.
  int Run(std::ostream& out) const;

 private:
  CLI::App* auth_ = nullptr;
  std::string subject_;
  std::string permission_set_ = "job_admin";
  std::string ttl_ = "30d";
  std::filesystem::path secret_file_;
  std::string permission_claim_;
};

// "90s", "15m", "12h", "30d" or a number of seconds. Throws Error
// kInvalidArgument for anything else or a duration that is not positive.
std::chrono::seconds ParseTtl(const std::string& text);

}  // namespace cairn::cli
