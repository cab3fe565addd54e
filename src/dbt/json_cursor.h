#pragma once

// Private to src/dbt: the one place that knows simdjson. Other layers include
// artifact_readers.h only.

#include <simdjson.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/error.h"
#include "dbt/project.h"

namespace cairn::dbt::internal {

namespace od = simdjson::ondemand;

// Loads a whole artifact into a padded buffer. Throws kNotFound when the file
// does not exist, kIo when it cannot be read.
simdjson::padded_string LoadArtifact(const std::string& path);

// The simdjson kernel On-Demand was compiled for ("haswell", "westmere", or
// "fallback" when the compile flags in CMakeLists.txt were lost).
std::string_view OnDemandKernel();

// Appends the JSON string body `escaped` (no quotes) to `out`, decoding
// escapes. Returns false on a malformed escape.
bool AppendUnescaped(std::string_view escaped, std::string& out);

// The JSON text of any value, as written (whitespace included); consumes it.
simdjson::error_code RawJson(od::value& value, std::string_view& raw);

// Appends `json` without the whitespace outside strings.
void AppendMinified(std::string_view json, std::string& out);

// A forward-only walk over one document with the JSON path of where it is, so
// that every failure names the file, the path and the byte offset.
//
// The path is a stack pushed and popped explicitly (not by RAII): when an
// error unwinds, the stack still holds the place it happened.
class JsonCursor {
 public:
  // `text` must outlive the cursor; string_views handed out point into it.
  // The cursor owns the text's pages: see ReleaseConsumed().
  JsonCursor(simdjson::padded_string& text, std::string label);

  // Walks the root object: validates metadata (wherever it is) against `kind`
  // and `max_version`, fills `metadata`, then calls fn(key, value) for every
  // other top-level field in document order. Throws on trailing content.
  // prescan(key, value), if given, sees the other top-level fields first, in
  // the same pass as the metadata check (to count entries and reserve).
  template <typename Fn>
  void ReadArtifact(ArtifactKind kind, int max_version, ArtifactMetadata& metadata, Fn&& fn) {
    ReadArtifact(kind, max_version, metadata, nullptr, fn);
  }
  template <typename Prescan, typename Fn>
  void ReadArtifact(ArtifactKind kind, int max_version, ArtifactMetadata& metadata,
                    Prescan&& prescan, Fn&& fn);

  // Gives the pages of the text already walked past back to the OS. Readers
  // call it between entries (nodes, results): everything read so far has been
  // copied out, and On-Demand never looks back. The text shrinks as the output
  // grows, so a large manifest peaks near (text + structural index) instead of
  // (text + index + output): 398 MB instead of 595 MB for a 231 MB manifest.
  void ReleaseConsumed();

  // fn(key, value) for each field; the key is the raw (escaped) text, which
  // equals the unescaped key for every key Cairn looks for.
  template <typename Fn>
  void Fields(od::value& value, Fn&& fn);
  // fn(value) for each element, or nothing for null.
  template <typename Fn>
  void Elements(od::value& value, Fn&& fn);

  // Scalars. null leaves `out` as it was and returns false.
  bool String(od::value& value, std::string& out);
  // A string, number or boolean as text (dbt writes versions as 2 or "2").
  bool Text(od::value& value, std::string& out);
  void StringList(od::value& value, std::vector<std::string>& out);
  // Any JSON value as compact text; null leaves `out` as it was.
  bool JsonText(od::value& value, std::string& out);
  std::optional<double> Double(od::value& value);
  std::optional<std::int64_t> Int(od::value& value);
  std::optional<bool> Bool(od::value& value);
  // Counts an object's fields without reading their values.
  std::uint64_t CountFields(od::value& value);

  // A key of a map (node ids, column names) unescaped, for when the body
  // does not repeat it.
  std::string KeyText(std::string_view raw_key);

  void Push(std::string_view key) {
    if (depth_ < path_.size()) path_[depth_] = {key, kNoIndex};
    ++depth_;
  }
  void PushIndex(std::size_t index) {
    if (depth_ < path_.size()) path_[depth_] = {{}, index};
    ++depth_;
  }
  void Pop() { --depth_; }
  std::string Path() const;
  const std::string& label() const { return label_; }

  // Errors at the current place.
  [[noreturn]] void Fail(simdjson::error_code code);
  [[noreturn]] void FailExpected(std::string_view what, simdjson::error_code code);
  [[noreturn]] void FailWith(ErrorCode code, std::string message,
                             std::optional<std::uint64_t> offset = std::nullopt);

 private:
  static constexpr std::size_t kNoIndex = static_cast<std::size_t>(-1);
  struct PathPart {
    std::string_view key;
    std::size_t index;
  };

  od::object RootObject();
  void ReadMetadata(od::value& value, ArtifactMetadata& metadata, std::string& schema_url);
  void CheckSchema(ArtifactKind kind, int max_version, const std::string& schema_url,
                   ArtifactMetadata& metadata);
  void CheckEnd();
  std::string_view StringToken(od::value& value, bool& is_null);
  std::optional<std::uint64_t> Offset();
  std::string_view RawKey(const od::raw_json_string& key) const;

  void PushTopLevel(std::string_view key);

  simdjson::padded_string& text_;
  std::string label_;
  od::parser parser_;
  od::document doc_;
  // Deeper levels are counted, not named; dbt artifacts stay far above this.
  std::array<PathPart, 32> path_{};
  std::size_t depth_ = 0;
  // The top-level key is copied: its text is released while its value is read.
  std::string top_level_key_;
  std::size_t released_ = 0;  // bytes of text_ given back, from the first page boundary
};

// --- templates -------------------------------------------------------------

template <typename Fn>
void JsonCursor::Fields(od::value& value, Fn&& fn) {
  auto object = value.get_object();
  if (object.error()) FailExpected("an object", object.error());
  for (auto field_result : object.value_unsafe()) {
    if (field_result.error()) Fail(field_result.error());
    od::field field = std::move(field_result.value_unsafe());
    std::string_view key = RawKey(field.key());
    Push(key);
    fn(key, field.value());
    Pop();
  }
}

template <typename Fn>
void JsonCursor::Elements(od::value& value, Fn&& fn) {
  auto array = value.get_array();
  if (array.error()) {
    auto null = value.is_null();
    if (!null.error() && null.value_unsafe()) return;
    FailExpected("an array", array.error());
  }
  std::size_t index = 0;
  for (auto element : array.value_unsafe()) {
    if (element.error()) Fail(element.error());
    PushIndex(index++);
    fn(element.value_unsafe());
    Pop();
  }
}

template <typename Prescan, typename Fn>
void JsonCursor::ReadArtifact(ArtifactKind kind, int max_version, ArtifactMetadata& metadata,
                              Prescan&& prescan, Fn&& fn) {
  constexpr bool kPrescan = !std::is_same_v<std::decay_t<Prescan>, std::nullptr_t>;
  bool seen_metadata = false;
  std::string schema_url;
  {
    // dbt-core writes metadata first; dbt Fusion sorts the keys. Either way
    // the kind is checked before anything else is read.
    od::object root = RootObject();
    for (auto field_result : root) {
      if (field_result.error()) Fail(field_result.error());
      od::field field = std::move(field_result.value_unsafe());
      std::string_view key = RawKey(field.key());
      if (key == "metadata") {
        Push("metadata");
        ReadMetadata(field.value(), metadata, schema_url);
        Pop();
        seen_metadata = true;
        if (!kPrescan) break;
      } else if constexpr (kPrescan) {
        Push(key);
        prescan(key, field.value());
        Pop();
      }
    }
  }
  if (!seen_metadata || schema_url.empty()) {
    FailWith(ErrorCode::kParse, "is not a dbt artifact: metadata.dbt_schema_version is missing");
  }
  Push("metadata");
  Push("dbt_schema_version");
  CheckSchema(kind, max_version, schema_url, metadata);
  Pop();
  Pop();
  doc_.rewind();
  od::object root = RootObject();
  for (auto field_result : root) {
    if (field_result.error()) Fail(field_result.error());
    od::field field = std::move(field_result.value_unsafe());
    std::string_view key = RawKey(field.key());
    if (key == "metadata") continue;
    PushTopLevel(key);
    fn(std::string_view(top_level_key_), field.value());
    Pop();
  }
  CheckEnd();
}

// Parses one artifact: `Reader(cursor, artifact).Read()` over the whole text.
// The text is taken by value so that it is freed as soon as parsing ends.
template <typename Artifact, typename Reader>
Artifact ParseArtifact(simdjson::padded_string text, const std::string& label) {
  Artifact artifact;
  JsonCursor cursor(text, label);
  Reader(cursor, artifact).Read();
  return artifact;
}

}  // namespace cairn::dbt::internal
