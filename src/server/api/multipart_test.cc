#include "server/api/multipart.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "core/error.h"

namespace cairn::server {
namespace {

namespace fs = std::filesystem;

class MultipartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cairn_multipart_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_ / "parts");
  }
  void TearDown() override { fs::remove_all(dir_); }

  MultipartForm Parse(const std::string& body, const std::string& boundary = "XyZ") {
    fs::path file = dir_ / "body";
    std::ofstream(file, std::ios::binary) << body;
    return ParseMultipart(file, boundary, dir_ / "parts");
  }

  static std::string Read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  static std::string Field(const std::string& name, const std::string& value) {
    return "--XyZ\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value +
           "\r\n";
  }
  static std::string FilePart(const std::string& name, const std::string& content) {
    return "--XyZ\r\nContent-Disposition: form-data; name=\"" + name +
           "\"; filename=\"m.json\"\r\nContent-Type: application/octet-stream\r\n\r\n" + content +
           "\r\n";
  }

  fs::path dir_;
};

TEST_F(MultipartTest, SplitsFieldsAndFiles) {
  MultipartForm form = Parse("preamble\r\n" + Field("integration", "abc") +
                             FilePart("manifest_file", "{\"a\":\r\n1}\r\n--XY") + "--XyZ--\r\n");
  EXPECT_EQ(form.fields.at("integration"), "abc");
  EXPECT_EQ(Read(form.files.at("manifest_file")), "{\"a\":\r\n1}\r\n--XY");
}

TEST_F(MultipartTest, StreamsLargePartsAcrossChunkEdges) {
  // Bigger than the reader's window, with near-delimiters at many offsets.
  std::string content;
  for (int i = 0; content.size() < (3u << 20); ++i) {
    content += "line " + std::to_string(i) + "\r\n--Xy\r\n-";
  }
  MultipartForm form =
      Parse(FilePart("manifest_file", content) + Field("integration_id", "i") + "--XyZ--");
  EXPECT_EQ(Read(form.files.at("manifest_file")), content);
  EXPECT_EQ(form.fields.at("integration_id"), "i");
}

TEST_F(MultipartTest, RefusesTruncatedBodies) {
  try {
    Parse(Field("integration", "abc") +
          "--XyZ\r\nContent-Disposition: form-data; "
          "name=\"manifest_file\"; filename=\"m\"\r\n\r\n{\"meta");
    FAIL() << "accepted a truncated body";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("ends before its closing boundary"), std::string::npos);
  }
  EXPECT_THROW(Parse("no boundary at all"), Error);
  EXPECT_THROW(Parse("--XyZ\r\nX-Other: 1\r\n\r\nvalue\r\n--XyZ--"), Error);
}

TEST_F(MultipartTest, CapsTextFields) {
  fs::path file = dir_ / "body";
  std::ofstream(file, std::ios::binary) << Field("integration", std::string(100, 'x')) << "--XyZ--";
  EXPECT_THROW(ParseMultipart(file, "XyZ", dir_ / "parts", 50), Error);
}

TEST_F(MultipartTest, ReadsTheBoundaryFromTheContentType) {
  EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=abc123"), "abc123");
  EXPECT_EQ(MultipartBoundary("Multipart/Form-Data; charset=utf-8; boundary=\"a b\""), "a b");
  try {
    MultipartBoundary("application/json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("multipart/form-data"), std::string::npos);
  }
  EXPECT_THROW(MultipartBoundary("multipart/form-data"), Error);
}

}  // namespace
}  // namespace cairn::server
