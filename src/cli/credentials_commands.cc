#include "cli/credentials_commands.h"

#include <fmt/format.h>
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "auth/credential_store.h"
#include "catalog/postgres/connection.h"
#include "catalog/store.h"
#include "core/error.h"
#include "core/secret_cipher.h"

namespace cairn::cli {
namespace {

constexpr const char* kApiKeyVariable = "DBT_CLOUD_API_KEY";

// The catalog's credential blocks, opened as `cairn serve` opens them: the
// same database and secret key.
class CatalogCredentials {
 public:
  explicit CatalogCredentials(const std::string& db)
      : cipher_(auth::ServerSecretKey(db)), store_(Migrated(db)), blocks_(*store_, cipher_) {}

  auth::CredentialBlocks& blocks() { return blocks_; }

 private:
  static std::unique_ptr<auth::CredentialStore> Migrated(const std::string& db) {
    // A PostgreSQL store migrates its database itself; an SQLite file is
    // created and migrated by opening the catalog.
    if (!catalog::postgres::IsPostgresUrl(db)) catalog::OpenStore(db);
    return auth::OpenCredentialStore(db);
  }

  SecretCipher cipher_;
  std::unique_ptr<auth::CredentialStore> store_;
  auth::CredentialBlocks blocks_;
};

// Turns the terminal's echo off while a key is typed, and back on after.
class EchoOff {
 public:
  EchoOff() {
    if (::tcgetattr(STDIN_FILENO, &saved_) != 0) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    active_ = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
  }
  ~EchoOff() {
    if (active_) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

 private:
  termios saved_{};
  bool active_ = false;
};

std::string TrimmedLine(std::string_view line) {
  const char* space = " \t\r\n";
  std::size_t first = line.find_first_not_of(space);
  if (first == std::string_view::npos) return "";
  return std::string(line.substr(first, line.find_last_not_of(space) - first + 1));
}

// DBT_CLOUD_API_KEY when set, else one line of stdin (typed without echo on
// a terminal): never argv, which every user of the machine can read.
std::string ReadApiKey(const std::string& name) {
  std::string key;
  if (const char* from_env = std::getenv(kApiKeyVariable)) {
    key = TrimmedLine(from_env);
  } else if (::isatty(STDIN_FILENO) != 0) {
    std::cerr << fmt::format("dbt Cloud API key for '{}' (not shown): ", name) << std::flush;
    {
      EchoOff quiet;
      std::getline(std::cin, key);
    }
    std::cerr << '\n';
    key = TrimmedLine(key);
  } else {
    std::getline(std::cin, key);
    key = TrimmedLine(key);
  }
  if (key.empty()) {
    throw Error(
        ErrorCode::kInvalidArgument,
        fmt::format("the API key is empty: set {} or give the key on stdin", kApiKeyVariable));
  }
  return key;
}

void PrintBlock(const auth::CredentialBlock& block) {
  std::cout << fmt::format("{}\n  type:          {}\n  account id:    {}\n  domain:        {}\n",
                           block.name, block.type, block.account_id, block.domain);
  if (!block.access_url.empty())
    std::cout << fmt::format("  access URL:    {}\n", block.access_url);
  if (!block.discovery_url.empty()) {
    std::cout << fmt::format("  discovery URL: {}\n", block.discovery_url);
  }
  std::cout << fmt::format("  API key:       {}\n  created:       {}\n  updated:       {}\n",
                           block.masked_api_key, block.created_at, block.updated_at);
}

void PrintList(const std::vector<auth::CredentialBlock>& blocks) {
  if (blocks.empty()) {
    std::cout << "No credential blocks (cairn credentials create dbt-cloud NAME --account-id "
                 "ID)\n";
    return;
  }
  std::cout << fmt::format("{:<24} {:<10} {:<12} {:<24} {}\n", "NAME", "TYPE", "ACCOUNT", "DOMAIN",
                           "API KEY");
  for (const auth::CredentialBlock& block : blocks) {
    std::cout << fmt::format("{:<24} {:<10} {:<12} {:<24} {}\n", block.name, block.type,
                             block.account_id, block.domain, block.masked_api_key);
  }
}

void PrintJson(const nlohmann::json& value) {
  std::cout << value.dump(2) << '\n';
}

}  // namespace

CredentialsCommands::CredentialsCommands(CLI::App& app, std::string& db) : db_(db) {
  credentials_ = app.add_subcommand(
      "credentials", "Named credential blocks (dbt Cloud API keys), kept sealed in the catalog");
  credentials_->require_subcommand(1);
  auto common = [this](CLI::App& command) {
    command.add_option("--db", db_,
                       "Catalog store: sqlite:PATH, a path, or postgresql://… (env CAIRN_DB; "
                       "default sqlite:cairn.db)");
    command.add_flag("--json", json_, "Print JSON");
  };

  create_ = credentials_->add_subcommand(
      "create",
      fmt::format("Create a block; the API key is read from {} or stdin, never from arguments",
                  kApiKeyVariable));
  create_->add_option("type", type_, "Block type: dbt-cloud")->required();
  create_->add_option("name", name_, "Block name (letters, digits, '.', '_', '-')")->required();
  create_->add_option("--account-id", fields_.account_id, "dbt Cloud account id")->required();
  create_->add_option("--domain", fields_.domain, "dbt Cloud host")->capture_default_str();
  create_->add_option("--access-url", fields_.access_url,
                      "Base URL of the account's API, when not https://DOMAIN");
  create_->add_option("--discovery-url", fields_.discovery_url,
                      "URL of the Discovery (metadata) API, when not the domain's");
  common(*create_);

  list_ = credentials_->add_subcommand("list", "List the blocks (keys masked)");
  common(*list_);
  show_ = credentials_->add_subcommand("show", "Show one block (key masked)");
  show_->add_option("name", name_, "Block name")->required();
  common(*show_);
  delete_ = credentials_->add_subcommand("delete", "Delete a block and its key");
  delete_->add_option("name", name_, "Block name")->required();
  common(*delete_);
}

bool CredentialsCommands::chosen() const {
  return credentials_->parsed();
}

int CredentialsCommands::Run() const {
  if (*create_) {
    auth::CheckCredentialType(type_);  // before waiting for a key
    cloud::DbtCloudCredentials fields = fields_;
    fields.api_key = ReadApiKey(name_);
    CatalogCredentials catalog(db_);
    auth::CredentialBlock block = catalog.blocks().Create(type_, name_, fields);
    if (json_) {
      PrintJson(auth::CredentialBlockJson(block));
    } else {
      std::cout << fmt::format("Created credential block {} ({}, account {}, key {})\n", block.name,
                               block.type, block.account_id, block.masked_api_key);
    }
    return 0;
  }
  CatalogCredentials catalog(db_);
  if (*list_) {
    std::vector<auth::CredentialBlock> blocks = catalog.blocks().List();
    if (!json_) {
      PrintList(blocks);
      return 0;
    }
    nlohmann::json items = nlohmann::json::array();
    for (const auto& block : blocks) items.push_back(auth::CredentialBlockJson(block));
    PrintJson({{"items", std::move(items)}});
  } else if (*show_) {
    auth::CredentialBlock block = catalog.blocks().Get(name_);
    if (json_) {
      PrintJson(auth::CredentialBlockJson(block));
    } else {
      PrintBlock(block);
    }
  } else if (*delete_) {
    catalog.blocks().Delete(name_);
    if (json_) {
      PrintJson({{"deleted", name_}});
    } else {
      std::cout << fmt::format("Deleted credential block {}\n", name_);
    }
  }
  return 0;
}

cloud::DbtCloudCredentials LoadDbtCloudCredentials(const std::string& db, const std::string& name) {
  CatalogCredentials catalog(db);
  return catalog.blocks().DbtCloud(name);
}

}  // namespace cairn::cli
