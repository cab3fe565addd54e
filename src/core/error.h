#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace cairn {

// The kinds of failure Cairn distinguishes. Each maps to one CLI exit code and
// one HTTP status at the edges (cli/main.cc, later the server), so callers
// inside never decide how an error is presented.
enum class ErrorCode {
  kInvalidArgument,  // a user-supplied value is wrong (flag, config field)
  kInvalidConfig,    // a config file does not match its JSON Schema
  kNotFound,         // a file, entity or record that was asked for does not exist
  kParse,            // malformed input: truncated JSON, wrong type at a path
  kUnsupported,      // well-formed input Cairn does not handle (future schema version)
  kInconsistent,     // inputs that disagree (run_results ids not in the manifest)
  kStorage,          // the store failed (SQLite error, migration)
  kIo,               // reading or writing a file failed
  kInternal,         // a bug
};

// Where in an input an error was found: the file, and either a byte offset
// (JSON) or a line (YAML), and the JSON path of the field when known.
struct ErrorContext {
  std::string file;
  std::optional<std::uint64_t> offset;
  std::optional<int> line;
  std::string json_path;
};

// cairn::Error is the one exception type thrown inside Cairn. what() is the
// full human message: "FILE: at JSON PATH (offset N): message".
class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, std::string message, ErrorContext context = {});

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const ErrorContext& context() const { return context_; }

  // A copy of this error with a file name filled in, for layers that parse
  // bytes without knowing where they came from.
  Error WithFile(const std::string& file) const;

 private:
  ErrorCode code_;
  std::string message_;
  ErrorContext context_;
};

// Process exit code for a CLI failure of this kind (sysexits-style ranges).
int ExitCodeFor(ErrorCode code);

// Short stable name ("parse_error", "not_found", ...) for JSON error bodies.
const char* ErrorCodeName(ErrorCode code);

}  // namespace cairn
