#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/model.h"

// What the stores' search indexes share: the test status of a document or
// lineage vertex (SearchHit::test_status) as a code, worst high; the words of
// a query; facet counting.
namespace cairn::catalog {

// 0 none, 1 pass, 2 warn, 3 fail, 4 error.
inline constexpr std::size_t kTestStatusCount = 5;
const char* TestStatusName(std::int64_t code);

// The code of a SearchQuery::test_status filter, -1 for none (empty).
// Throws kInvalidArgument for an unknown name.
int TestStatusCode(std::string_view name);

// The code of a test's latest result; dbt writes "success" for a passing
// test in some versions, and "skipped" counts as none.
int TestRank(std::string_view status);

bool IsTest(std::string_view resource_type);

// Tests are named after what they test (unique_fct_daily_revenue_...), so
// they would crowd out the models people look for; they rank at a third of
// their text score.
inline constexpr double kTestWeight = 0.33;

// The words of what a user typed: runs of ASCII letters, digits, '_' and
// any byte of a multi-byte character; everything else separates them.
std::vector<std::string_view> SearchWords(std::string_view text);

// Counts the values of one facet; Top() lists the most frequent.
class FacetCounter {
 public:
  void Add(std::string_view value) { Add(value, 1); }
  // Values between U+001F separators, as tag_list and owner_list hold them.
  void AddList(std::string_view list) {
    std::size_t start = 0;
    while (start < list.size()) {
      std::size_t end = list.find('\x1f', start);
      if (end == std::string_view::npos) end = list.size();
      Add(list.substr(start, end - start));
      start = end + 1;
    }
  }
  void Add(std::string_view value, std::int64_t count) {
    if (value.empty() || count <= 0) return;
    auto it = counts_.find(value);
    if (it == counts_.end()) {
      counts_.emplace(value, count);
    } else {
      it->second += count;
    }
  }
  std::vector<FacetCount> Top() const {
    std::vector<FacetCount> top;
    top.reserve(counts_.size());
    for (const auto& [value, count] : counts_) top.push_back({value, count});
    std::size_t kept = std::min(top.size(), SearchFacets::kMaxFacetValues);
    std::partial_sort(top.begin(), top.begin() + static_cast<std::ptrdiff_t>(kept), top.end(),
                      [](const FacetCount& a, const FacetCount& b) {
                        return a.count != b.count ? a.count > b.count : a.value < b.value;
                      });
    top.resize(kept);
    return top;
  }

 private:
  std::map<std::string, std::int64_t, std::less<>> counts_;
};

}  // namespace cairn::catalog
