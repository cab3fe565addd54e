#include <simdjson.h>

#include <string>
#include <string_view>

#include "dbt/artifact_readers.h"
#include "dbt/json_cursor.h"

namespace cairn::dbt {
namespace {

using internal::JsonCursor;
using internal::od::value;

class SourceFreshnessReader {
 public:
  SourceFreshnessReader(JsonCursor& cursor, SourceFreshness& freshness)
      : in_(cursor), out_(freshness) {}

  void Read() {
    in_.ReadArtifact(ArtifactKind::kSources, kMaxSourcesVersion, out_.metadata,
                     [this](std::string_view key, value& v) {
                       if (key == "results") {
                         in_.Elements(v, [this](value& result) {
                           Result(result);
                           in_.ReleaseConsumed();
                         });
                       } else if (key == "elapsed_time") {
                         out_.elapsed_time = in_.Double(v).value_or(0);
                       }
                     });
  }

 private:
  void Result(value& body) {
    FreshnessResult& result = out_.results.emplace_back();
    in_.Fields(body, [&](std::string_view key, value& v) {
      if (key == "unique_id") {
        in_.String(v, result.unique_id);
      } else if (key == "status") {
        in_.String(v, result.status);
      } else if (key == "max_loaded_at") {
        in_.String(v, result.max_loaded_at);
      } else if (key == "snapshotted_at") {
        in_.String(v, result.snapshotted_at);
      } else if (key == "max_loaded_at_time_ago_in_s") {
        result.max_loaded_at_time_ago_in_s = in_.Double(v);
      } else if (key == "criteria") {
        in_.JsonText(v, result.criteria_json);
      } else if (key == "error") {
        in_.Text(v, result.error);  // runtime errors only
      } else if (key == "execution_time") {
        result.execution_time = in_.Double(v).value_or(0);
      }
    });
  }

  JsonCursor& in_;
  SourceFreshness& out_;
};

}  // namespace

SourceFreshness ParseSourceFreshness(const std::string& json, const std::string& label) {
  return internal::ParseArtifact<SourceFreshness, SourceFreshnessReader>(
      simdjson::padded_string(json), label);
}

SourceFreshness ReadSourceFreshness(const std::string& path) {
  return internal::ParseArtifact<SourceFreshness, SourceFreshnessReader>(
      internal::LoadArtifact(path), path);
}

}  // namespace cairn::dbt
