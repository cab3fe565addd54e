#include "core/error.h"

#include <fmt/format.h>

namespace cairn {
namespace {

std::string Render(const std::string& message, const ErrorContext& context) {
  std::string out;
  if (!context.file.empty()) out += context.file;
  if (context.line) out += fmt::format(":{}", *context.line);
  if (!context.file.empty() || context.line) out += ": ";
  if (!context.json_path.empty()) out += fmt::format("at {}", context.json_path);
  if (context.offset) {
    out += fmt::format("{}offset {}", context.json_path.empty() ? "at " : " (", *context.offset);
    if (!context.json_path.empty()) out += ")";
  }
  if (!context.json_path.empty() || context.offset) out += ": ";
  return out + message;
}

}  // namespace

Error::Error(ErrorCode code, std::string message, ErrorContext context)
    : std::runtime_error(Render(message, context)),
      code_(code),
      message_(std::move(message)),
      context_(std::move(context)) {}

Error Error::WithFile(const std::string& file) const {
  ErrorContext context = context_;
  context.file = file;
  return Error(code_, message_, std::move(context));
}

int ExitCodeFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 64;  // EX_USAGE
    case ErrorCode::kInvalidConfig:
      return 78;  // EX_CONFIG
    case ErrorCode::kNotFound:
      return 66;  // EX_NOINPUT
    case ErrorCode::kParse:
    case ErrorCode::kUnsupported:
    case ErrorCode::kInconsistent:
      return 65;  // EX_DATAERR
    case ErrorCode::kStorage:
      return 73;  // EX_CANTCREAT
    case ErrorCode::kIo:
      return 74;  // EX_IOERR
    case ErrorCode::kInternal:
      return 70;  // EX_SOFTWARE
  }
  return 70;
}

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid_argument";
    case ErrorCode::kInvalidConfig:
      return "invalid_config";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kParse:
      return "parse_error";
    case ErrorCode::kUnsupported:
      return "unsupported";
    case ErrorCode::kInconsistent:
      return "inconsistent";
    case ErrorCode::kStorage:
      return "storage_error";
    case ErrorCode::kIo:
      return "io_error";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "internal";
}

}  // namespace cairn
