#include "catalog/postgres/connection.h"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <charconv>
#include <utility>

#include "core/error.h"

namespace cairn::catalog::postgres {
namespace {

std::string Trimmed(const char* message) {
  std::string text = message == nullptr ? "" : message;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

template <typename Number>
Number Parsed(std::string_view text, std::string_view what) {
  Number value{};
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    throw Error(ErrorCode::kStorage, fmt::format("PostgreSQL returned \"{}\" for {}", text, what));
  }
  return value;
}

}  // namespace

bool IsPostgresUrl(std::string_view url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

std::string RedactedUrl(std::string_view url) {
  // scheme://user:password@host…: the password is between the first ':'
  // after the scheme and the last '@' before the path.
  std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  std::size_t authority = scheme + 3;
  std::size_t path = url.find('/', authority);
  std::string_view userinfo_host = url.substr(authority, path - authority);
  std::size_t at = userinfo_host.rfind('@');
  std::string redacted(url);
  if (at != std::string_view::npos) {
    std::size_t colon = userinfo_host.find(':');
    if (colon != std::string_view::npos && colon < at) {
      redacted.replace(authority + colon + 1, at - colon - 1, "****");
    }
  }
  // A password may also come as a query parameter.
  std::size_t query = redacted.find("password=");
  if (query != std::string::npos) {
    std::size_t end = redacted.find('&', query);
    std::size_t start = query + std::string_view("password=").size();
    redacted.replace(start, (end == std::string::npos ? redacted.size() : end) - start, "****");
  }
  return redacted;
}

Rows::Rows(pg_result* result) : result_(result) {}
Rows::~Rows() {
  PQclear(result_);
}
Rows::Rows(Rows&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}
Rows& Rows::operator=(Rows&& other) noexcept {
  if (this != &other) {
    PQclear(result_);
    result_ = std::exchange(other.result_, nullptr);
  }
  return *this;
}

int Rows::size() const {
  return PQntuples(result_);
}

std::int64_t Rows::Affected() const {
  std::string_view text = PQcmdTuples(result_);
  return text.empty() ? 0 : Parsed<std::int64_t>(text, "a row count");
}

std::string_view Rows::Text(int row, int column) const {
  return {PQgetvalue(result_, row, column),
          static_cast<std::size_t>(PQgetlength(result_, row, column))};
}

bool Rows::IsNull(int row, int column) const {
  return PQgetisnull(result_, row, column) != 0;
}

std::int64_t Rows::Int64(int row, int column) const {
  return Parsed<std::int64_t>(Text(row, column), PQfname(result_, column));
}

double Rows::Double(int row, int column) const {
  // from_chars for double is in GCC 12's libstdc++; PostgreSQL writes
  // shortest round-trip text, so this is exact.
  return Parsed<double>(Text(row, column), PQfname(result_, column));
}

bool Rows::Bool(int row, int column) const {
  return Text(row, column) == "t";
}

std::optional<std::int64_t> Rows::OptionalInt64(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return Int64(row, column);
}

std::optional<double> Rows::OptionalDouble(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return Double(row, column);
}

std::optional<std::string> Rows::OptionalString(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return String(row, column);
}

Params& Params::Add(std::string_view text) {
  values_.emplace_back(std::string(text));
  return *this;
}
Params& Params::Add(std::int64_t value) {
  values_.emplace_back(std::to_string(value));
  return *this;
}
Params& Params::Add(double value) {
  values_.emplace_back(fmt::format("{}", value));
  return *this;
}
Params& Params::Add(bool value) {
  values_.emplace_back(value ? "t" : "f");
  return *this;
}
Params& Params::Add(const std::optional<std::int64_t>& value) {
  return value ? Add(*value) : AddNull();
}
Params& Params::Add(const std::optional<double>& value) {
  return value ? Add(*value) : AddNull();
}
Params& Params::Add(const std::optional<std::string>& value) {
  return value ? Add(std::string_view(*value)) : AddNull();
}
Params& Params::AddNull() {
  values_.emplace_back(std::nullopt);
  return *this;
}

std::vector<const char*> Params::Pointers() const {
  std::vector<const char*> pointers;
  pointers.reserve(values_.size());
  for (const auto& value : values_) pointers.push_back(value ? value->c_str() : nullptr);
  return pointers;
}

Connection::Connection(const std::string& url) : url_(url), where_(RedactedUrl(url)) {
  connection_ = PQconnectdb(url_.c_str());
  if (PQstatus(connection_) != CONNECTION_OK) {
    std::string message = Trimmed(PQerrorMessage(connection_));
    PQfinish(connection_);
    connection_ = nullptr;
    throw Error(ErrorCode::kStorage,
                fmt::format("cannot connect to PostgreSQL at {}: {}", where_, message));
  }
  // Quiet NOTICEs (CREATE … IF NOT EXISTS) instead of libpq printing them.
  PQsetNoticeProcessor(
      connection_, [](void*, const char*) {}, nullptr);
}

Connection::~Connection() {
  PQfinish(connection_);
}

void Connection::Reconnect() {
  PQreset(connection_);
  prepared_.clear();
  if (PQstatus(connection_) != CONNECTION_OK) Fail("reconnecting");
}

void Connection::EnsureOpen() {
  if (PQstatus(connection_) == CONNECTION_BAD) Reconnect();
}

bool Connection::InTransaction() const {
  return PQtransactionStatus(connection_) != PQTRANS_IDLE;
}

void Connection::Fail(std::string_view doing) const {
  throw Error(ErrorCode::kStorage, fmt::format("PostgreSQL {}: {}: {}", where_, doing,
                                               Trimmed(PQerrorMessage(connection_))));
}

Rows Connection::Checked(pg_result* result, std::string_view doing) {
  Rows rows(result);
  ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    std::string message = Trimmed(PQresultErrorMessage(result));
    if (message.empty()) message = Trimmed(PQerrorMessage(connection_));
    throw Error(ErrorCode::kStorage, fmt::format("PostgreSQL {}: {}: {}", where_, doing, message));
  }
  return rows;
}

void Connection::Exec(std::string_view sql) {
  EnsureOpen();
  std::string text(sql);
  Checked(PQexec(connection_, text.c_str()), fmt::format("running {:.60}", text));
}

Rows Connection::Query(const char* sql, const Params& params) {
  EnsureOpen();
  auto found = prepared_.find(sql);
  if (found == prepared_.end()) {
    std::string name = fmt::format("cairn_{}", prepared_.size());
    Checked(PQprepare(connection_, name.c_str(), sql, 0, nullptr),
            fmt::format("preparing {:.60}", sql));
    found = prepared_.emplace(sql, std::move(name)).first;
  }
  std::vector<const char*> values = params.Pointers();
  return Checked(PQexecPrepared(connection_, found->second.c_str(), params.size(), values.data(),
                                nullptr, nullptr, 0),
                 fmt::format("running {:.60}", sql));
}

Rows Connection::QueryDynamic(const std::string& sql, const Params& params) {
  EnsureOpen();
  std::vector<const char*> values = params.Pointers();
  return Checked(PQexecParams(connection_, sql.c_str(), params.size(), nullptr, values.data(),
                              nullptr, nullptr, 0),
                 fmt::format("running {:.60}", sql));
}

void Connection::Copy(std::string_view copy_sql, std::string_view data) {
  EnsureOpen();
  std::string sql(copy_sql);
  pg_result* start = PQexec(connection_, sql.c_str());
  if (PQresultStatus(start) != PGRES_COPY_IN) {
    Checked(start, fmt::format("starting {:.60}", sql));  // throws for an error
    throw Error(ErrorCode::kStorage,
                fmt::format("PostgreSQL {}: {:.60} is not a COPY FROM STDIN", where_, sql));
  }
  PQclear(start);
  // libpq buffers; send in pieces so a large load never needs a second copy.
  constexpr std::size_t kPiece = 1 << 20;
  for (std::size_t at = 0; at < data.size(); at += kPiece) {
    std::string_view piece = data.substr(at, kPiece);
    if (PQputCopyData(connection_, piece.data(), static_cast<int>(piece.size())) != 1) {
      Fail(fmt::format("sending {:.60}", sql));
    }
  }
  if (PQputCopyEnd(connection_, nullptr) != 1) Fail(fmt::format("ending {:.60}", sql));
  Checked(PQgetResult(connection_), fmt::format("running {:.60}", sql));
  // COPY leaves one more (null) result to drain.
  while (pg_result* rest = PQgetResult(connection_)) PQclear(rest);
}

void Connection::RollbackQuietly() noexcept {
  if (connection_ == nullptr || !InTransaction()) return;
  PQclear(PQexec(connection_, "ROLLBACK"));
}

Transaction::Transaction(Connection& db) : db_(db) {
  db_.Exec("BEGIN");
}

Transaction::~Transaction() {
  if (open_) db_.RollbackQuietly();
}

void Transaction::Commit() {
  db_.Exec("COMMIT");
  open_ = false;
}

void AppendCopyField(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
}

}  // namespace cairn::catalog::postgres
