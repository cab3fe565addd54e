#include "core/error.h"

#include <gtest/gtest.h>

#include "core/file.h"

namespace cairn {
namespace {

TEST(ErrorTest, MessageNamesFilePathAndOffset) {
  Error error(ErrorCode::kParse, "expected an object",
              {.file = "target/manifest.json", .offset = 120, .json_path = "$.nodes"});
  EXPECT_STREQ(error.what(), "target/manifest.json: at $.nodes (offset 120): expected an object");
  EXPECT_EQ(ExitCodeFor(error.code()), 65);
}

TEST(ErrorTest, MessageWithLineAndNoPath) {
  Error error(ErrorCode::kInvalidConfig, "bad", {.file = "w.yaml", .line = 7});
  EXPECT_STREQ(error.what(), "w.yaml:7: bad");
}

TEST(ErrorTest, OffsetWithoutPath) {
  Error error(ErrorCode::kParse, "truncated", {.file = "m.json", .offset = 9});
  EXPECT_STREQ(error.what(), "m.json: at offset 9: truncated");
}

TEST(ErrorTest, WithFileKeepsTheRest) {
  Error error = Error(ErrorCode::kParse, "x", {.json_path = "$.a"}).WithFile("f.json");
  EXPECT_STREQ(error.what(), "f.json: at $.a: x");
  EXPECT_EQ(error.context().json_path, "$.a");
}

TEST(FileTest, MissingFileIsNotFound) {
  try {
    ReadFile("/nonexistent/manifest.json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    EXPECT_STREQ(e.what(), "/nonexistent/manifest.json: file does not exist");
  }
}

TEST(FileTest, AScopedDirectoryGoesWithWhatIsLeftInIt) {
  namespace fs = std::filesystem;
  fs::path kept = fs::temp_directory_path() / "cairn_scoped_kept.json";
  fs::path first;
  {
    ScopedDirectory one = ScopedDirectory::Unique(fs::temp_directory_path(), "cairn-scoped-");
    ScopedDirectory two = ScopedDirectory::Unique(fs::temp_directory_path(), "cairn-scoped-");
    EXPECT_NE(one.path(), two.path());
    first = one.path();
    WriteFileAtomically((one.path() / "left.json").string(), "{}");
    WriteFileAtomically((one.path() / "moved.json").string(), "{}");
    fs::rename(one.path() / "moved.json", kept);
  }
  EXPECT_FALSE(fs::exists(first));
  EXPECT_TRUE(fs::exists(kept));
  fs::remove(kept);
  EXPECT_THROW(ScopedDirectory("/proc/cairn-cannot-be-here"), Error);
}

}  // namespace
}  // namespace cairn
