#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace cairn::catalog::sqlite {

// A prepared statement that is kept for the life of its Connection and reused.
// Text is bound without copying: the caller keeps bound strings alive until
// the statement is reset (Exec resets; use StatementScope around Next loops).
// Every SQLite failure throws cairn::Error(kStorage).
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Positional binds, 1-based; empty optionals bind NULL.
  Statement& Bind(int index, std::string_view text);
  // Copies the text: for temporaries that die before the statement runs.
  Statement& BindCopy(int index, std::string_view text);
  Statement& Bind(int index, std::int64_t value);
  Statement& Bind(int index, int value) { return Bind(index, static_cast<std::int64_t>(value)); }
  Statement& Bind(int index, double value);
  Statement& Bind(int index, const std::optional<std::int64_t>& value);
  Statement& Bind(int index, const std::optional<double>& value);
  Statement& BindNull(int index);

  // Steps to the next row; false when done.
  bool Next();
  // Runs to completion and resets.
  void Exec();
  void Reset();

  std::string_view Text(int column) const;
  std::string String(int column) const { return std::string(Text(column)); }
  std::int64_t Int64(int column) const;
  double Double(int column) const;
  bool IsNull(int column) const;
  std::optional<std::int64_t> OptionalInt64(int column) const;
  std::optional<double> OptionalDouble(int column) const;

 private:
  [[noreturn]] void Fail(int rc) const;

  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// Resets a statement when a query loop ends, normally or by an exception, so
// it never holds a read transaction open.
class StatementScope {
 public:
  explicit StatementScope(Statement& statement) : statement_(statement) {}
  ~StatementScope() { statement_.Reset(); }
  StatementScope(const StatementScope&) = delete;
  StatementScope& operator=(const StatementScope&) = delete;
  Statement& operator*() { return statement_; }
  Statement* operator->() { return &statement_; }

 private:
  Statement& statement_;
};

// One SQLite connection with its statement cache. Statements are looked up by
// the address of their SQL text, so callers pass static constants.
class Connection {
 public:
  explicit Connection(const std::string& path);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements without results (DDL, PRAGMA, BEGIN).
  void Exec(std::string_view sql);
  // A cached prepared statement for a static SQL constant, reset and ready.
  Statement& Prepare(const char* sql);
  // Ends the open transaction, if any, ignoring errors: for cleanup paths
  // that must not throw over the original failure.
  void RollbackQuietly() noexcept;
  // A single integer result, e.g. of a PRAGMA.
  std::int64_t QueryInt(const std::string& sql);

  std::int64_t LastInsertRowid() const;
  std::int64_t Changes() const;
  sqlite3* handle() { return db_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
  std::unordered_map<const char*, std::unique_ptr<Statement>> statements_;
};

// cairn::Error(kStorage) for an SQLite failure, naming what was being done.
[[noreturn]] void ThrowStorageError(sqlite3* db, int rc, std::string_view doing);

}  // namespace cairn::catalog::sqlite
