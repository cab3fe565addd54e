#include "core/file_digest.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"

namespace cairn {
namespace {

namespace fs = std::filesystem;

class FileDigestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cairn-digest-" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& content) {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
    return path.string();
  }

  std::string Digest(const std::string& path) { return DigestFiles({path}).front().sha256; }

  fs::path dir_;
};

TEST_F(FileDigestTest, SameBytesSameDigestWhateverTheFile) {
  const std::string a = Write("a.json", "{\"nodes\": {}}");
  const std::string b = Write("b.json", "{\"nodes\": {}}");
  const std::vector<FileDigest> digests = DigestFiles({a, b});
  ASSERT_EQ(digests.size(), 2u);
  EXPECT_EQ(digests[0].sha256, digests[1].sha256);
  EXPECT_EQ(digests[0].sha256.size(), 64u);
  EXPECT_EQ(digests[0].stat.size, 13u);
  EXPECT_NE(digests[0].stat.inode, digests[1].stat.inode);
}

TEST_F(FileDigestTest, TouchingChangesTheStatNotTheDigest) {
  const std::string path = Write("m.json", "{}");
  const FileDigest before = DigestFiles({path}).front();
  fs::last_write_time(path, fs::last_write_time(path) + std::chrono::seconds(5));
  const FileDigest after = DigestFiles({path}).front();
  EXPECT_EQ(after.sha256, before.sha256);
  EXPECT_NE(after.stat, before.stat);
  EXPECT_EQ(StatFile(path), after.stat);
}

TEST_F(FileDigestTest, OneByteChangedInAnyChunkChangesTheDigest) {
  std::string content(9u << 20, 'x');  // three chunks, the last one partial
  const std::string original = Digest(Write("big.json", content));
  for (std::size_t at : {std::size_t{0}, std::size_t{5} << 20, content.size() - 1}) {
    std::string changed = content;
    changed[at] = 'y';
    EXPECT_NE(Digest(Write("big.json", changed)), original) << "byte " << at;
  }
  EXPECT_EQ(Digest(Write("big.json", content)), original);
  EXPECT_NE(Digest(Write("big.json", content + "x")), original);
}

TEST_F(FileDigestTest, EmptyFilesAndMissingFiles) {
  EXPECT_EQ(Digest(Write("empty.json", "")).size(), 64u);
  EXPECT_NE(Digest(Write("empty.json", "")), Digest(Write("one.json", " ")));
  try {
    DigestFiles({(dir_ / "missing.json").string()});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    EXPECT_NE(std::string(e.what()).find("missing.json"), std::string::npos);
  }
  EXPECT_THROW(StatFile((dir_ / "missing.json").string()), Error);
}

}  // namespace
}  // namespace cairn
