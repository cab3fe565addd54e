#include "connectors/sqlite/sqlite_source.h"

#include <fmt/format.h>
#include <re2/re2.h>
#include <sqlite3.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <utility>

#include "catalog/sqlite/connection.h"
#include "connectors/database_pipeline.h"
#include "connectors/relational.h"
#include "core/error.h"

namespace cairn::connectors::sqlite {
namespace {

using catalog::sqlite::Statement;
using nlohmann::json;

constexpr const char* kSchemaName = "main";

constexpr const char* kRelations = R"sql(
SELECT type, name, coalesce(sql, '') FROM sqlite_schema
WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name
)sql";
// Hidden columns of virtual tables (1) are not the table's; generated ones
// (2, 3) are.
constexpr const char* kColumns = R"sql(
SELECT name, type, "notnull", coalesce(dflt_value, ''), pk FROM pragma_table_xinfo(?1)
WHERE hidden <> 1 ORDER BY cid
)sql";
constexpr const char* kForeignKeys = R"sql(
SELECT id, "table", "from", "to" FROM pragma_foreign_key_list(?1) ORDER BY id, seq
)sql";
constexpr const char* kPrimaryKey =
    "SELECT name FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk";

struct DatabaseCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};

// The SELECT of a CREATE VIEW statement, as PostgreSQL reports a view's.
std::string ViewSelect(const std::string& create) {
  static const RE2 kCreateView(
      R"((?is)\s*CREATE\s+(?:TEMP\s+|TEMPORARY\s+)?VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?.*?\s+AS\s+)");
  re2::StringPiece rest(create);
  return RE2::Consume(&rest, kCreateView) ? std::string(rest.data(), rest.size()) : create;
}

class SqliteSource : public Source {
 public:
  SqliteSource(std::string service, const json& connection, DatabasePipeline pipeline)
      : service_(std::move(service)),
        path_(connection.at("databaseMode").get<std::string>()),
        database_(connection.value("database", std::filesystem::path(path_).stem().string())),
        pipeline_(std::move(pipeline)) {}

  catalog::ServiceSnapshot Read(ProgressListener& progress) override {
    catalog::ServiceSnapshot snapshot;
    snapshot.service = service_;
    snapshot.service_type = "sqlite";
    snapshot.origin = "sqlite";
    snapshot.missing_tables = pipeline_.missing_tables();
    snapshot.read_schemas.emplace();
    if (!pipeline_.KeepsDatabase(service_, database_) ||
        !pipeline_.KeepsSchema(service_, database_, kSchemaName)) {
      return snapshot;
    }
    snapshot.read_schemas->push_back({.database = database_, .schema = kSchemaName});
    progress.PhaseStarted("reading " + path_, 0);
    std::unique_ptr<sqlite3, DatabaseCloser> db = Open();
    std::vector<Relation> relations;
    {
      Statement list(db.get(), kRelations);
      while (list.Next()) {
        Relation relation;
        relation.database = database_;
        relation.schema = kSchemaName;
        relation.kind = list.Text(0) == "view" ? "view" : "table";
        relation.name = list.String(1);
        if (!pipeline_.KeepsTable(service_, database_, kSchemaName, relation.name,
                                  IsView(relation))) {
          continue;
        }
        if (IsView(relation)) relation.definition = ViewSelect(list.String(2));
        relations.push_back(std::move(relation));
      }
    }
    for (Relation& relation : relations) {
      ReadColumns(db.get(), relation);
      ReadForeignKeys(db.get(), relation);
      snapshot.tables.push_back(ToCatalogTable(service_, relation));
    }
    progress.PhaseFinished("reading " + path_);
    return snapshot;
  }

  std::vector<std::string> Warnings() const override { return {}; }
  std::int64_t Filtered() const override { return pipeline_.filtered(); }

 private:
  std::unique_ptr<sqlite3, DatabaseCloser> Open() const {
    if (path_ == ":memory:") {
      throw Error(ErrorCode::kInvalidConfig,
                  "an in-memory SQLite database is always empty: give the file's path",
                  {.json_path = "$.source.serviceConnection.config.databaseMode"});
    }
    if (!std::filesystem::exists(path_)) {
      throw Error(ErrorCode::kNotFound, "no such SQLite file", {.file = path_});
    }
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(path_.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
    std::unique_ptr<sqlite3, DatabaseCloser> db(raw);
    if (rc != SQLITE_OK) {
      throw Error(ErrorCode::kIo, fmt::format("cannot open: {}", sqlite3_errmsg(raw)),
                  {.file = path_});
    }
    sqlite3_busy_timeout(db.get(), 5000);
    return db;
  }

  static void ReadColumns(sqlite3* db, Relation& relation) {
    Statement columns(db, kColumns);
    columns.Bind(1, relation.name);
    std::vector<std::pair<std::int64_t, std::string>> key;  // (position in key, name)
    while (columns.Next()) {
      relation.columns.push_back({.name = columns.String(0),
                                  .data_type = columns.String(1),
                                  .nullable = columns.Int64(2) == 0,
                                  .default_value = columns.String(3)});
      if (columns.Int64(4) > 0) key.emplace_back(columns.Int64(4), columns.String(0));
    }
    std::sort(key.begin(), key.end());
    for (auto& [position, name] : key) relation.primary_key.push_back(std::move(name));
  }

  void ReadForeignKeys(sqlite3* db, Relation& relation) const {
    Statement keys(db, kForeignKeys);
    keys.Bind(1, relation.name);
    std::int64_t current = -1;
    while (keys.Next()) {
      if (keys.Int64(0) != current) {
        current = keys.Int64(0);
        relation.foreign_keys.push_back(
            {.database = database_, .schema = kSchemaName, .table = keys.String(1)});
      }
      ForeignKey& key = relation.foreign_keys.back();
      key.columns.push_back(keys.String(2));
      if (!keys.IsNull(3)) key.referenced_columns.push_back(keys.String(3));
    }
    // REFERENCES parent without columns means the parent's primary key.
    for (ForeignKey& key : relation.foreign_keys) {
      if (!key.referenced_columns.empty()) continue;
      Statement parent(db, kPrimaryKey);
      parent.Bind(1, key.table);
      while (parent.Next()) key.referenced_columns.push_back(parent.String(0));
    }
  }

  std::string service_;
  std::string path_;
  std::string database_;
  DatabasePipeline pipeline_;
};

}  // namespace

Connector SqliteConnector() {
  return DatabaseConnector<SqliteSource>("sqlite", "connectors/sqlite.json");
}

}  // namespace cairn::connectors::sqlite
