#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "ingest/config_document.h"

namespace cairn::ingest {

// Validates configuration against one of Cairn's JSON Schemas (schemas/,
// compiled into the binary). Errors say where (file, line, JSON path) and
// what was expected, e.g.
//   workflow.yaml:12: at $.source.sourceConfig.config.includeTags: expected a boolean, found a
//   string
class SchemaValidator {
 public:
  // `name` is the path under schemas/, e.g. "workflow.json". Throws
  // Error kInternal when no such schema is compiled in.
  explicit SchemaValidator(std::string_view name);
  ~SchemaValidator();
  SchemaValidator(SchemaValidator&&) noexcept;
  SchemaValidator& operator=(SchemaValidator&&) noexcept;

  // Validates the value at `pointer` (a JSON pointer, "" for the whole
  // document). Throws Error kInvalidConfig for the most specific problem.
  void Validate(const ConfigDocument& document, const std::string& pointer = "") const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The text of a compiled-in schema; empty when there is none.
std::string_view EmbeddedSchemaText(std::string_view name);

}  // namespace cairn::ingest
