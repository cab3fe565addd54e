#include <simdjson.h>

#include <cstdlib>
#include <string>
#include <string_view>

#include "dbt/artifact_readers.h"
#include "dbt/json_cursor.h"

namespace cairn::dbt {
namespace {

using internal::JsonCursor;
using internal::od::value;

// adapter_response.rows_affected, read from the compact text kept anyway.
std::optional<std::int64_t> RowsAffected(const std::string& adapter_response) {
  static constexpr std::string_view kKey = "\"rows_affected\":";
  std::size_t at = adapter_response.find(kKey);
  if (at == std::string::npos) return std::nullopt;
  const char* begin = adapter_response.c_str() + at + kKey.size();
  char* end = nullptr;
  long long rows = std::strtoll(begin, &end, 10);
  if (end == begin) return std::nullopt;  // null
  return static_cast<std::int64_t>(rows);
}

class RunResultsReader {
 public:
  RunResultsReader(JsonCursor& cursor, RunResults& results) : in_(cursor), out_(results) {}

  void Read() {
    in_.ReadArtifact(ArtifactKind::kRunResults, kMaxRunResultsVersion, out_.metadata,
                     [this](std::string_view key, value& v) {
                       if (key == "results") {
                         in_.Elements(v, [this](value& result) {
                           Result(result);
                           in_.ReleaseConsumed();
                         });
                       } else if (key == "elapsed_time") {
                         out_.elapsed_time = in_.Double(v).value_or(0);
                       } else if (key == "args") {
                         in_.Fields(v, [this](std::string_view arg, value& av) {
                           if (arg == "which") in_.String(av, out_.command);
                         });
                       }
                     });
  }

 private:
  void Result(value& body) {
    NodeResult& result = out_.results.emplace_back();
    in_.Fields(body, [&](std::string_view key, value& v) {
      if (key == "unique_id") {
        in_.String(v, result.unique_id);
      } else if (key == "status") {
        in_.Text(v, result.status);  // dbt < 0.19 wrote a test's failure count here
      } else if (key == "execution_time") {
        result.execution_time = in_.Double(v).value_or(0);
      } else if (key == "timing") {
        Timing(v, result);
      } else if (key == "message") {
        in_.Text(v, result.message);
      } else if (key == "failures") {
        result.failures = in_.Int(v);
      } else if (key == "adapter_response") {
        if (in_.JsonText(v, result.adapter_response_json)) {
          result.rows_affected = RowsAffected(result.adapter_response_json);
        }
      } else if (key == "thread_id") {
        in_.String(v, result.thread_id);
      }
    });
  }

  // started_at/completed_at of the execute step, else of compile.
  void Timing(value& v, NodeResult& result) {
    bool have_execute = false;
    in_.Elements(v, [&](value& step) {
      name_.clear();
      started_.clear();
      completed_.clear();
      in_.Fields(step, [&](std::string_view key, value& fv) {
        if (key == "name") {
          in_.String(fv, name_);
        } else if (key == "started_at") {
          in_.String(fv, started_);
        } else if (key == "completed_at") {
          in_.String(fv, completed_);
        }
      });
      if (name_ == "execute") {
        result.started_at = started_;
        result.completed_at = completed_;
        have_execute = true;
      } else if (name_ == "compile" && !have_execute) {
        result.started_at = started_;
        result.completed_at = completed_;
      }
    });
  }

  JsonCursor& in_;
  RunResults& out_;
  std::string name_, started_, completed_;
};

}  // namespace

RunResults ParseRunResults(const std::string& json, const std::string& label) {
  return internal::ParseArtifact<RunResults, RunResultsReader>(simdjson::padded_string(json),
                                                               label);
}

RunResults ReadRunResults(const std::string& path) {
  return internal::ParseArtifact<RunResults, RunResultsReader>(internal::LoadArtifact(path), path);
}

}  // namespace cairn::dbt
