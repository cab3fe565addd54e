#include "catalog/postgres/bulk.h"

#include <fmt/format.h>

#include "catalog/postgres/connection.h"

namespace cairn::catalog::postgres {

void CopyRows::Separate() {
  if (row_open_) data_ += '\t';
  row_open_ = true;
}

CopyRows& CopyRows::Text(std::string_view text) {
  Separate();
  AppendCopyField(data_, text);
  return *this;
}

CopyRows& CopyRows::Int(std::int64_t value) {
  Separate();
  fmt::format_to(std::back_inserter(data_), "{}", value);
  return *this;
}

CopyRows& CopyRows::Int(const std::optional<std::int64_t>& value) {
  if (value) return Int(*value);
  Separate();
  data_ += kCopyNull;
  return *this;
}

CopyRows& CopyRows::Double(double value) {
  Separate();
  // Shortest round-trip text; PostgreSQL reads "inf" and "nan" too.
  fmt::format_to(std::back_inserter(data_), "{}", value);
  return *this;
}

CopyRows& CopyRows::Double(const std::optional<double>& value) {
  if (value) return Double(*value);
  Separate();
  data_ += kCopyNull;
  return *this;
}

CopyRows& CopyRows::Bool(bool value) {
  Separate();
  data_ += value ? 't' : 'f';
  return *this;
}

void CopyRows::EndRow() {
  data_ += '\n';
  row_open_ = false;
}

std::string ArrayLiteral(const std::vector<std::int64_t>& values) {
  return fmt::format("{{{}}}", fmt::join(values, ","));
}

std::string ArrayLiteral(const std::vector<std::string_view>& values) {
  std::string out = "{";
  for (std::string_view value : values) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : value) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

}  // namespace cairn::catalog::postgres
