#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

struct pg_conn;
struct pg_result;

namespace cairn::catalog::postgres {

// Whether `url` names a PostgreSQL database ("postgresql://…" or
// "postgres://…", libpq's connection URIs).
bool IsPostgresUrl(std::string_view url);

// The URL with its password replaced by "****": what messages and logs may
// show of it.
std::string RedactedUrl(std::string_view url);

// The rows of one statement's result, in libpq's text format. Owns the
// PGresult.
class Rows {
 public:
  explicit Rows(pg_result* result);
  ~Rows();
  Rows(Rows&& other) noexcept;
  Rows& operator=(Rows&& other) noexcept;
  Rows(const Rows&) = delete;
  Rows& operator=(const Rows&) = delete;

  int size() const;
  bool empty() const { return size() == 0; }
  // Rows changed by an INSERT, UPDATE or DELETE.
  std::int64_t Affected() const;

  std::string_view Text(int row, int column) const;
  std::string String(int row, int column) const { return std::string(Text(row, column)); }
  bool IsNull(int row, int column) const;
  std::int64_t Int64(int row, int column) const;
  double Double(int row, int column) const;
  // A boolean column ("t" / "f").
  bool Bool(int row, int column) const;
  std::optional<std::int64_t> OptionalInt64(int row, int column) const;
  std::optional<double> OptionalDouble(int row, int column) const;
  std::optional<std::string> OptionalString(int row, int column) const;

 private:
  pg_result* result_;
};

// Positional parameters ($1, $2, …) of one statement, sent as text; an
// empty optional sends NULL. Values are copied.
class Params {
 public:
  Params& Add(std::string_view text);
  Params& Add(const char* text) { return Add(std::string_view(text)); }
  Params& Add(const std::string& text) { return Add(std::string_view(text)); }
  Params& Add(std::int64_t value);
  Params& Add(int value) { return Add(static_cast<std::int64_t>(value)); }
  Params& Add(double value);
  Params& Add(bool value);
  Params& Add(const std::optional<std::int64_t>& value);
  Params& Add(const std::optional<double>& value);
  Params& Add(const std::optional<std::string>& value);
  Params& AddNull();

  int size() const { return static_cast<int>(values_.size()); }
  // Pointers for PQexecPrepared: valid while this object is unchanged.
  std::vector<const char*> Pointers() const;

 private:
  std::vector<std::optional<std::string>> values_;
};

// One libpq connection with its prepared statements. Statements are
// prepared on first use and looked up by the address of their SQL text, so
// callers pass static constants. Used by one thread at a time. Every failure
// throws cairn::Error(kStorage) naming the database (password redacted) and
// what was being done; a connection the server dropped is re-opened before
// the next statement outside a transaction.
class Connection {
 public:
  // `url`: a libpq connection URI. Throws kStorage when it cannot connect.
  explicit Connection(const std::string& url);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // One or more statements without parameters or results (DDL, BEGIN).
  void Exec(std::string_view sql);
  // A prepared statement for a static SQL constant, with its rows.
  Rows Query(const char* sql, const Params& params = {});
  // The same for SQL built at run time (not prepared, not cached).
  Rows QueryDynamic(const std::string& sql, const Params& params = {});
  // COPY … FROM STDIN with `data` in COPY's text format (tab-separated
  // fields, one line per row; escape with CopyEscape).
  void Copy(std::string_view copy_sql, std::string_view data);
  // Ends the open transaction, if any, ignoring errors: for cleanup paths
  // that must not throw over the original failure.
  void RollbackQuietly() noexcept;
  bool InTransaction() const;

  // The redacted URL, for messages.
  const std::string& where() const { return where_; }
  pg_conn* handle() { return connection_; }

 private:
  void Reconnect();
  void EnsureOpen();
  [[noreturn]] void Fail(std::string_view doing) const;
  Rows Checked(pg_result* result, std::string_view doing);

  std::string url_;
  std::string where_;
  pg_conn* connection_ = nullptr;
  std::unordered_map<const char*, std::string> prepared_;  // SQL → statement name
};

// A transaction on `db` that rolls back unless committed.
class Transaction {
 public:
  explicit Transaction(Connection& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void Commit();

 private:
  Connection& db_;
  bool open_ = true;
};

// `text` escaped for one field of COPY's text format (backslash, tab,
// newline, carriage return).
void AppendCopyField(std::string& out, std::string_view text);
// "\N": a NULL field.
inline constexpr std::string_view kCopyNull = "\\N";

}  // namespace cairn::catalog::postgres
