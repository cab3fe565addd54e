#pragma once

#include <string>

#include "cloud/dbt_cloud_credentials.h"

namespace CLI {
class App;
}

namespace cairn::cli {

// `cairn credentials create|list|show|delete`: named credential blocks in
// the catalog file, keys sealed with the same secret key `cairn serve` uses
// (CAIRN_SECRET_KEY, else <catalog>.secret-key), so that both read the same
// blocks. A key is read from DBT_CLOUD_API_KEY or stdin, never from argv.
class CredentialsCommands {
 public:
  // Adds the subcommands to `app`; `db` is the catalog URL main() fills in
  // (--db, CAIRN_DB or the default) before Run().
  CredentialsCommands(CLI::App& app, std::string& db);

  // Whether the command line chose `cairn credentials ...`.
  bool chosen() const;
  // Runs the chosen subcommand; the exit code, or throws cairn::Error.
  int Run() const;

 private:
  CLI::App* credentials_ = nullptr;
  CLI::App* create_ = nullptr;
  CLI::App* list_ = nullptr;
  CLI::App* show_ = nullptr;
  CLI::App* delete_ = nullptr;
  std::string& db_;
  std::string type_;
  std::string name_;
  cloud::DbtCloudCredentials fields_;
  bool json_ = false;
};

// The dbt Cloud credentials of block `name` in the catalog `db`, its key
// opened: what `cairn dbt-cloud ... --credentials NAME` and `cairn tokens
// rotate` use. kNotFound naming the block and those there are.
cloud::DbtCloudCredentials LoadDbtCloudCredentials(const std::string& db, const std::string& name);

}  // namespace cairn::cli
