#include "catalog/sqlite/connection.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include "core/error.h"

namespace cairn::catalog::sqlite {

void ThrowStorageError(sqlite3* db, int rc, std::string_view doing) {
  const char* detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  throw Error(ErrorCode::kStorage, fmt::format("sqlite: {}: {}", doing, detail));
}

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK) {
    ThrowStorageError(db, rc, fmt::format("preparing \"{}\"", sql.substr(0, 80)));
  }
}

Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

void Statement::Fail(int rc) const {
  const char* sql = sqlite3_sql(stmt_);
  ThrowStorageError(db_, rc, fmt::format("\"{}\"", std::string_view(sql).substr(0, 80)));
}

Statement& Statement::Bind(int index, std::string_view text) {
  // SQLite treats a null pointer as NULL; an empty string must stay ''.
  const char* data = text.data() != nullptr ? text.data() : "";
  int rc = sqlite3_bind_text(stmt_, index, data, static_cast<int>(text.size()), SQLITE_STATIC);
  if (rc != SQLITE_OK) Fail(rc);
  return *this;
}

Statement& Statement::BindCopy(int index, std::string_view text) {
  const char* data = text.data() != nullptr ? text.data() : "";
  int rc = sqlite3_bind_text(stmt_, index, data, static_cast<int>(text.size()), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) Fail(rc);
  return *this;
}

Statement& Statement::Bind(int index, std::int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) Fail(rc);
  return *this;
}

Statement& Statement::Bind(int index, double value) {
  int rc = sqlite3_bind_double(stmt_, index, value);
  if (rc != SQLITE_OK) Fail(rc);
  return *this;
}

Statement& Statement::Bind(int index, const std::optional<std::int64_t>& value) {
  return value ? Bind(index, *value) : BindNull(index);
}

Statement& Statement::Bind(int index, const std::optional<double>& value) {
  return value ? Bind(index, *value) : BindNull(index);
}

Statement& Statement::BindNull(int index) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) Fail(rc);
  return *this;
}

bool Statement::Next() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3_reset(stmt_);
  Fail(rc);
}

void Statement::Exec() {
  while (Next()) {
  }
  Reset();
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
}

std::string_view Statement::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  return {reinterpret_cast<const char*>(text),
          static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
}

std::int64_t Statement::Int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

double Statement::Double(int column) const {
  return sqlite3_column_double(stmt_, column);
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::optional<std::int64_t> Statement::OptionalInt64(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Int64(column);
}

std::optional<double> Statement::OptionalDouble(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Double(column);
}

namespace {

// SQLite counts every allocation under one process-wide mutex unless told
// not to, and Cairn never reads those counts (perf: ~3% of a 10k-model
// ingest in pthread_mutex_lock/unlock). Settable only before SQLite
// initializes, which the first connection does; later calls are refused
// harmlessly.
void ConfigureSqliteOnce() {
  static const int kConfigured = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)kConfigured;
}

}  // namespace

Connection::Connection(const std::string& path) : path_(path) {
  ConfigureSqliteOnce();
  int rc =
      sqlite3_open_v2(path.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string detail = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw Error(ErrorCode::kStorage, fmt::format("sqlite: opening {}: {}", path, detail));
  }
  sqlite3_extended_result_codes(db_, 1);
}

Connection::~Connection() {
  statements_.clear();
  sqlite3_close_v2(db_);
}

void Connection::Exec(std::string_view sql) {
  std::string text(sql);
  char* message = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string detail = message != nullptr ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    throw Error(ErrorCode::kStorage,
                fmt::format("sqlite: \"{}\": {}", std::string_view(text).substr(0, 80), detail));
  }
}

void Connection::RollbackQuietly() noexcept {
  if (sqlite3_get_autocommit(db_) == 0) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

Statement& Connection::Prepare(const char* sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    it = statements_.emplace(sql, std::make_unique<Statement>(db_, sql)).first;
  }
  it->second->Reset();
  return *it->second;
}

std::int64_t Connection::QueryInt(const std::string& sql) {
  Statement statement(db_, sql);
  if (!statement.Next()) {
    throw Error(ErrorCode::kStorage, fmt::format("sqlite: \"{}\" returned no row", sql));
  }
  return statement.Int64(0);
}

std::int64_t Connection::LastInsertRowid() const {
  return sqlite3_last_insert_rowid(db_);
}

std::int64_t Connection::Changes() const {
  return sqlite3_changes64(db_);
}

}  // namespace cairn::catalog::sqlite
