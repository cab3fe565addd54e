#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cairn::catalog {

// Lists of strings (tags, owners, depends_on) are stored as JSON arrays.
std::string ToJsonArray(const std::vector<std::string>& values);

// The strings of a stored JSON array; anything else yields an empty list.
std::vector<std::string> ParseJsonArray(std::string_view json);

}  // namespace cairn::catalog
