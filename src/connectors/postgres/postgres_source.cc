#include "connectors/postgres/postgres_source.h"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <utility>

#include "connectors/database_pipeline.h"
#include "connectors/relational.h"
#include "core/error.h"

namespace cairn::connectors::postgres {
namespace {

using nlohmann::json;

// Schemas of PostgreSQL itself, never the user's.
constexpr const char* kSchemas = R"sql(
SELECT nspname FROM pg_namespace
WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND nspname NOT LIKE 'pg_temp_%' AND nspname NOT LIKE 'pg_toast_temp_%'
ORDER BY nspname
)sql";

// Partitions are left out: their parent (relkind 'p') stands for them.
// reltuples is -1 for a table never analyzed.
constexpr const char* kRelations = R"sql(
SELECT c.oid, n.nspname, c.relname, c.relkind,
       coalesce(obj_description(c.oid, 'pg_class'), ''),
       CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid, true) ELSE '' END,
       c.reltuples::bigint,
       CASE WHEN c.relkind IN ('r', 'm', 'p') THEN pg_total_relation_size(c.oid) END
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p') AND NOT c.relispartition
  AND n.nspname = ANY($1::text[])
ORDER BY n.nspname, c.relname
)sql";

constexpr const char* kColumns = R"sql(
SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       coalesce(col_description(a.attrelid, a.attnum), ''),
       coalesce(pg_get_expr(d.adbin, d.adrelid), '')
FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum
)sql";

// Key columns in key order, as JSON arrays (names may hold any character).
constexpr const char* kKeys = R"sql(
SELECT con.conrelid, con.contype, con.conname,
       array_to_json(ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(num, ord)
                           JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num
                           ORDER BY k.ord))::text,
       coalesce(fn.nspname, ''), coalesce(fc.relname, ''),
       array_to_json(ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(num, ord)
                           JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num
                           ORDER BY k.ord))::text
FROM pg_constraint con
LEFT JOIN pg_class fc ON fc.oid = con.confrelid
LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
WHERE con.contype IN ('p', 'f') AND con.conrelid = ANY($1::oid[])
ORDER BY con.conrelid, con.conname
)sql";

constexpr const char* kDatabases = R"sql(
SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY datname
)sql";

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

struct ConnectionDeleter {
  void operator()(PGconn* connection) const { PQfinish(connection); }
};

// How to connect, as libpq keywords; the password among them is passed to
// PQconnectdbParams only, so it is never part of a connection string, a
// message or the process list.
using Keywords = std::map<std::string, std::string>;

std::string Trimmed(const char* message) {
  std::string text = message == nullptr ? "" : message;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

class Connection {
 public:
  Connection(const Keywords& keywords, const std::string& where) : where_(where) {
    std::vector<const char*> names;
    std::vector<const char*> values;
    for (const auto& [name, value] : keywords) {
      names.push_back(name.c_str());
      values.push_back(value.c_str());
    }
    names.push_back(nullptr);
    values.push_back(nullptr);
    connection_.reset(PQconnectdbParams(names.data(), values.data(), 0));
    if (PQstatus(connection_.get()) != CONNECTION_OK) {
      throw Error(ErrorCode::kIo, fmt::format("cannot connect to PostgreSQL at {}: {}", where_,
                                              Trimmed(PQerrorMessage(connection_.get()))));
    }
  }

  // Runs `sql` with text parameters; throws naming what was asked.
  Result Query(const char* sql, const std::vector<std::string>& params = {}) const {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const std::string& param : params) values.push_back(param.c_str());
    Result result(PQexecParams(connection_.get(), sql, static_cast<int>(values.size()), nullptr,
                               values.data(), nullptr, nullptr, 0));
    if (PQresultStatus(result.get()) != PGRES_TUPLES_OK) {
      throw Error(ErrorCode::kIo, fmt::format("reading the catalog of {}: {}", where_,
                                              Trimmed(PQerrorMessage(connection_.get()))));
    }
    return result;
  }

  std::string Database() const { return PQdb(connection_.get()); }

 private:
  std::string where_;
  std::unique_ptr<PGconn, ConnectionDeleter> connection_;
};

std::string Text(const Result& result, int row, int column) {
  return PQgetvalue(result.get(), row, column);
}

bool IsNull(const Result& result, int row, int column) {
  return PQgetisnull(result.get(), row, column) != 0;
}

// A PostgreSQL array literal of `items` ("{"a","b"}"), quoting every one.
std::string ArrayLiteral(const std::vector<std::string>& items) {
  std::string out = "{";
  for (const std::string& item : items) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : item) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

const char* KindOf(char relkind) {
  switch (relkind) {
    case 'v':
      return "view";
    case 'm':
      return "materialized_view";
    case 'f':
      return "foreign_table";
    case 'p':
      return "partitioned_table";
    default:
      return "table";
  }
}

std::vector<std::string> JsonNames(const std::string& text) {
  std::vector<std::string> names;
  for (const auto& name : json::parse(text)) names.push_back(name.get<std::string>());
  return names;
}

// One database's relations in the order listed, and where each is by oid.
struct Relations {
  std::vector<Relation> list;
  std::map<std::string, std::size_t> by_oid;
  Relation& At(const std::string& oid) { return list.at(by_oid.at(oid)); }
};

class PostgresSource : public Source {
 public:
  PostgresSource(std::string service, const json& connection, DatabasePipeline pipeline)
      : service_(std::move(service)),
        pipeline_(std::move(pipeline)),
        keywords_(KeywordsFrom(connection)),
        all_databases_(connection.value("ingestAllDatabases", false)) {}

  catalog::ServiceSnapshot Read(ProgressListener& progress) override {
    progress.PhaseStarted("reading PostgreSQL's catalogs", 0);
    catalog::ServiceSnapshot snapshot;
    snapshot.service = service_;
    snapshot.service_type = "postgres";
    snapshot.origin = "postgres";
    snapshot.missing_tables = pipeline_.missing_tables();
    snapshot.read_schemas.emplace();
    Connection first(keywords_, Where(keywords_.at("dbname")));
    std::vector<std::string> databases = {first.Database()};
    if (all_databases_) databases = Column(first.Query(kDatabases), 0);
    for (const std::string& database : databases) {
      if (!pipeline_.KeepsDatabase(service_, database)) continue;
      if (database == first.Database()) {
        ReadDatabase(first, database, snapshot);
      } else {
        Keywords keywords = keywords_;
        keywords["dbname"] = database;
        ReadDatabase(Connection(keywords, Where(database)), database, snapshot);
      }
    }
    progress.PhaseFinished("reading PostgreSQL's catalogs");
    return snapshot;
  }

  std::vector<std::string> Warnings() const override { return {}; }
  std::int64_t Filtered() const override { return pipeline_.filtered(); }

 private:
  static Keywords KeywordsFrom(const json& connection) {
    const std::string host_port = connection.at("hostPort").get<std::string>();
    const std::size_t colon = host_port.rfind(':');
    Keywords keywords = {
        {"host", host_port.substr(0, colon)},
        {"port", colon == std::string::npos ? "5432" : host_port.substr(colon + 1)},
        {"user", connection.at("username").get<std::string>()},
        {"dbname", connection.value("database", "postgres")},
        {"sslmode", connection.value("sslMode", "prefer")},
        {"connect_timeout", std::to_string(connection.value("connectTimeoutSeconds", 10))},
        {"application_name", "cairn"}};
    std::string password = connection.value("password", "");
    if (auto auth = connection.find("authType"); auth != connection.end()) {
      password = auth->value("password", password);
    }
    if (!password.empty()) keywords["password"] = password;
    if (auto ssl = connection.find("sslConfig"); ssl != connection.end()) {
      if (ssl->contains("caCertificate")) keywords["sslrootcert"] = ssl->at("caCertificate");
    }
    if (auto options = connection.find("connectionOptions"); options != connection.end()) {
      for (const auto& [name, value] : options->items()) keywords[name] = value.get<std::string>();
    }
    return keywords;
  }

  // "user@host:port/database", for messages.
  std::string Where(const std::string& database) const {
    return fmt::format("{}@{}:{}/{}", keywords_.at("user"), keywords_.at("host"),
                       keywords_.at("port"), database);
  }

  static std::vector<std::string> Column(const Result& result, int column) {
    const int rows = PQntuples(result.get());
    std::vector<std::string> values;
    values.reserve(static_cast<std::size_t>(rows));
    for (int row = 0; row < rows; ++row) values.push_back(Text(result, row, column));
    return values;
  }

  void ReadDatabase(const Connection& connection, const std::string& database,
                    catalog::ServiceSnapshot& snapshot) {
    std::vector<std::string> schemas;
    for (const std::string& schema : Column(connection.Query(kSchemas), 0)) {
      if (pipeline_.KeepsSchema(service_, database, schema)) schemas.push_back(schema);
    }
    for (const std::string& schema : schemas) {
      snapshot.read_schemas->push_back({.database = database, .schema = schema});
    }
    if (schemas.empty()) return;
    Relations relations = ReadRelations(connection, database, schemas);
    if (relations.list.empty()) return;
    std::vector<std::string> oids;
    for (const auto& [oid, index] : relations.by_oid) oids.push_back(oid);
    const std::string oid_array = ArrayLiteral(oids);
    ReadColumns(connection, oid_array, relations);
    ReadKeys(connection, database, oid_array, relations);
    for (const Relation& relation : relations.list) {
      snapshot.tables.push_back(ToCatalogTable(service_, relation));
    }
  }

  // The kept relations of `schemas`, in schema and name order.
  Relations ReadRelations(const Connection& connection, const std::string& database,
                          const std::vector<std::string>& schemas) {
    Result rows = connection.Query(kRelations, {ArrayLiteral(schemas)});
    Relations relations;
    for (int row = 0; row < PQntuples(rows.get()); ++row) {
      Relation relation;
      relation.database = database;
      relation.schema = Text(rows, row, 1);
      relation.name = Text(rows, row, 2);
      relation.kind = KindOf(Text(rows, row, 3).front());
      if (!pipeline_.KeepsTable(service_, database, relation.schema, relation.name,
                                IsView(relation))) {
        continue;
      }
      relation.comment = Text(rows, row, 4);
      relation.definition = Text(rows, row, 5);
      if (std::int64_t estimate = std::stoll(Text(rows, row, 6));
          estimate >= 0 && !IsView(relation)) {
        relation.row_estimate = estimate;
      }
      if (!IsNull(rows, row, 7)) relation.bytes = std::stoll(Text(rows, row, 7));
      relations.by_oid.emplace(Text(rows, row, 0), relations.list.size());
      relations.list.push_back(std::move(relation));
    }
    return relations;
  }

  static void ReadColumns(const Connection& connection, const std::string& oids,
                          Relations& relations) {
    Result rows = connection.Query(kColumns, {oids});
    for (int row = 0; row < PQntuples(rows.get()); ++row) {
      relations.At(Text(rows, row, 0))
          .columns.push_back({.name = Text(rows, row, 1),
                              .data_type = Text(rows, row, 2),
                              .nullable = Text(rows, row, 3) != "t",
                              .comment = Text(rows, row, 4),
                              .default_value = Text(rows, row, 5)});
    }
  }

  static void ReadKeys(const Connection& connection, const std::string& database,
                       const std::string& oids, Relations& relations) {
    Result rows = connection.Query(kKeys, {oids});
    for (int row = 0; row < PQntuples(rows.get()); ++row) {
      Relation& relation = relations.At(Text(rows, row, 0));
      std::vector<std::string> columns = JsonNames(Text(rows, row, 3));
      if (Text(rows, row, 1) == "p") {
        relation.primary_key = std::move(columns);
        continue;
      }
      relation.foreign_keys.push_back({.name = Text(rows, row, 2),
                                       .columns = std::move(columns),
                                       .database = database,
                                       .schema = Text(rows, row, 4),
                                       .table = Text(rows, row, 5),
                                       .referenced_columns = JsonNames(Text(rows, row, 6))});
    }
  }

  std::string service_;
  DatabasePipeline pipeline_;
  Keywords keywords_;
  bool all_databases_;
};

}  // namespace

Connector PostgresConnector() {
  return DatabaseConnector<PostgresSource>("postgres", "connectors/postgres.json");
}

}  // namespace cairn::connectors::postgres
