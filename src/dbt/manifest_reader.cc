#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <utility>

#include "dbt/artifact_readers.h"
#include "dbt/json_cursor.h"

namespace cairn::dbt {
namespace {

using internal::JsonCursor;
using internal::od::value;

// Fields of one node whose meaning depends on others that may come later in
// the object (resource_type is written after most of them).
struct NodeExtras {
  std::string config_meta;
  bool config_contract_enforced = false;
  std::string severity;
  TestInfo test;
  bool has_test_metadata = false;
  std::string kwargs_column_name;
  std::string type;
  std::string owner_name;
  std::string owner_email;

  void Clear() {
    config_meta.clear();
    config_contract_enforced = false;
    severity.clear();
    test = TestInfo{};
    has_test_metadata = false;
    kwargs_column_name.clear();
    type.clear();
    owner_name.clear();
    owner_email.clear();
  }
};

bool IsEmptyJsonObject(const std::string& json) {
  return json.empty() || json == "{}";
}

// A second, small parser for the rare meta objects that need a look inside
// (merging config.meta, finding meta.owner). Manifests keep meta small.
class MetaInspector {
 public:
  // Top-level meta wins over config.meta for keys in both.
  std::string Merge(const std::string& top, const std::string& config) {
    if (IsEmptyJsonObject(config) || top == config) return top;
    if (IsEmptyJsonObject(top)) return config;
    std::vector<std::pair<std::string, std::string>> fields;
    Collect(top, fields);
    std::size_t top_count = fields.size();
    Collect(config, fields);
    std::string out = "{";
    for (std::size_t i = 0; i < fields.size(); ++i) {
      bool shadowed = false;
      for (std::size_t j = 0; i >= top_count && j < top_count; ++j) {
        if (fields[j].first == fields[i].first) shadowed = true;
      }
      if (shadowed) continue;
      if (out.size() > 1) out += ',';
      out += '"';
      out += fields[i].first;
      out += "\":";
      out += fields[i].second;
    }
    out += '}';
    return out;
  }

  // meta.owner as a string or a list of strings.
  void Owners(const std::string& meta, std::vector<std::string>& owners) {
    if (meta.find("\"owner\"") == std::string::npos) return;
    simdjson::padded_string text(meta);
    auto doc = parser_.iterate(text);
    if (doc.error()) return;
    auto object = doc.get_object();
    if (object.error()) return;
    for (auto field : object.value_unsafe()) {
      if (field.error()) return;
      auto key = field.unescaped_key();
      if (key.error() || key.value_unsafe() != "owner") continue;
      auto owner = field.value();
      if (owner.error()) return;
      value& v = owner.value_unsafe();
      std::string_view single;
      if (!v.get_string().get(single)) {
        if (!single.empty()) owners.emplace_back(single);
        return;
      }
      auto list = v.get_array();
      if (list.error()) return;
      for (auto element : list.value_unsafe()) {
        std::string_view name;
        if (!element.get_string().get(name) && !name.empty()) owners.emplace_back(name);
      }
      return;
    }
  }

 private:
  // Raw key text (escaped as written, which is what goes back out) and value.
  void Collect(const std::string& json, std::vector<std::pair<std::string, std::string>>& out) {
    simdjson::padded_string text(json);
    auto doc = parser_.iterate(text);
    if (doc.error()) return;
    auto object = doc.get_object();
    if (object.error()) return;
    for (auto field : object.value_unsafe()) {
      if (field.error()) return;
      std::string_view key;
      std::string_view raw;
      if (field.unescaped_key().get(key)) return;
      auto field_value = field.value();
      if (field_value.error() || internal::RawJson(field_value.value_unsafe(), raw)) return;
      std::string minified;
      internal::AppendMinified(raw, minified);
      out.emplace_back(EscapeKey(key), std::move(minified));
    }
  }

  static std::string EscapeKey(std::string_view key) {
    std::string out;
    for (char c : key) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    return out;
  }

  internal::od::parser parser_;
};

class ManifestReader {
 public:
  ManifestReader(JsonCursor& cursor, Manifest& manifest) : in_(cursor), out_(manifest) {}

  void Read() {
    std::uint64_t resources = 0;
    in_.ReadArtifact(
        ArtifactKind::kManifest, kMaxManifestVersion, out_.metadata,
        [&](std::string_view key, value& v) {
          // Counting first costs one skim of the maps and saves growing a
          // vector of large Nodes (and the copies that come with it).
          if (IsResourceMap(key)) resources += in_.CountFields(v);
        },
        [this, &resources](std::string_view key, value& v) {
          if (resources > 0) {
            out_.nodes.reserve(resources);
            resources = 0;
          }
          TopLevel(key, v);
        });
  }

 private:
  void TopLevel(std::string_view key, value& v) {
    if (key == "nodes") {
      NodeMap(v, ResourceType::kUnknown, out_.nodes);
    } else if (key == "sources") {
      NodeMap(v, ResourceType::kSource, out_.nodes);
    } else if (key == "exposures") {
      NodeMap(v, ResourceType::kExposure, out_.nodes);
    } else if (key == "metrics") {
      NodeMap(v, ResourceType::kMetric, out_.nodes);
    } else if (key == "semantic_models") {
      NodeMap(v, ResourceType::kSemanticModel, out_.nodes);
    } else if (key == "saved_queries") {
      NodeMap(v, ResourceType::kSavedQuery, out_.nodes);
    } else if (key == "unit_tests") {
      NodeMap(v, ResourceType::kUnitTest, out_.nodes);
    } else if (key == "functions") {
      NodeMap(v, ResourceType::kFunction, out_.nodes);
    } else if (key == "disabled") {
      Disabled(v);
    } else if (key == "docs") {
      Docs(v);
    } else if (key == "macros") {
      out_.macro_count = in_.CountFields(v);
    }
  }

  static bool IsResourceMap(std::string_view key) {
    return key == "nodes" || key == "sources" || key == "exposures" || key == "metrics" ||
           key == "semantic_models" || key == "saved_queries" || key == "unit_tests" ||
           key == "functions";
  }

  void NodeMap(value& v, ResourceType default_type, std::vector<Node>& into) {
    if (IsNull(v)) return;
    in_.Fields(v, [&](std::string_view key, value& body) {
      into.emplace_back();
      ReadNode(body, default_type, into.back());
      if (into.back().unique_id.empty()) into.back().unique_id = in_.KeyText(key);
      in_.ReleaseConsumed();
    });
  }

  // v1-v3: a list of nodes; v4+: unique_id -> list of nodes (one per
  // disabled variant, e.g. per target).
  void Disabled(value& v) {
    if (IsNull(v)) return;
    std::string_view token = v.raw_json_token();
    auto read_list = [&](value& list) {
      in_.Elements(list, [&](value& body) {
        out_.disabled.emplace_back();
        ReadNode(body, ResourceType::kUnknown, out_.disabled.back());
        in_.ReleaseConsumed();
      });
    };
    if (!token.empty() && token.front() == '[') {
      read_list(v);
    } else {
      in_.Fields(v, [&](std::string_view, value& list) { read_list(list); });
    }
  }

  void Docs(value& v) {
    in_.Fields(v, [&](std::string_view key, value& body) {
      DocBlock& doc = out_.docs.emplace_back();
      in_.Fields(body, [&](std::string_view field, value& fv) {
        if (field == "unique_id") {
          in_.String(fv, doc.unique_id);
        } else if (field == "name") {
          in_.String(fv, doc.name);
        } else if (field == "package_name") {
          in_.String(fv, doc.package_name);
        } else if (field == "block_contents") {
          in_.String(fv, doc.block_contents);
        }
      });
      if (doc.unique_id.empty()) doc.unique_id = in_.KeyText(key);
    });
  }

  bool IsNull(value& v) {
    std::string_view token = v.raw_json_token();
    return token.size() >= 4 && token.substr(0, 4) == "null";
  }

  void ReadNode(value& body, ResourceType default_type, Node& node) {
    extras_.Clear();
    in_.Fields(body, [&](std::string_view key, value& v) { NodeField(key, v, node); });
    Finish(default_type, node);
  }

  void NodeField(std::string_view key, value& v, Node& node) {
    // Ordered roughly by how often dbt writes the key.
    switch (key.empty() ? '\0' : key.front()) {
      case 'a':
        if (key == "alias") {
          in_.String(v, node.alias);
        } else if (key == "attached_node") {
          in_.String(v, extras_.test.attached_node);
        } else if (key == "access") {
          in_.String(v, node.access);
        }
        return;
      case 'c':
        if (key == "columns") {
          Columns(v, node);
        } else if (key == "config") {
          Config(v);
        } else if (key == "compiled_code" || key == "compiled_sql") {
          in_.String(v, node.compiled_code);
        } else if (key == "checksum") {
          Checksum(v, node);
        } else if (key == "column_name") {
          in_.String(v, extras_.test.column_name);
        } else if (key == "contract") {
          Contract(v, node.contract_enforced);
        } else if (key == "constraints") {
          in_.JsonText(v, node.constraints_json);
        }
        return;
      case 'd':
        if (key == "database") {
          in_.String(v, node.database);
        } else if (key == "description") {
          in_.String(v, node.description);
        } else if (key == "depends_on") {
          DependsOn(v, node);
        } else if (key == "doc_blocks") {
          in_.StringList(v, node.doc_blocks);
        }
        return;
      case 'f':
        if (key == "fqn") {
          in_.StringList(v, node.fqn);
        } else if (key == "freshness") {
          in_.JsonText(v, node.freshness_json);
        }
        return;
      case 'g':
        if (key == "group") in_.String(v, node.group);
        return;
      case 'i':
        if (key == "identifier") in_.String(v, node.alias);
        return;
      case 'l':
        if (key == "language") {
          in_.String(v, node.language);
        } else if (key == "latest_version") {
          in_.Text(v, node.latest_version);
        } else if (key == "loader") {
          in_.String(v, node.loader);
        } else if (key == "loaded_at_field") {
          in_.String(v, node.loaded_at_field);
        } else if (key == "label") {
          in_.String(v, node.label);
        }
        return;
      case 'm':
        if (key == "meta") {
          in_.JsonText(v, node.meta_json);
        } else if (key == "maturity") {
          in_.String(v, node.maturity);
        }
        return;
      case 'n':
        if (key == "name") in_.String(v, node.name);
        return;
      case 'o':
        if (key == "original_file_path") {
          in_.String(v, node.original_file_path);
        } else if (key == "owner") {
          Owner(v);
        }
        return;
      case 'p':
        if (key == "package_name") in_.String(v, node.package_name);
        return;
      case 'r':
        if (key == "resource_type") {
          in_.String(v, node.resource_type_name);
        } else if (key == "raw_code" || key == "raw_sql") {
          in_.String(v, node.raw_code);
        } else if (key == "relation_name") {
          in_.String(v, node.relation_name);
        }
        return;
      case 's':
        if (key == "schema") {
          in_.String(v, node.schema);
        } else if (key == "source_name") {
          in_.String(v, node.source_name);
        }
        return;
      case 't':
        if (key == "tags") {
          in_.StringList(v, node.tags);
        } else if (key == "test_metadata") {
          TestMetadata(v);
        } else if (key == "type") {
          in_.Text(v, extras_.type);
        }
        return;
      case 'u':
        if (key == "unique_id") {
          in_.String(v, node.unique_id);
        } else if (key == "url") {
          in_.String(v, node.url);
        }
        return;
      case 'v':
        if (key == "version") in_.Text(v, node.version);
        return;
      default:
        return;
    }
  }

  void Config(value& v) {
    in_.Fields(v, [&](std::string_view key, value& fv) {
      if (key == "materialized") {
        in_.String(fv, materialized_);
      } else if (key == "meta") {
        in_.JsonText(fv, extras_.config_meta);
      } else if (key == "severity") {
        in_.String(fv, extras_.severity);
      } else if (key == "contract") {
        Contract(fv, extras_.config_contract_enforced);
      }
    });
  }

  void Contract(value& v, bool& enforced) {
    if (IsNull(v)) return;
    in_.Fields(v, [&](std::string_view key, value& fv) {
      if (key == "enforced") enforced = in_.Bool(fv).value_or(false);
    });
  }

  // {name, checksum} on nodes; a bare string on unit tests.
  void Checksum(value& v, Node& node) {
    std::string_view token = v.raw_json_token();
    if (!token.empty() && token.front() == '"') {
      in_.String(v, node.checksum);
      return;
    }
    if (IsNull(v)) return;
    in_.Fields(v, [&](std::string_view key, value& fv) {
      if (key == "checksum") in_.String(fv, node.checksum);
    });
  }

  void DependsOn(value& v, Node& node) {
    if (IsNull(v)) return;
    in_.Fields(v, [&](std::string_view key, value& fv) {
      if (key == "nodes") in_.StringList(fv, node.depends_on);
    });
  }

  void Owner(value& v) {
    std::string_view token = v.raw_json_token();
    if (!token.empty() && token.front() == '"') {
      in_.String(v, extras_.owner_name);
      return;
    }
    if (IsNull(v)) return;
    in_.Fields(v, [&](std::string_view key, value& fv) {
      if (key == "name") {
        in_.String(fv, extras_.owner_name);
      } else if (key == "email") {
        in_.StringList(fv, email_scratch_);
      }
    });
    // dbt >= 1.9 allows a list of emails; the first stands for the owner.
    if (!email_scratch_.empty()) extras_.owner_email = std::move(email_scratch_.front());
    email_scratch_.clear();
  }

  void TestMetadata(value& v) {
    if (IsNull(v)) return;
    extras_.has_test_metadata = true;
    in_.Fields(v, [&](std::string_view key, value& fv) {
      if (key == "name") {
        in_.String(fv, extras_.test.test_name);
      } else if (key == "namespace") {
        in_.String(fv, extras_.test.test_namespace);
      } else if (key == "kwargs") {
        Kwargs(fv);
      }
    });
  }

  void Kwargs(value& v) {
    // Kept whole as text; column_name looked up in the text only when the
    // node has no top-level column_name (dbt < 0.20 wrote it only here).
    if (!in_.JsonText(v, extras_.test.kwargs_json)) return;
    const std::string& kwargs = extras_.test.kwargs_json;
    static constexpr std::string_view kKey = "\"column_name\":\"";
    std::size_t at = kwargs.find(kKey);
    if (at == std::string::npos) return;
    std::size_t begin = at + kKey.size();
    std::size_t end = begin;
    while (end < kwargs.size() && kwargs[end] != '"') end += kwargs[end] == '\\' ? 2u : 1u;
    if (end > kwargs.size()) return;
    extras_.kwargs_column_name.clear();
    internal::AppendUnescaped(std::string_view(kwargs).substr(begin, end - begin),
                              extras_.kwargs_column_name);
  }

  void Columns(value& v, Node& node) {
    if (IsNull(v)) return;
    in_.Fields(v, [&](std::string_view key, value& body) {
      Column& column = node.columns.emplace_back();
      column_config_meta_.clear();
      in_.Fields(body, [&](std::string_view field, value& fv) {
        if (field == "name") {
          in_.String(fv, column.name);
        } else if (field == "description") {
          in_.String(fv, column.description);
        } else if (field == "data_type") {
          in_.String(fv, column.data_type);
        } else if (field == "meta") {
          in_.JsonText(fv, column.meta_json);
        } else if (field == "tags") {
          in_.StringList(fv, column.tags);
        } else if (field == "constraints") {
          in_.JsonText(fv, column.constraints_json);
        } else if (field == "config") {
          in_.Fields(fv, [&](std::string_view config_key, value& cv) {
            if (config_key == "meta") in_.JsonText(cv, column_config_meta_);
          });
        }
      });
      if (column.name.empty()) column.name = in_.KeyText(key);
      if (IsEmptyJsonObject(column.meta_json) && !IsEmptyJsonObject(column_config_meta_)) {
        column.meta_json = std::move(column_config_meta_);
      }
    });
  }

  void Finish(ResourceType default_type, Node& node) {
    if (node.resource_type_name.empty()) {
      node.resource_type = default_type;
      node.resource_type_name = std::string(ResourceTypeName(default_type));
    } else {
      node.resource_type = ParseResourceType(node.resource_type_name);
    }
    node.materialized = std::move(materialized_);
    materialized_.clear();
    if (extras_.config_contract_enforced) node.contract_enforced = true;
    if (!IsEmptyJsonObject(extras_.config_meta)) {
      node.meta_json = meta_.Merge(node.meta_json, extras_.config_meta);
    }
    if (!IsEmptyJsonObject(node.meta_json)) meta_.Owners(node.meta_json, node.owners);

    switch (node.resource_type) {
      case ResourceType::kTest:
        FinishTest(node);
        break;
      case ResourceType::kExposure:
        node.exposure_type = std::move(extras_.type);
        if (!extras_.owner_email.empty()) {
          node.owners.push_back(std::move(extras_.owner_email));
        } else if (!extras_.owner_name.empty()) {
          node.owners.push_back(std::move(extras_.owner_name));
        }
        break;
      default:
        break;
    }
  }

  void FinishTest(Node& node) {
    TestInfo& test = extras_.test;
    if (!extras_.has_test_metadata) test.test_name = node.name;  // singular test
    if (test.column_name.empty()) test.column_name = std::move(extras_.kwargs_column_name);
    if (test.attached_node.empty()) {
      for (const std::string& dependency : node.depends_on) {
        std::string_view id = dependency;
        if (id.starts_with("model.") || id.starts_with("seed.") || id.starts_with("snapshot.") ||
            id.starts_with("source.")) {
          test.attached_node = dependency;
          break;
        }
      }
    }
    test.severity = std::move(extras_.severity);
    std::transform(test.severity.begin(), test.severity.end(), test.severity.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    node.test = std::move(test);
  }

  JsonCursor& in_;
  Manifest& out_;
  NodeExtras extras_;
  std::string materialized_;
  std::string column_config_meta_;
  std::vector<std::string> email_scratch_;
  MetaInspector meta_;
};

}  // namespace

Manifest ParseManifest(const std::string& json, const std::string& label) {
  return internal::ParseArtifact<Manifest, ManifestReader>(simdjson::padded_string(json), label);
}

Manifest ReadManifest(const std::string& path) {
  return internal::ParseArtifact<Manifest, ManifestReader>(internal::LoadArtifact(path), path);
}

}  // namespace cairn::dbt
