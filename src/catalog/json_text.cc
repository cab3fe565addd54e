#include "catalog/json_text.h"

#include <nlohmann/json.hpp>

namespace cairn::catalog {
namespace {

void AppendQuoted(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += "\\u00";
          out += kHex[(c >> 4) & 0xF];
          out += kHex[c & 0xF];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

}  // namespace

std::string ToJsonArray(const std::vector<std::string>& values) {
  if (values.empty()) return "[]";
  std::string out = "[";
  for (const std::string& value : values) {
    if (out.size() > 1) out += ',';
    AppendQuoted(out, value);
  }
  out += ']';
  return out;
}

std::vector<std::string> ParseJsonArray(std::string_view json) {
  std::vector<std::string> values;
  if (json.empty() || json == "[]") return values;
  nlohmann::json parsed = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_array()) return values;
  for (const auto& item : parsed) {
    if (item.is_string()) values.push_back(item.get<std::string>());
  }
  return values;
}

}  // namespace cairn::catalog
