#pragma once

#include <string>
#include <string_view>

namespace cairn {

// `text` with A-Z lower-cased and every other byte as it is (HTTP header
// names, SQL adapters' identifiers, enum-like values): no locale involved.
std::string AsciiLower(std::string_view text);

}  // namespace cairn
