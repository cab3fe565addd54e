#include "dbt/json_cursor.h"

#include <fmt/format.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

namespace cairn::dbt::internal {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

std::string_view TrimRight(std::string_view text) {
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  return text;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Four hex digits at text[pos..pos+4), or -1.
long ReadHex4(std::string_view text, std::size_t pos) {
  if (pos + 4 > text.size()) return -1;
  long value = 0;
  for (std::size_t i = pos; i < pos + 4; ++i) {
    int digit = HexValue(text[i]);
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

void AppendUtf8(unsigned long code_point, std::string& out) {
  auto byte = [&out](unsigned long b) { out.push_back(static_cast<char>(b)); };
  if (code_point < 0x80) {
    byte(code_point);
  } else if (code_point < 0x800) {
    byte(0xC0 | (code_point >> 6));
    byte(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    byte(0xE0 | (code_point >> 12));
    byte(0x80 | ((code_point >> 6) & 0x3F));
    byte(0x80 | (code_point & 0x3F));
  } else {
    byte(0xF0 | (code_point >> 18));
    byte(0x80 | ((code_point >> 12) & 0x3F));
    byte(0x80 | ((code_point >> 6) & 0x3F));
    byte(0x80 | (code_point & 0x3F));
  }
}

bool IsIdentifier(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return !(key[0] >= '0' && key[0] <= '9');
}

}  // namespace

// The macro, not simdjson::builtin_implementation(): that function lives in
// Debian's shared library, which was built for the fallback kernel.
std::string_view OnDemandKernel() {
  return SIMDJSON_STRINGIFY(SIMDJSON_BUILTIN_IMPLEMENTATION);
}

simdjson::padded_string LoadArtifact(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    throw Error(ErrorCode::kNotFound, "file does not exist", {.file = path});
  }
  if (std::filesystem::is_directory(path, ec)) {
    throw Error(ErrorCode::kIo, fmt::format("{} is a directory, expected a JSON file", path),
                {.file = path});
  }
  auto loaded = simdjson::padded_string::load(path);
  if (loaded.error()) {
    throw Error(ErrorCode::kIo,
                fmt::format("cannot read {}: {}", path, simdjson::error_message(loaded.error())),
                {.file = path});
  }
  return std::move(loaded).value_unsafe();
}

bool AppendUnescaped(std::string_view escaped, std::string& out) {
  out.reserve(out.size() + escaped.size());
  std::size_t pos = 0;
  const std::size_t size = escaped.size();
  while (pos < size) {
    const void* found = std::memchr(escaped.data() + pos, '\\', size - pos);
    std::size_t slash =
        found ? static_cast<std::size_t>(static_cast<const char*>(found) - escaped.data()) : size;
    out.append(escaped.data() + pos, slash - pos);
    if (slash == size) break;
    if (slash + 1 >= size) return false;
    pos = slash + 2;
    switch (escaped[slash + 1]) {
      case '"':
        out.push_back('"');
        break;
      case '\\':
        out.push_back('\\');
        break;
      case '/':
        out.push_back('/');
        break;
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'u': {
        long unit = ReadHex4(escaped, pos);
        if (unit < 0) return false;
        pos += 4;
        auto code_point = static_cast<unsigned long>(unit);
        if (code_point >= 0xD800 && code_point <= 0xDBFF) {
          // A high surrogate must be followed by \uDC00-\uDFFF.
          long low = -1;
          if (pos + 6 <= size && escaped[pos] == '\\' && escaped[pos + 1] == 'u') {
            low = ReadHex4(escaped, pos + 2);
          }
          if (low < 0xDC00 || low > 0xDFFF) {
            code_point = 0xFFFD;  // lone surrogate: what Python's json would keep is not UTF-8
          } else {
            pos += 6;
            code_point = 0x10000 + ((code_point - 0xD800) << 10) +
                         (static_cast<unsigned long>(low) - 0xDC00);
          }
        } else if (code_point >= 0xDC00 && code_point <= 0xDFFF) {
          code_point = 0xFFFD;
        }
        AppendUtf8(code_point, out);
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

void AppendMinified(std::string_view json, std::string& out) {
  out.reserve(out.size() + json.size());
  bool in_string = false;
  for (std::size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (in_string) {
      out.push_back(c);
      if (c == '\\' && i + 1 < json.size()) {
        out.push_back(json[++i]);
      } else if (c == '"') {
        in_string = false;
      }
    } else if (!IsSpace(c)) {
      out.push_back(c);
      in_string = c == '"';
    }
  }
}

JsonCursor::JsonCursor(simdjson::padded_string& text, std::string label)
    : text_(text), label_(std::move(label)) {
  auto doc = parser_.iterate(text_);
  if (doc.error()) Fail(doc.error());
  doc_ = std::move(doc.value_unsafe());
}

od::object JsonCursor::RootObject() {
  auto object = doc_.get_object();
  if (object.error()) FailExpected("an object", object.error());
  return object.value_unsafe();
}

std::string_view JsonCursor::RawKey(const od::raw_json_string& key) const {
  // Stage 1 validated the document, so the closing quote is there.
  const char* start = key.raw();
  const char* end = start;
  const char* limit = text_.data() + text_.size();
  for (;;) {
    end = static_cast<const char*>(std::memchr(end, '"', static_cast<std::size_t>(limit - end)));
    if (end == nullptr) return {start, static_cast<std::size_t>(limit - start)};
    std::size_t slashes = 0;
    while (end - slashes > start && end[-1 - static_cast<std::ptrdiff_t>(slashes)] == '\\') {
      ++slashes;
    }
    if (slashes % 2 == 0) break;
    ++end;
  }
  return {start, static_cast<std::size_t>(end - start)};
}

void JsonCursor::PushTopLevel(std::string_view key) {
  top_level_key_.assign(key);
  Push(top_level_key_);
}

void JsonCursor::ReleaseConsumed() {
  // Worth a system call only every few megabytes.
  constexpr std::size_t kStep = std::size_t{8} << 20;
  if (text_.size() < 2 * kStep) return;
  auto location = doc_.current_location();
  if (location.error()) return;
  // Offsets from the start of the text; madvise wants whole pages.
  char* const data = text_.data();
  const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  const std::size_t skew = reinterpret_cast<std::uintptr_t>(data) % page;
  const std::size_t first = skew == 0 ? 0 : page - skew;  // the first page boundary
  const auto* token = reinterpret_cast<const char*>(location.value_unsafe());
  const auto here = static_cast<std::size_t>(token - data);
  // Keep the page holding the current token (and the one before it).
  if (here < first + 2 * page) return;
  const std::size_t last = first + (here - first - page) / page * page;
  if (last <= first + released_ || last - (first + released_) < kStep) return;
  if (madvise(data + first + released_, last - (first + released_), MADV_DONTNEED) == 0) {
    released_ = last - first;
  }
}

std::string JsonCursor::KeyText(std::string_view raw_key) {
  if (raw_key.find('\\') == std::string_view::npos) return std::string(raw_key);
  std::string out;
  if (!AppendUnescaped(raw_key, out)) FailWith(ErrorCode::kParse, "invalid escape in a key");
  return out;
}

std::string JsonCursor::Path() const {
  std::string out = "$";
  for (std::size_t i = 0; i < depth_; ++i) {
    if (i == path_.size()) {
      out += "...";
      break;
    }
    const PathPart& part = path_[i];
    if (part.index != kNoIndex) {
      out += fmt::format("[{}]", part.index);
    } else if (IsIdentifier(part.key)) {
      out += '.';
      out += part.key;
    } else {
      out += "[\"";
      out += part.key;
      out += "\"]";
    }
  }
  return out;
}

std::optional<std::uint64_t> JsonCursor::Offset() {
  auto location = doc_.current_location();
  if (location.error()) return text_.size();
  return static_cast<std::uint64_t>(location.value_unsafe() - text_.data());
}

void JsonCursor::FailWith(ErrorCode code, std::string message,
                          std::optional<std::uint64_t> offset) {
  throw Error(code, std::move(message),
              {.file = label_, .offset = offset, .json_path = depth_ == 0 ? "" : Path()});
}

void JsonCursor::Fail(simdjson::error_code code) {
  switch (code) {
    case simdjson::EMPTY:
      throw Error(ErrorCode::kParse, "the file is empty, expected a JSON object",
                  {.file = label_, .offset = 0});
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
      throw Error(ErrorCode::kParse,
                  "the JSON ends in the middle of an object or array (truncated file?)",
                  {.file = label_, .offset = text_.size(), .json_path = Path()});
    case simdjson::UNCLOSED_STRING:
      throw Error(ErrorCode::kParse, "a string is never closed (truncated file?)",
                  {.file = label_, .offset = text_.size(), .json_path = Path()});
    case simdjson::UTF8_ERROR:
    case simdjson::UNESCAPED_CHARS:
    case simdjson::DEPTH_ERROR:
    case simdjson::CAPACITY:
      // Found by stage 1, before any place in the document is known.
      throw Error(ErrorCode::kParse, fmt::format("invalid JSON: {}", simdjson::error_message(code)),
                  {.file = label_});
    default:
      throw Error(ErrorCode::kParse, fmt::format("invalid JSON: {}", simdjson::error_message(code)),
                  {.file = label_, .offset = Offset(), .json_path = Path()});
  }
}

void JsonCursor::FailExpected(std::string_view what, simdjson::error_code code) {
  if (code != simdjson::INCORRECT_TYPE) Fail(code);
  throw Error(ErrorCode::kParse, fmt::format("expected {}", what),
              {.file = label_, .offset = Offset(), .json_path = Path()});
}

std::string_view JsonCursor::StringToken(od::value& value, bool& is_null) {
  // The raw token avoids simdjson's string buffer: most strings have no
  // escapes and are copied once, straight from the file.
  std::string_view token = TrimRight(value.raw_json_token());
  is_null = false;
  if (token.size() >= 2 && token.front() == '"' && token.back() == '"') {
    return token.substr(1, token.size() - 2);
  }
  if (token == "null") {
    is_null = true;
    return {};
  }
  FailExpected("a string", simdjson::INCORRECT_TYPE);
}

bool JsonCursor::String(od::value& value, std::string& out) {
  bool is_null = false;
  std::string_view body = StringToken(value, is_null);
  if (is_null) return false;
  if (std::memchr(body.data(), '\\', body.size()) == nullptr) {
    out.assign(body);
  } else {
    out.clear();
    if (!AppendUnescaped(body, out)) FailWith(ErrorCode::kParse, "invalid escape in a string");
  }
  return true;
}

bool JsonCursor::Text(od::value& value, std::string& out) {
  std::string_view token = TrimRight(value.raw_json_token());
  if (!token.empty() && token.front() == '"') return String(value, out);
  if (token == "null") return false;
  if (token.empty() || token.front() == '{' || token.front() == '[') {
    FailExpected("a string or number", simdjson::INCORRECT_TYPE);
  }
  out.assign(token);
  return true;
}

void JsonCursor::StringList(od::value& value, std::vector<std::string>& out) {
  std::string_view token = value.raw_json_token();
  if (!token.empty() && token.front() == '"') {
    // config.tags and meta.owner may be one string.
    out.emplace_back();
    String(value, out.back());
    return;
  }
  Elements(value, [&](od::value& element) {
    std::string text;
    if (String(element, text)) out.push_back(std::move(text));
  });
}

simdjson::error_code RawJson(od::value& value, std::string_view& raw) {
  od::json_type type;
  if (auto error = value.type().get(type)) return error;
  switch (type) {
    case od::json_type::object: {
      od::object object;
      if (auto error = value.get_object().get(object)) return error;
      return object.raw_json().get(raw);
    }
    case od::json_type::array: {
      od::array array;
      if (auto error = value.get_array().get(array)) return error;
      return array.raw_json().get(raw);
    }
    default:
      raw = TrimRight(value.raw_json_token());
      return simdjson::SUCCESS;
  }
}

bool JsonCursor::JsonText(od::value& value, std::string& out) {
  std::string_view raw;
  if (auto error = RawJson(value, raw)) Fail(error);
  if (raw == "null") return false;
  out.clear();
  AppendMinified(raw, out);
  return true;
}

std::optional<double> JsonCursor::Double(od::value& value) {
  auto number = value.get_double();
  if (!number.error()) return number.value_unsafe();
  auto null = value.is_null();
  if (!null.error() && null.value_unsafe()) return std::nullopt;
  FailExpected("a number", number.error());
}

std::optional<std::int64_t> JsonCursor::Int(od::value& value) {
  auto number = value.get_int64();
  if (!number.error()) return number.value_unsafe();
  auto real = value.get_double();
  if (!real.error()) return static_cast<std::int64_t>(real.value_unsafe());
  auto null = value.is_null();
  if (!null.error() && null.value_unsafe()) return std::nullopt;
  FailExpected("an integer", number.error());
}

std::optional<bool> JsonCursor::Bool(od::value& value) {
  auto flag = value.get_bool();
  if (!flag.error()) return flag.value_unsafe();
  auto null = value.is_null();
  if (!null.error() && null.value_unsafe()) return std::nullopt;
  FailExpected("a boolean", flag.error());
}

std::uint64_t JsonCursor::CountFields(od::value& value) {
  std::uint64_t count = 0;
  auto object = value.get_object();
  if (object.error()) {
    auto null = value.is_null();
    if (!null.error() && null.value_unsafe()) return 0;
    FailExpected("an object", object.error());
  }
  for (auto field : object.value_unsafe()) {
    if (field.error()) Fail(field.error());
    ++count;
  }
  return count;
}

void JsonCursor::ReadMetadata(od::value& value, ArtifactMetadata& metadata,
                              std::string& schema_url) {
  Fields(value, [&](std::string_view key, od::value& field) {
    if (key == "dbt_schema_version") {
      String(field, schema_url);
    } else if (key == "dbt_version") {
      String(field, metadata.dbt_version);
    } else if (key == "generated_at") {
      String(field, metadata.generated_at);
    } else if (key == "invocation_id") {
      String(field, metadata.invocation_id);
    } else if (key == "adapter_type") {
      String(field, metadata.adapter_type);
    } else if (key == "project_name") {
      String(field, metadata.project_name);
    }
  });
}

void JsonCursor::CheckSchema(ArtifactKind kind, int max_version, const std::string& schema_url,
                             ArtifactMetadata& metadata) {
  // "https://schemas.getdbt.com/dbt/manifest/v12.json"
  std::string_view url = schema_url;
  std::size_t dbt = url.rfind("/dbt/");
  std::string_view rest = dbt == std::string_view::npos ? url : url.substr(dbt + 5);
  std::size_t slash = rest.find("/v");
  int version = 0;
  bool digits = false;
  if (slash != std::string_view::npos) {
    for (std::size_t i = slash + 2; i < rest.size() && rest[i] >= '0' && rest[i] <= '9'; ++i) {
      digits = true;
      version = version * 10 + (rest[i] - '0');
      if (version > 1000000) break;
    }
  }
  if (dbt == std::string_view::npos || !digits) {
    FailWith(ErrorCode::kParse,
             fmt::format("is not a dbt artifact: metadata.dbt_schema_version \"{}\" is not a dbt "
                         "schema URL",
                         schema_url));
  }
  std::string_view found = rest.substr(0, slash);
  std::string_view expected = ArtifactKindName(kind);
  if (found != expected) {
    FailWith(ErrorCode::kParse,
             fmt::format("is a dbt {} artifact, expected a {}", found,
                         kind == ArtifactKind::kSources ? std::string("sources (freshness) file")
                                                        : std::string(expected)));
  }
  if (version > max_version) {
    FailWith(ErrorCode::kUnsupported,
             fmt::format("{} schema v{} is newer than this Cairn supports (v1–v{})", expected,
                         version, max_version));
  }
  if (version < 1) {
    FailWith(ErrorCode::kUnsupported, fmt::format("{} schema v{} is not known", expected, version));
  }
  metadata.kind = kind;
  metadata.schema_version = version;
}

void JsonCursor::CheckEnd() {
  auto location = doc_.current_location();
  if (location.error()) return;  // at the end, as it should be
  depth_ = 0;
  FailWith(ErrorCode::kParse, "unexpected content after the JSON document",
           static_cast<std::uint64_t>(location.value_unsafe() - text_.data()));
}

}  // namespace cairn::dbt::internal
