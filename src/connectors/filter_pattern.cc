#include "connectors/filter_pattern.h"

#include <fmt/format.h>
#include <re2/re2.h>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace cairn::connectors {

struct FilterPattern::Impl {
  bool present = false;
  std::vector<std::unique_ptr<RE2>> includes;
  std::vector<std::unique_ptr<RE2>> excludes;

  static bool AnyMatches(const std::vector<std::unique_ptr<RE2>>& regexes, std::string_view name) {
    for (const auto& regex : regexes) {
      // Anchored at the start only, as re.match is.
      if (regex->Match(name, 0, name.size(), RE2::ANCHOR_START, nullptr, 0)) return true;
    }
    return false;
  }
};

namespace {

std::vector<std::unique_ptr<RE2>> Compile(const std::vector<std::string>& patterns,
                                          const std::string& json_path, const char* list) {
  RE2::Options options;
  options.set_case_sensitive(false);
  options.set_log_errors(false);
  std::vector<std::unique_ptr<RE2>> compiled;
  compiled.reserve(patterns.size());
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    auto regex = std::make_unique<RE2>(patterns[i], options);
    if (!regex->ok()) {
      throw Error(
          ErrorCode::kInvalidConfig,
          fmt::format("'{}' is not a valid regular expression: {}", patterns[i], regex->error()),
          {.json_path = fmt::format("{}.{}[{}]", json_path, list, i)});
    }
    compiled.push_back(std::move(regex));
  }
  return compiled;
}

std::vector<std::string> Strings(const nlohmann::json& pattern, const char* key) {
  auto it = pattern.find(key);
  if (it == pattern.end() || !it->is_array()) return {};
  std::vector<std::string> out;
  for (const auto& value : *it) {
    if (value.is_string()) out.push_back(value.get<std::string>());
  }
  return out;
}

}  // namespace

FilterPattern::FilterPattern() : impl_(std::make_unique<Impl>()) {}

FilterPattern::FilterPattern(const std::vector<std::string>& includes,
                             const std::vector<std::string>& excludes, const std::string& json_path)
    : impl_(std::make_unique<Impl>()) {
  impl_->present = true;
  impl_->includes = Compile(includes, json_path, "includes");
  impl_->excludes = Compile(excludes, json_path, "excludes");
}

FilterPattern::~FilterPattern() = default;
FilterPattern::FilterPattern(FilterPattern&&) noexcept = default;
FilterPattern& FilterPattern::operator=(FilterPattern&&) noexcept = default;

FilterPattern FilterPattern::FromJson(const nlohmann::json& pattern, const std::string& json_path) {
  if (!pattern.is_object()) return {};
  return {Strings(pattern, "includes"), Strings(pattern, "excludes"), json_path};
}

bool FilterPattern::Keeps(std::string_view name) const {
  if (!impl_->present) return true;
  if (name.empty()) return false;
  if (!impl_->includes.empty()) return Impl::AnyMatches(impl_->includes, name);
  return !Impl::AnyMatches(impl_->excludes, name);
}

}  // namespace cairn::connectors
