#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cairn::ingest {

// A source a team connects to Cairn; for now "dbt_core": dbt Core artifacts
// pushed by upload. `settings_json` holds its settings as validated JSON
// ({"service": "...", "include_tags": true}).
struct Integration {
  std::string id;  // UUID v4
  std::string name;
  std::string type;
  std::string settings_json = "{}";
  std::string created_at;
  std::string updated_at;
};

struct RunLogLine {
  std::string time;
  std::string level;  // info, warning, error
  std::string message;
};

inline constexpr const char* kRunQueued = "queued";
inline constexpr const char* kRunRunning = "running";
inline constexpr const char* kRunSucceeded = "succeeded";
inline constexpr const char* kRunFailed = "failed";

// One extraction of an integration's artifacts into the catalog:
// queued -> running -> succeeded | failed.
struct ExtractionRun {
  std::int64_t id = 0;
  std::string integration_id;
  std::string trigger;  // "upload:manifest", "upload_artifacts", "trigger", "sync", ...
  std::string status;
  std::string created_at;
  std::string started_at;
  std::string finished_at;
  std::string counts_json = "{}";  // what the run changed, from the ingest report
  std::string error;
  std::vector<RunLogLine> log;  // filled when asked for
};

}  // namespace cairn::ingest
