#include <string>
#include <string_view>

#include "catalog/fqn_key.h"
#include "catalog/model.h"

namespace cairn::catalog {

// A part with a dot is double-quoted so the FQN still splits unambiguously;
// quotes inside a quoted part are doubled.
std::string QuoteFqnPart(std::string_view part) {
  if (part.find('.') == std::string_view::npos) return std::string(part);
  std::string out;
  out.reserve(part.size() + 2);
  out += '"';
  for (char c : part) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string TableFqn(std::string_view service, std::string_view database, std::string_view schema,
                     std::string_view table) {
  std::string out = QuoteFqnPart(service);
  for (std::string_view part : {database, schema, table}) {
    out += '.';
    out += QuoteFqnPart(part);
  }
  return out;
}

// The unique_id is dbt's own dotted name and stays as dbt wrote it.
std::string NodeFqn(std::string_view service, std::string_view unique_id) {
  std::string out = QuoteFqnPart(service);
  out += '.';
  out += unique_id;
  return out;
}

std::string FqnKey(std::string_view fqn) {
  std::string key(fqn);
  for (char& c : key) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return key;
}

std::string LastFqnPart(std::string_view fqn) {
  std::size_t dot = fqn.rfind('.');
  return std::string(dot == std::string_view::npos ? fqn : fqn.substr(dot + 1));
}

}  // namespace cairn::catalog
