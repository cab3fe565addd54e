#include "ingest/config_document.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdlib>
#include <regex>

#include "core/error.h"
#include "core/file.h"

namespace cairn::ingest {
namespace {

// JSON Pointer escaping (RFC 6901).
std::string EscapePointerToken(const std::string& token) {
  std::string out;
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

nlohmann::json PlainScalar(const std::string& text) {
  static const std::regex kInteger(R"([-+]?(0|[1-9][0-9]*))");
  static const std::regex kFloat(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") {
    return nullptr;
  }
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  if (std::regex_match(text, kInteger)) {
    errno = 0;
    const long long value = std::strtoll(text.c_str(), nullptr, 10);
    if (errno == 0) return value;
  }
  if (std::regex_match(text, kFloat)) return std::strtod(text.c_str(), nullptr);
  return text;
}

class Converter {
 public:
  explicit Converter(ConfigDocument& document) : document_(document) {}

  nlohmann::json Convert(const YAML::Node& node, const std::string& pointer) {
    document_.lines[pointer] = node.Mark().line + 1;
    switch (node.Type()) {
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        return nullptr;
      case YAML::NodeType::Scalar:
        // yaml-cpp tags plain scalars "?" and quoted ones "!".
        return node.Tag() == "!" ? nlohmann::json(node.Scalar()) : PlainScalar(node.Scalar());
      case YAML::NodeType::Sequence: {
        nlohmann::json array = nlohmann::json::array();
        std::size_t index = 0;
        for (const YAML::Node& item : node) {
          array.push_back(Convert(item, pointer + "/" + std::to_string(index++)));
        }
        return array;
      }
      case YAML::NodeType::Map: {
        nlohmann::json object = nlohmann::json::object();
        for (const auto& entry : node) {
          const std::string key = entry.first.as<std::string>();
          const std::string child = pointer + "/" + EscapePointerToken(key);
          object[key] = Convert(entry.second, child);
          document_.lines[child] = entry.first.Mark().line + 1;  // the key's line reads best
        }
        return object;
      }
    }
    return nullptr;
  }

 private:
  ConfigDocument& document_;
};

}  // namespace

int ConfigDocument::LineOf(std::string pointer) const {
  while (true) {
    if (auto it = lines.find(pointer); it != lines.end()) return it->second;
    if (pointer.empty()) return 0;
    pointer.erase(pointer.rfind('/'));
  }
}

ConfigDocument ParseConfigDocument(const std::string& text, const std::string& label) {
  ConfigDocument document;
  document.file = label;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw Error(ErrorCode::kInvalidConfig, "YAML syntax error: " + e.msg,
                {.file = label, .line = e.mark.line + 1});
  }
  if (!root.IsMap()) {
    throw Error(ErrorCode::kInvalidConfig, "expected a mapping (key: value) at the top level",
                {.file = label, .line = 1, .json_path = "$"});
  }
  document.value = Converter(document).Convert(root, "");
  return document;
}

ConfigDocument LoadConfigDocument(const std::string& path) {
  return ParseConfigDocument(ReadFile(path), path);
}

std::string JsonPathFromPointer(const std::string& pointer) {
  std::string path = "$";
  std::size_t start = 1;
  while (start <= pointer.size() && !pointer.empty()) {
    std::size_t end = pointer.find('/', start);
    if (end == std::string::npos) end = pointer.size();
    std::string token = pointer.substr(start, end - start);
    for (std::size_t at = 0; (at = token.find("~1", at)) != std::string::npos;)
      token.replace(at, 2, "/");
    for (std::size_t at = 0; (at = token.find("~0", at)) != std::string::npos;)
      token.replace(at, 2, "~");
    const bool index = !token.empty() && token.find_first_not_of("0123456789") == std::string::npos;
    path += index ? "[" + token + "]" : "." + token;
    start = end + 1;
  }
  return path;
}

}  // namespace cairn::ingest
