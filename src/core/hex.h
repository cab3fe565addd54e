#pragma once

#include <cstddef>
#include <string>

namespace cairn {

// Lower-case hex of `count` bytes (digests, random ids).
std::string HexLower(const unsigned char* bytes, std::size_t count);

}  // namespace cairn
