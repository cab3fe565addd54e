#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

namespace cairn::server {

// A multipart/form-data body taken apart: small text fields in memory, file
// parts (those with a filename) each written to its own file.
struct MultipartForm {
  std::map<std::string, std::string> fields;
  std::map<std::string, std::filesystem::path> files;
};

// The boundary of a "multipart/form-data; boundary=..." Content-Type (quoted
// or not). Throws cairn::Error(kInvalidArgument) for any other type.
std::string MultipartBoundary(std::string_view content_type);

// Parses the body in `body_file` chunk by chunk, so memory stays flat
// whatever the size of the parts; file parts go to new files in `out_dir`.
// Text fields over `max_field_bytes` are refused. Throws
// cairn::Error(kInvalidArgument) for a malformed or truncated body.
MultipartForm ParseMultipart(const std::filesystem::path& body_file, std::string_view boundary,
                             const std::filesystem::path& out_dir,
                             std::size_t max_field_bytes = std::size_t{64} * 1024);

}  // namespace cairn::server
