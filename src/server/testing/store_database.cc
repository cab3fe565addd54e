#include "server/testing/store_database.h"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>

#include "catalog/postgres/connection.h"
#include "catalog/postgres/migrations.h"
#include "catalog/postgres/test_database.h"
#include "catalog/store.h"
#include "core/file.h"

namespace cairn::testing {
namespace {

namespace fs = std::filesystem;
namespace postgres = catalog::postgres;

class SqliteDatabase final : public StoreDatabase {
 public:
  SqliteDatabase() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            fmt::format("cairn_stores_{}_{}.db", ::getpid(), counter.fetch_add(1));
    url_ = "sqlite:" + path_.string();
    catalog::OpenStore(url_);  // creates and migrates the file
  }
  ~SqliteDatabase() override {
    std::error_code ignored;
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path_.string() + suffix, ignored);
  }
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;

  const std::string& url() const override { return url_; }

  std::string ContentsAtRest() const override {
    std::string bytes;
    for (const char* suffix : {"", "-wal"}) {
      if (fs::exists(path_.string() + suffix)) bytes += ReadFile(path_.string() + suffix);
    }
    return bytes;
  }

 private:
  fs::path path_;
  std::string url_;
};

constexpr const char* kTables =
    "SELECT quote_ident(table_name) FROM information_schema.tables "
    "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name";

class PostgresDatabase final : public StoreDatabase {
 public:
  PostgresDatabase() : url_(postgres::testing::NewTestDatabase()) {
    postgres::Connection db(url_);
    postgres::Migrate(db);
  }

  const std::string& url() const override { return url_; }

  std::string ContentsAtRest() const override {
    postgres::Connection db(url_);
    postgres::Rows tables = db.Query(kTables);
    std::string text;
    for (int table = 0; table < tables.size(); ++table) {
      postgres::Rows rows =
          db.QueryDynamic(fmt::format("SELECT t::text FROM {} t", tables.Text(table, 0)));
      for (int row = 0; row < rows.size(); ++row) text.append(rows.Text(row, 0)).append("\n");
    }
    return text;
  }

 private:
  std::string url_;
};

}  // namespace

StoreBackend SqliteBackend() {
  return {.name = "SQLite", .create = []() -> std::unique_ptr<StoreDatabase> {
            return std::make_unique<SqliteDatabase>();
          }};
}

StoreBackend PostgresBackend() {
  return {.name = "PostgreSQL", .create = []() -> std::unique_ptr<StoreDatabase> {
            return std::make_unique<PostgresDatabase>();
          }};
}

std::string BackendName(const ::testing::TestParamInfo<StoreBackend>& info) {
  return info.param.name;
}

}  // namespace cairn::testing
