#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace cairn::server {

// Percent-decodes `text`; in query strings '+' also means a space. nullopt
// for a malformed escape ("%G1", a '%' at the end).
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space);

// Splits a request target into its decoded path and decoded query
// parameters. Malformed escapes are kept as they were sent.
void SplitTarget(std::string_view target, std::string& path,
                 std::multimap<std::string, std::string>& query);

}  // namespace cairn::server
