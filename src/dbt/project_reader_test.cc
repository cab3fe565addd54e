#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "core/error.h"
#include "core/file.h"
#include "dbt/artifact_readers.h"

namespace cairn::dbt {
namespace {

using ::testing::HasSubstr;

std::string Fixture(const std::string& relative) {
  return std::string(CAIRN_SHARED_DIR) + "/fixtures/dbt/" + relative;
}

std::string TempFile(const std::string& name, const std::string& content) {
  std::string path = (std::filesystem::temp_directory_path() / name).string();
  WriteFileAtomically(path, content);
  return path;
}

TEST(ProjectReaderTest, SnowflakeProjectReadsAllFourFiles) {
  const std::string dir = Fixture("projects/jaffle_shop_snowflake_dbt-1.7.7/");
  const Project project = ReadProject({.manifest = dir + "manifest.json",
                                       .run_results = dir + "run_results.json",
                                       .catalog = dir + "catalog.json",
                                       .sources = dir + "sources.json"});
  EXPECT_EQ(project.manifest.nodes.size(), 37u);  // 34 nodes + 3 sources
  ASSERT_TRUE(project.run_results.has_value());
  EXPECT_EQ(project.run_results->results.size(), 34u);
  ASSERT_TRUE(project.catalog.has_value());
  EXPECT_EQ(project.catalog->nodes.size(), 8u);
  EXPECT_EQ(project.catalog->sources.size(), 3u);
  ASSERT_TRUE(project.sources.has_value());
  EXPECT_EQ(project.sources->results.size(), 1u);
  EXPECT_TRUE(project.warnings.empty());
  EXPECT_EQ(project.manifest.metadata.invocation_id, project.run_results->metadata.invocation_id);
}

TEST(ProjectReaderTest, ManifestOnly) {
  const Project project = ReadProject({.manifest = Fixture("versions/manifest_v4.json")});
  EXPECT_EQ(project.manifest.nodes.size(), 28u);
  EXPECT_FALSE(project.run_results.has_value());
  EXPECT_FALSE(project.catalog.has_value());
  EXPECT_FALSE(project.sources.has_value());
}

TEST(ProjectReaderTest, OlderCatalogEntriesAreDroppedWithAWarning) {
  // tuva 1.7.8's catalog against tuva 1.3.1's manifest: many tables are gone.
  const Project project =
      ReadProject({.manifest = Fixture("projects/tuva_snowflake_dbt-1.3.1_build/manifest.json"),
                   .catalog = Fixture("projects/tuva_snowflake_dbt-1.7.8/catalog.json")});
  ASSERT_TRUE(project.catalog.has_value());
  ASSERT_EQ(project.warnings.size(), 1u);
  EXPECT_THAT(project.warnings[0], HasSubstr("catalog.json: dropped "));
  EXPECT_THAT(project.warnings[0], HasSubstr("node entries not in the manifest, e.g. "));
  EXPECT_LT(project.catalog->nodes.size(), 332u);
  for (const CatalogTable& table : project.catalog->nodes) {
    EXPECT_FALSE(table.unique_id.empty());
  }
}

TEST(ProjectReaderTest, RunResultsWithUnknownIdIsInconsistent) {
  const std::string run_results = TempFile("cairn_dbt_run_results.json", R"({
    "metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/run-results/v6.json"},
    "results": [{"unique_id": "model.jaffle_shop.stg_customers", "status": "success"},
                {"unique_id": "model.jaffle_shop.gone", "status": "success"},
                {"unique_id": "test.jaffle_shop.gone_too", "status": "pass"}],
    "args": {"which": "build"}})");
  try {
    ReadProject({.manifest = Fixture("versions/manifest_v12.json"), .run_results = run_results});
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInconsistent);
    EXPECT_EQ(error.context().file, run_results);
    EXPECT_EQ(error.message(),
              "2 unique_ids in cairn_dbt_run_results.json are not in the manifest "
              "(manifest_v12.json), e.g. model.jaffle_shop.gone, test.jaffle_shop.gone_too");
  }
  std::filesystem::remove(run_results);
}

TEST(ProjectReaderTest, SourcesFromAnotherProjectAreInconsistent) {
  try {
    ReadProject({.manifest = Fixture("versions/manifest_v1.json"),
                 .sources = Fixture("versions/sources_v3.json")});
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInconsistent);
    EXPECT_THAT(error.message(),
                HasSubstr("1 unique_id in sources_v3.json is not in the manifest"));
    EXPECT_THAT(error.message(), HasSubstr("source.jaffle_shop.jaffle_shop.raw_orders"));
  }
}

TEST(ProjectReaderTest, ErrorsOfAnyFileReachTheCaller) {
  try {
    ReadProject({.manifest = "/nonexistent/manifest.json",
                 .run_results = Fixture("versions/run_results_v1.json")});
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kNotFound);
  }
  try {
    ReadProject({.manifest = Fixture("versions/manifest_v1.json"),
                 .catalog = Fixture("versions/manifest_v2.json")});
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kParse);
    EXPECT_EQ(error.context().file, Fixture("versions/manifest_v2.json"));
  }
  EXPECT_THROW(ReadProject({}), Error);
}

}  // namespace
}  // namespace cairn::dbt
