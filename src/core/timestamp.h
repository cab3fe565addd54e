#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace cairn {

// ISO-8601 UTC timestamps as Cairn writes them ("2026-11-22T18:40:05.123Z")
// and reads them: "YYYY-MM-DDTHH:MM:SS", optional fraction, then "Z" or
// "+00:00" (a space may stand for the "T"). nullopt for anything else.
std::optional<std::chrono::system_clock::time_point> ParseUtcTimestamp(std::string_view text);

std::string FormatUtcTimestamp(std::chrono::system_clock::time_point time);

}  // namespace cairn
