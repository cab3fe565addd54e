#pragma once

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

// OpenMetadata's FilterPattern ({includes: [regex], excludes: [regex]}) as
// its ingestion applies it (../shared/reference/openmetadata-workflow.md §4):
// a regex matches when it matches at the start of the name, in any case
// (Python's re.match with IGNORECASE: `sales` keeps `sales_2024`, `sales$`
// only `sales`). When includes are given, a name is kept iff one of them
// matches and the excludes are ignored; otherwise it is dropped iff an
// exclude matches. With a pattern, an empty name is dropped. Patterns are
// RE2 syntax, which is Python's without backreferences and lookaround.
namespace cairn::connectors {

class FilterPattern {
 public:
  // Keeps everything.
  FilterPattern();
  // Compiles every regex first. Throws Error kInvalidConfig naming
  // `json_path` (e.g. "$.source.sourceConfig.config.tableFilterPattern") and
  // the regex when one is not valid.
  FilterPattern(const std::vector<std::string>& includes, const std::vector<std::string>& excludes,
                const std::string& json_path);
  ~FilterPattern();
  FilterPattern(FilterPattern&&) noexcept;
  FilterPattern& operator=(FilterPattern&&) noexcept;

  // `pattern` is a FilterPattern object, or absent (null): keep everything.
  static FilterPattern FromJson(const nlohmann::json& pattern, const std::string& json_path);

  bool Keeps(std::string_view name) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cairn::connectors
