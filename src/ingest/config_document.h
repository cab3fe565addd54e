#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace cairn::ingest {

// A configuration file (YAML, or JSON, which YAML reads too) as JSON, with
// the line each value came from so that errors can point into the file.
struct ConfigDocument {
  std::string file;
  nlohmann::json value;
  std::map<std::string, int> lines;  // JSON pointer ("/source/type") -> 1-based line

  // The line of the value at `pointer`, or of its nearest ancestor that has one.
  int LineOf(std::string pointer) const;
};

// Plain scalars follow YAML 1.2's core schema (true/false, null/~, numbers);
// quoted scalars are always strings. Throws Error kInvalidConfig with the
// file and line on a YAML syntax error, kNotFound when the file is missing.
ConfigDocument LoadConfigDocument(const std::string& path);
ConfigDocument ParseConfigDocument(const std::string& text, const std::string& label);

// "$.source.sourceConfig" for "/source/sourceConfig"; array indexes as [N].
std::string JsonPathFromPointer(const std::string& pointer);

}  // namespace cairn::ingest
