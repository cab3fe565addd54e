#include "ingest/schema_validator.h"

#include <fmt/format.h>

#include <algorithm>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>
#include <vector>

#include "core/error.h"

namespace cairn::schemas {
struct EmbeddedSchema {
  std::string_view name;
  std::string_view text;
};
extern const EmbeddedSchema kEmbeddedSchemas[];
extern const std::size_t kEmbeddedSchemaCount;
}  // namespace cairn::schemas

namespace cairn::ingest {
namespace {

// valijson names the path as {"<root>", "[source]", "[items]", "[0]"}.
std::vector<std::string> PathTokens(const std::vector<std::string>& context) {
  std::vector<std::string> tokens;
  for (const std::string& part : context) {
    if (part.size() >= 2 && part.front() == '[' && part.back() == ']') {
      tokens.push_back(part.substr(1, part.size() - 2));
    }
  }
  return tokens;
}

std::string Pointer(const std::string& base, const std::vector<std::string>& tokens) {
  std::string pointer = base;
  for (const std::string& token : tokens) pointer += "/" + token;
  return pointer;
}

const nlohmann::json* ResolveRef(const nlohmann::json& root, const nlohmann::json* schema) {
  while (schema != nullptr && schema->is_object() && schema->contains("$ref")) {
    const std::string ref = (*schema)["$ref"].get<std::string>();
    if (ref.rfind("#/", 0) != 0) return nullptr;
    schema = &root.at(nlohmann::json::json_pointer(ref.substr(1)));
  }
  return schema;
}

// The subschema that describes the value at `tokens`, following properties,
// items and local $refs; nullptr where the path goes through a combinator.
const nlohmann::json* SchemaAt(const nlohmann::json& root, const std::vector<std::string>& tokens) {
  const nlohmann::json* schema = ResolveRef(root, &root);
  for (const std::string& token : tokens) {
    if (schema == nullptr || !schema->is_object()) return nullptr;
    if (auto props = schema->find("properties"); props != schema->end() && props->contains(token)) {
      schema = ResolveRef(root, &(*props)[token]);
    } else if (auto items = schema->find("items"); items != schema->end()) {
      schema = ResolveRef(root, &*items);
    } else {
      return nullptr;
    }
  }
  return schema;
}

std::string TypeName(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null:
      return "null";
    case nlohmann::json::value_t::boolean:
      return "a boolean";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
      return "an integer";
    case nlohmann::json::value_t::number_float:
      return "a number";
    case nlohmann::json::value_t::string:
      return "a string";
    case nlohmann::json::value_t::array:
      return "a list";
    case nlohmann::json::value_t::object:
      return "a mapping";
    default:
      return "a value";
  }
}

std::string Expected(const nlohmann::json& type) {
  static const std::map<std::string, std::string> kNames = {
      {"string", "a string"}, {"boolean", "a boolean"}, {"integer", "an integer"},
      {"number", "a number"}, {"array", "a list"},      {"object", "a mapping"},
      {"null", "null"}};
  if (type.is_string()) {
    auto it = kNames.find(type.get<std::string>());
    return it == kNames.end() ? type.get<std::string>() : it->second;
  }
  std::vector<std::string> names;
  for (const auto& t : type) names.push_back(Expected(t));
  return fmt::format("{}", fmt::join(names, " or "));
}

std::string Quoted(const nlohmann::json& values) {
  std::vector<std::string> out;
  for (const auto& v : values) out.push_back(v.dump());
  return fmt::format("{}", fmt::join(out, ", "));
}

// The field named by valijson's "Object contains a property that could not be
// validated using 'properties' or 'additionalProperties' constraints: 'name'."
// sentence; empty for other sentences.
std::string UnknownFieldName(const std::string& description) {
  if (description.find("could not be validated using 'properties'") == std::string::npos) return {};
  const auto open = description.rfind(": '");
  if (open == std::string::npos) return {};
  std::string name = description.substr(open + 3);
  while (!name.empty() && (name.back() == '.' || name.back() == '\'')) name.pop_back();
  return name;
}

// Rewrites valijson's generic sentence into what the user has to change.
std::string Explain(const std::string& description, const nlohmann::json* schema,
                    const nlohmann::json* value) {
  if (schema != nullptr && value != nullptr) {
    if (description.find("'type' constraint") != std::string::npos && schema->contains("type")) {
      return fmt::format("expected {}, found {}", Expected((*schema)["type"]), TypeName(*value));
    }
    if (description.find("enum values") != std::string::npos && schema->contains("enum")) {
      return fmt::format("expected one of {}, found {}", Quoted((*schema)["enum"]), value->dump());
    }
    if (description.find("'const' constraint") != std::string::npos && schema->contains("const")) {
      return fmt::format("expected {}, found {}", (*schema)["const"].dump(), value->dump());
    }
  }
  if (const std::string name = UnknownFieldName(description); !name.empty()) {
    std::string allowed;
    if (schema != nullptr && schema->contains("properties")) {
      std::vector<std::string> keys;
      for (const auto& [key, unused] : (*schema)["properties"].items()) keys.push_back(key);
      allowed = fmt::format(" (allowed here: {})", fmt::join(keys, ", "));
    }
    return fmt::format("unknown field '{}'{}", name, allowed);
  }
  if (description.rfind("Missing required property '", 0) == 0) {
    return "missing required field " +
           description.substr(std::string("Missing required property ").size());
  }
  if (description.find("'pattern' constraint") != std::string::npos && schema != nullptr &&
      schema->contains("pattern")) {
    return fmt::format("does not match the pattern {}", (*schema)["pattern"].dump());
  }
  return description;
}

// Errors about a child are also reported for every ancestor ("Failed to
// validate against schema associated with property name ..."); the deepest
// one is the one to fix.
bool IsSummary(const std::string& description) {
  return description.rfind("Failed to validate against schema associated with property", 0) == 0 ||
         description.rfind("Failed to validate item #", 0) == 0 ||
         description.rfind("Failed to validate against additional properties", 0) == 0;
}

}  // namespace

std::string_view EmbeddedSchemaText(std::string_view name) {
  for (std::size_t i = 0; i < schemas::kEmbeddedSchemaCount; ++i) {
    if (schemas::kEmbeddedSchemas[i].name == name) return schemas::kEmbeddedSchemas[i].text;
  }
  return {};
}

struct SchemaValidator::Impl {
  std::string name;
  nlohmann::json document;
  valijson::Schema schema;
};

SchemaValidator::SchemaValidator(std::string_view name) : impl_(std::make_unique<Impl>()) {
  const std::string_view text = EmbeddedSchemaText(name);
  if (text.empty()) throw Error(ErrorCode::kInternal, fmt::format("no schema named {}", name));
  impl_->name = std::string(name);
  impl_->document = nlohmann::json::parse(text);
  valijson::SchemaParser parser;
  valijson::adapters::NlohmannJsonAdapter adapter(impl_->document);
  parser.populateSchema(adapter, impl_->schema);
}

SchemaValidator::~SchemaValidator() = default;
SchemaValidator::SchemaValidator(SchemaValidator&&) noexcept = default;
SchemaValidator& SchemaValidator::operator=(SchemaValidator&&) noexcept = default;

void SchemaValidator::Validate(const ConfigDocument& document, const std::string& pointer) const {
  const nlohmann::json& target = document.value.at(nlohmann::json::json_pointer(pointer));
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter adapter(target);
  if (validator.validate(impl_->schema, adapter, &results)) return;

  const valijson::ValidationResults::Error* best = nullptr;
  for (const auto& error : results) {
    if (IsSummary(error.description)) continue;
    if (best == nullptr || error.context.size() > best->context.size()) best = &error;
  }
  if (best == nullptr) best = &*results.begin();

  const std::vector<std::string> tokens = PathTokens(best->context);
  const std::string at = Pointer(pointer, tokens);
  // An unknown field is best shown on its own line, not its parent's.
  int line = document.LineOf(at);
  if (const std::string field = UnknownFieldName(best->description); !field.empty()) {
    line = document.LineOf(at + "/" + field);
  }
  const nlohmann::json* value = nullptr;
  if (const auto json_pointer = nlohmann::json::json_pointer(at);
      document.value.contains(json_pointer)) {
    value = &document.value.at(json_pointer);
  }
  throw Error(ErrorCode::kInvalidConfig,
              Explain(best->description, SchemaAt(impl_->document, tokens), value),
              {.file = document.file, .line = line, .json_path = JsonPathFromPointer(at)});
}

}  // namespace cairn::ingest
