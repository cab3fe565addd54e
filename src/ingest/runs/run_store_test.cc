#include "ingest/runs/run_store.h"

#include <gtest/gtest.h>

#include "core/secret_cipher.h"
#include "core/timestamp.h"
#include "server/testing/store_database.h"

namespace cairn::ingest {
namespace {

constexpr const char* kSettings = R"({"bucket": {"secret_access_key": "wJalrXUtnFEMI/K7MDENG"}})";

class RunStoreTest : public ::testing::TestWithParam<testing::StoreBackend> {
 protected:
  void SetUp() override {
    database_ = GetParam().create();
    runs_ = OpenRunStore(database_->url());
  }

  std::unique_ptr<testing::StoreDatabase> database_;
  std::unique_ptr<RunStore> runs_;
};

TEST_P(RunStoreTest, KeepsSettingsSealedAtRest) {
  SecretCipher cipher(std::string(32, 'k'));
  {
    auto sealing = OpenRunStore(database_->url(), &cipher);
    Integration created = sealing->CreateIntegration(
        Integration{.id = "i1", .name = "shop", .type = "dbt_core", .settings_json = kSettings});
    EXPECT_EQ(created.settings_json, kSettings);
    EXPECT_EQ(sealing->ListIntegrations().at(0).settings_json, kSettings);
  }
  EXPECT_TRUE(SecretCipher::IsSealed(runs_->GetIntegration("i1")->settings_json));
  std::string contents = database_->ContentsAtRest();
  EXPECT_NE(contents.find("shop"), std::string::npos);
  EXPECT_EQ(contents.find("wJalrXUtnFEMI"), std::string::npos);
}

TEST_P(RunStoreTest, KeepsIntegrationsByIdAndUpdatesTheirNameAndSettings) {
  runs_->CreateIntegration({.id = "b", .name = "second", .type = "dbt_core"});
  runs_->CreateIntegration({.id = "a", .name = "first", .type = "dbt_core", .settings_json = "{}"});
  std::optional<Integration> updated = runs_->UpdateIntegration(
      {.id = "a", .name = "renamed", .type = "ignored", .settings_json = R"({"x":1})"});
  ASSERT_TRUE(updated.has_value());
  EXPECT_EQ(updated->name, "renamed");
  EXPECT_EQ(updated->type, "dbt_core");
  EXPECT_EQ(updated->settings_json, R"({"x":1})");
  EXPECT_TRUE(ParseUtcTimestamp(updated->updated_at).has_value()) << updated->updated_at;
  EXPECT_FALSE(runs_->UpdateIntegration({.id = "nope", .name = "x"}).has_value());
  std::vector<Integration> all = runs_->ListIntegrations();
  ASSERT_EQ(all.size(), 2U);
  EXPECT_EQ(all[0].id, "b");  // in the order they were created
  EXPECT_TRUE(runs_->DeleteIntegration("b"));
  EXPECT_FALSE(runs_->DeleteIntegration("b"));
  EXPECT_FALSE(runs_->GetIntegration("b").has_value());
}

TEST_P(RunStoreTest, ARunGoesFromQueuedToFinishedWithItsLog) {
  ExtractionRun queued = runs_->CreateRun("i1", "upload");
  EXPECT_EQ(queued.status, kRunQueued);
  EXPECT_TRUE(ParseUtcTimestamp(queued.created_at).has_value()) << queued.created_at;
  EXPECT_TRUE(queued.started_at.empty());
  runs_->MarkRunning(queued.id);
  runs_->AppendLog(queued.id, "info", "reading manifest.json");
  runs_->AppendLog(queued.id, "error", "manifest.json: not JSON");
  runs_->FinishRun(queued.id, kRunFailed, R"({"tables": 0})", "manifest.json: not JSON");
  std::optional<ExtractionRun> run = runs_->GetRun(queued.id);
  ASSERT_TRUE(run.has_value());
  EXPECT_EQ(run->status, kRunFailed);
  EXPECT_EQ(run->counts_json, R"({"tables": 0})");
  EXPECT_EQ(run->error, "manifest.json: not JSON");
  EXPECT_TRUE(ParseUtcTimestamp(run->started_at).has_value()) << run->started_at;
  EXPECT_TRUE(ParseUtcTimestamp(run->finished_at).has_value()) << run->finished_at;
  ASSERT_EQ(run->log.size(), 2U);
  EXPECT_EQ(run->log[0].message, "reading manifest.json");
  EXPECT_EQ(run->log[1].level, "error");
  EXPECT_FALSE(runs_->GetRun(queued.id + 100).has_value());
}

TEST_P(RunStoreTest, ListsRunsNewestFirstAndCountsThemByStatus) {
  std::vector<std::int64_t> ids = {runs_->CreateRun("i1", "upload").id,
                                   runs_->CreateRun("i1", "upload").id,
                                   runs_->CreateRun("i1", "upload").id};
  runs_->CreateRun("i2", "upload");
  runs_->FinishRun(ids[0], kRunSucceeded, "{}", "");
  std::int64_t total = 0;
  std::vector<ExtractionRun> page = runs_->ListRuns("i1", 2, 1, total);
  EXPECT_EQ(total, 3);
  ASSERT_EQ(page.size(), 2U);
  EXPECT_EQ(page[0].id, ids[1]);
  EXPECT_EQ(page[1].id, ids[0]);
  std::map<std::string, std::int64_t> counts = runs_->CountRunsByStatus();
  EXPECT_EQ(counts[kRunQueued], 3);
  EXPECT_EQ(counts[kRunSucceeded], 1);
}

TEST_P(RunStoreTest, RunsOfAProcessStillRunningAreNotFailed) {
  ExtractionRun mine = runs_->CreateRun("i1", "upload");
  auto beside = OpenRunStore(database_->url());  // another server on the same database
  EXPECT_EQ(beside->FailUnfinishedRuns("interrupted"), 0);
  EXPECT_EQ(runs_->GetRun(mine.id)->status, kRunQueued);
}

INSTANTIATE_TEST_SUITE_P(Backend, RunStoreTest, ::testing::Values(testing::TestedBackend()),
                         testing::BackendName);

}  // namespace
}  // namespace cairn::ingest
