#include "catalog/search_terms.h"

#include <fmt/format.h>

#include <array>

#include "core/error.h"

namespace cairn::catalog {
namespace {

constexpr std::array<const char*, kTestStatusCount> kTestStatusNames = {"none", "pass", "warn",
                                                                        "fail", "error"};

}  // namespace

const char* TestStatusName(std::int64_t code) {
  return code >= 0 && code < static_cast<std::int64_t>(kTestStatusNames.size())
             ? kTestStatusNames.at(static_cast<std::size_t>(code))
             : "none";
}

int TestStatusCode(std::string_view name) {
  if (name.empty()) return -1;
  for (std::size_t i = 0; i < kTestStatusNames.size(); ++i) {
    if (name == kTestStatusNames.at(i)) return static_cast<int>(i);
  }
  throw Error(ErrorCode::kInvalidArgument,
              fmt::format("unknown test status '{}' (known: error, fail, warn, pass, none)", name));
}

int TestRank(std::string_view status) {
  if (status == "error") return 4;
  if (status == "fail") return 3;
  if (status == "warn") return 2;
  if (status == "pass" || status == "success") return 1;
  return 0;
}

bool IsTest(std::string_view resource_type) {
  return resource_type == "test" || resource_type == "unit_test";
}

std::vector<std::string_view> SearchWords(std::string_view text) {
  auto is_word_byte = [](unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           c >= 0x80;
  };
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !is_word_byte(static_cast<unsigned char>(text[i]))) ++i;
    std::size_t start = i;
    while (i < text.size() && is_word_byte(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
  }
  return words;
}

}  // namespace cairn::catalog
