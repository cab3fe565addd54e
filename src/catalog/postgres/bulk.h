#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// What bulk writes and set-wise reads send to PostgreSQL: rows in COPY's
// text format, and arrays as one parameter ($1::bigint[], $1::text[]), so
// that a statement covers any number of rows in one round trip.
namespace cairn::catalog::postgres {

// Rows for Connection::Copy, field by field.
class CopyRows {
 public:
  CopyRows& Text(std::string_view text);
  CopyRows& Int(std::int64_t value);
  CopyRows& Int(const std::optional<std::int64_t>& value);
  CopyRows& Double(double value);
  CopyRows& Double(const std::optional<double>& value);
  CopyRows& Bool(bool value);
  void EndRow();

  bool empty() const { return data_.empty(); }
  const std::string& data() const { return data_; }

 private:
  void Separate();

  std::string data_;
  bool row_open_ = false;
};

// An array literal ("{1,2}", "{\"a\",\"b\"}") for an array parameter.
std::string ArrayLiteral(const std::vector<std::int64_t>& values);
std::string ArrayLiteral(const std::vector<std::string_view>& values);

}  // namespace cairn::catalog::postgres
