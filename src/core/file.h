#pragma once

#include <string>

namespace cairn {

// Reads a whole file. Throws Error kNotFound when it does not exist and kIo
// when it cannot be read; the message names the path.
std::string ReadFile(const std::string& path);

// Writes a file atomically: a temporary beside it, then rename.
void WriteFileAtomically(const std::string& path, const std::string& content);

}  // namespace cairn
