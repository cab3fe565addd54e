#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

#include "dbt/artifact_readers.h"
#include "dbt/json_cursor.h"

namespace cairn::dbt {
namespace {

using internal::JsonCursor;
using internal::od::value;

// A scalar's JSON text as written; objects and arrays (never written by dbt
// here) become null so that the stats text stays valid JSON.
std::string_view ScalarToken(value& v) {
  std::string_view token = v.raw_json_token();
  while (!token.empty() && (token.back() == ' ' || token.back() == '\n' || token.back() == '\r' ||
                            token.back() == '\t')) {
    token.remove_suffix(1);
  }
  if (token.empty() || token.front() == '{' || token.front() == '[') return "null";
  return token;
}

class CatalogReader {
 public:
  CatalogReader(JsonCursor& cursor, Catalog& catalog) : in_(cursor), out_(catalog) {}

  void Read() {
    in_.ReadArtifact(ArtifactKind::kCatalog, kMaxCatalogVersion, out_.metadata,
                     [this](std::string_view key, value& v) {
                       if (key == "nodes") {
                         Tables(v, out_.nodes);
                       } else if (key == "sources") {
                         Tables(v, out_.sources);
                       }
                     });
  }

 private:
  void Tables(value& v, std::vector<CatalogTable>& into) {
    in_.Fields(v, [&](std::string_view key, value& body) {
      CatalogTable& table = into.emplace_back();
      in_.Fields(body, [&](std::string_view field, value& fv) {
        if (field == "metadata") {
          Metadata(fv, table);
        } else if (field == "columns") {
          Columns(fv, table);
        } else if (field == "stats") {
          Stats(fv, table);
        } else if (field == "unique_id") {
          in_.String(fv, table.unique_id);
        }
      });
      if (table.unique_id.empty()) table.unique_id = in_.KeyText(key);
      in_.ReleaseConsumed();
    });
  }

  void Metadata(value& v, CatalogTable& table) {
    in_.Fields(v, [&](std::string_view key, value& fv) {
      if (key == "type") {
        in_.String(fv, table.type);
      } else if (key == "schema") {
        in_.String(fv, table.schema);
      } else if (key == "name") {
        in_.String(fv, table.name);
      } else if (key == "database") {
        in_.String(fv, table.database);
      } else if (key == "comment") {
        in_.Text(fv, table.comment);
      } else if (key == "owner") {
        in_.Text(fv, table.owner);
      }
    });
  }

  void Columns(value& v, CatalogTable& table) {
    in_.Fields(v, [&](std::string_view key, value& body) {
      CatalogColumn& column = table.columns.emplace_back();
      in_.Fields(body, [&](std::string_view field, value& fv) {
        if (field == "type") {
          in_.String(fv, column.type);
        } else if (field == "index") {
          column.index = in_.Int(fv).value_or(0);
        } else if (field == "name") {
          in_.String(fv, column.name);
        } else if (field == "comment") {
          in_.Text(fv, column.comment);
        }
      });
      if (column.name.empty()) column.name = in_.KeyText(key);
    });
  }

  // Kept: {id: {label, value, description}} for stats with include=true;
  // "has_stats" is dbt's own flag, never a statistic.
  void Stats(value& v, CatalogTable& table) {
    std::string out = "{";
    in_.Fields(v, [&](std::string_view key, value& body) {
      std::string_view label = "null", stat = "null", description = "null";
      bool include = false;
      in_.Fields(body, [&](std::string_view field, value& fv) {
        if (field == "label") {
          label = ScalarToken(fv);
        } else if (field == "value") {
          stat = ScalarToken(fv);
        } else if (field == "description") {
          description = ScalarToken(fv);
        } else if (field == "include") {
          include = in_.Bool(fv).value_or(false);
        }
      });
      if (!include || key == "has_stats") return;
      if (out.size() > 1) out += ',';
      out += '"';
      out += key;
      out += "\":{\"label\":";
      out += label;
      out += ",\"value\":";
      out += stat;
      out += ",\"description\":";
      out += description;
      out += '}';
    });
    out += '}';
    table.stats_json = std::move(out);
  }

  JsonCursor& in_;
  Catalog& out_;
};

}  // namespace

Catalog ParseCatalog(const std::string& json, const std::string& label) {
  return internal::ParseArtifact<Catalog, CatalogReader>(simdjson::padded_string(json), label);
}

Catalog ReadCatalog(const std::string& path) {
  return internal::ParseArtifact<Catalog, CatalogReader>(internal::LoadArtifact(path), path);
}

}  // namespace cairn::dbt
