#include "core/timestamp.h"

#include <fmt/format.h>

#include <charconv>
#include <ctime>

namespace cairn {
namespace {

bool ReadInt(std::string_view text, std::size_t at, std::size_t digits, int& out) {
  if (at + digits > text.size()) return false;
  auto [end, ec] = std::from_chars(text.data() + at, text.data() + at + digits, out);
  return ec == std::errc() && end == text.data() + at + digits;
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> ParseUtcTimestamp(std::string_view text) {
  std::tm tm{};
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (text.size() < 19 || !ReadInt(text, 0, 4, year) || text[4] != '-' ||
      !ReadInt(text, 5, 2, month) || text[7] != '-' || !ReadInt(text, 8, 2, day) ||
      (text[10] != 'T' && text[10] != ' ') || !ReadInt(text, 11, 2, hour) || text[13] != ':' ||
      !ReadInt(text, 14, 2, minute) || text[16] != ':' || !ReadInt(text, 17, 2, second)) {
    return std::nullopt;
  }
  std::size_t at = 19;
  std::chrono::microseconds fraction{0};
  if (at < text.size() && text[at] == '.') {
    std::size_t start = ++at;
    long long micros = 0;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      if (at - start < 6) micros = micros * 10 + (text[at] - '0');
      ++at;
    }
    if (at == start) return std::nullopt;
    for (std::size_t digits = at - start; digits < 6; ++digits) micros *= 10;
    fraction = std::chrono::microseconds(micros);
  }
  std::string_view zone = text.substr(at);
  if (zone != "Z" && zone != "+00:00" && zone != "+0000") return std::nullopt;
  // system_clock counts nanoseconds in 64 bits: it ends in 2262.
  if (year < 1970 || year > 2200 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 ||
      minute > 59 || second > 60) {
    return std::nullopt;
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  std::time_t seconds = timegm(&tm);
  return std::chrono::system_clock::from_time_t(seconds) + fraction;
}

std::string FormatUtcTimestamp(std::chrono::system_clock::time_point time) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()) % 1000;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis.count());
}

}  // namespace cairn
