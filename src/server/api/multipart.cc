#include "server/api/multipart.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <memory>

#include "core/ascii.h"
#include "core/error.h"

namespace cairn::server {
namespace {

constexpr std::size_t kChunkBytes = std::size_t{256} * 1024;
constexpr std::size_t kMaxPartHeaderBytes = std::size_t{16} * 1024;

[[noreturn]] void Malformed(const std::string& why) {
  throw Error(ErrorCode::kInvalidArgument, "malformed multipart body: " + why);
}

// The value of `key` in a header value such as
// `form-data; name="manifest_file"; filename="manifest.json"`.
std::optional<std::string> HeaderParam(std::string_view header, std::string_view key) {
  std::size_t at = 0;
  while ((at = header.find(';', at)) != std::string_view::npos) {
    ++at;
    while (at < header.size() && header[at] == ' ') ++at;
    std::size_t eq = header.find('=', at);
    if (eq == std::string_view::npos) return std::nullopt;
    if (AsciiLower(header.substr(at, eq - at)) != key) continue;
    std::string_view rest = header.substr(eq + 1);
    if (!rest.empty() && rest.front() == '"') {
      std::size_t close = rest.find('"', 1);
      if (close == std::string_view::npos) return std::nullopt;
      return std::string(rest.substr(1, close - 1));
    }
    return std::string(rest.substr(0, rest.find(';')));
  }
  return std::nullopt;
}

// Reads the body file through a window that always holds enough bytes to
// see a whole delimiter.
class BodyReader {
 public:
  explicit BodyReader(const std::filesystem::path& path) : in_(path, std::ios::binary) {
    if (!in_) throw Error(ErrorCode::kIo, "cannot read the uploaded body");
  }

  // Ensures at least `want` bytes are buffered unless the body ends first.
  bool Fill(std::size_t want) {
    while (buffer_.size() - start_ < want && !eof_) {
      if (start_ > 0) {
        buffer_.erase(0, start_);
        start_ = 0;
      }
      std::size_t old = buffer_.size();
      buffer_.resize(old + kChunkBytes);
      in_.read(buffer_.data() + old, static_cast<std::streamsize>(kChunkBytes));
      buffer_.resize(old + static_cast<std::size_t>(in_.gcount()));
      if (in_.gcount() == 0) eof_ = true;
    }
    return buffer_.size() - start_ >= want;
  }

  std::string_view View() const { return std::string_view(buffer_).substr(start_); }
  void Consume(std::size_t count) { start_ += count; }
  bool AtEnd() { return !Fill(1); }

 private:
  std::ifstream in_;
  std::string buffer_;
  std::size_t start_ = 0;
  bool eof_ = false;
};

struct PartHeaders {
  std::string name;
  bool is_file = false;
};

PartHeaders ReadPartHeaders(BodyReader& reader) {
  std::size_t end = std::string_view::npos;
  for (std::size_t want = 4; end == std::string_view::npos; want *= 2) {
    bool more = reader.Fill(want);
    end = reader.View().find("\r\n\r\n");
    if (end == std::string_view::npos && (!more || want > kMaxPartHeaderBytes)) {
      if (!more) Malformed("multipart body ends before its closing boundary");
      Malformed("a part's headers are too long");
    }
  }
  std::string_view headers = reader.View().substr(0, end);
  PartHeaders part;
  bool has_disposition = false;
  std::size_t line_start = 0;
  while (line_start <= headers.size()) {
    std::size_t line_end = std::min(headers.find("\r\n", line_start), headers.size());
    std::string_view line = headers.substr(line_start, line_end - line_start);
    std::size_t colon = line.find(':');
    if (colon != std::string_view::npos &&
        AsciiLower(line.substr(0, colon)) == "content-disposition") {
      std::string_view value = line.substr(colon + 1);
      has_disposition = true;
      part.name = HeaderParam(value, "name").value_or("");
      part.is_file = HeaderParam(value, "filename").has_value();
    }
    line_start = line_end + 2;
  }
  if (!has_disposition || part.name.empty()) {
    Malformed("a part has no Content-Disposition with a name");
  }
  reader.Consume(end + 4);
  return part;
}

}  // namespace

std::string MultipartBoundary(std::string_view content_type) {
  std::string type = AsciiLower(content_type.substr(0, content_type.find(';')));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  std::optional<std::string> boundary = HeaderParam(content_type, "boundary");
  if (type != "multipart/form-data" || !boundary || boundary->empty() || boundary->size() > 200) {
    throw Error(ErrorCode::kInvalidArgument,
                fmt::format("expected Content-Type multipart/form-data with a boundary, got '{}'",
                            content_type.empty() ? "(none)" : content_type));
  }
  return *boundary;
}

MultipartForm ParseMultipart(const std::filesystem::path& body_file, std::string_view boundary,
                             const std::filesystem::path& out_dir, std::size_t max_field_bytes) {
  BodyReader reader(body_file);
  const std::string first = "--" + std::string(boundary);
  const std::string delimiter = "\r\n" + first;
  // Anything before the first delimiter is a preamble, ignored.
  for (;;) {
    bool more = reader.Fill(first.size() + kChunkBytes);
    std::size_t at = reader.View().find(first);
    if (at != std::string_view::npos) {
      reader.Consume(at + first.size());
      break;
    }
    if (!more) Malformed("no part starts with the boundary");
    reader.Consume(reader.View().size() - first.size());
  }
  MultipartForm form;
  int part_number = 0;
  for (;;) {
    if (!reader.Fill(2)) Malformed("multipart body ends before its closing boundary");
    if (reader.View().substr(0, 2) == "--") return form;  // the closing delimiter
    if (reader.View().substr(0, 2) != "\r\n") Malformed("a boundary is not followed by CRLF");
    reader.Consume(2);
    PartHeaders part = ReadPartHeaders(reader);

    std::unique_ptr<std::ofstream> file;
    std::string field;
    if (part.is_file) {
      std::filesystem::path path = out_dir / fmt::format("part-{}", part_number++);
      file = std::make_unique<std::ofstream>(path, std::ios::binary | std::ios::trunc);
      if (!*file) throw Error(ErrorCode::kIo, "cannot store an uploaded part");
      form.files[part.name] = path;
    }
    // Copy bytes out until the next delimiter, keeping a delimiter's worth
    // in the window in case one straddles two chunks.
    for (;;) {
      bool more = reader.Fill(delimiter.size() + kChunkBytes);
      std::string_view view = reader.View();
      std::size_t at = view.find(delimiter);
      std::size_t take = at != std::string_view::npos     ? at
                         : view.size() > delimiter.size() ? view.size() - delimiter.size()
                                                          : 0;
      if (at == std::string_view::npos && !more) {
        Malformed("multipart body ends before its closing boundary");
      }
      if (file) {
        file->write(view.data(), static_cast<std::streamsize>(take));
      } else {
        if (field.size() + take > max_field_bytes) {
          throw Error(
              ErrorCode::kInvalidArgument,
              fmt::format("form field '{}' is larger than {} bytes", part.name, max_field_bytes));
        }
        field.append(view.substr(0, take));
      }
      reader.Consume(take);
      if (at != std::string_view::npos) {
        reader.Consume(delimiter.size());
        break;
      }
    }
    if (file) {
      file->close();
      if (!*file) throw Error(ErrorCode::kIo, "cannot store an uploaded part");
    } else {
      form.fields[part.name] = std::move(field);
    }
  }
}

}  // namespace cairn::server
