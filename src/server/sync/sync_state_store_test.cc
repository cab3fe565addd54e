#include "server/sync/sync_state_store.h"

#include <gtest/gtest.h>

#include "ingest/runs/extraction_run.h"
#include "ingest/runs/run_store.h"
#include "server/testing/store_database.h"

namespace cairn::server {
namespace {

class SyncStateStoreTest : public ::testing::TestWithParam<testing::StoreBackend> {
 protected:
  void SetUp() override { database_ = GetParam().create(); }

  std::unique_ptr<testing::StoreDatabase> database_;
};

TEST_P(SyncStateStoreTest, OneProcessAtATimeHoldsTheLease) {
  // Two stores on one database: two processes sharing it.
  auto first = OpenSyncStateStore(database_->url());
  auto second = OpenSyncStateStore(database_->url());
  EXPECT_TRUE(first->TryLease("i1", "a", 100, 700));
  EXPECT_FALSE(second->TryLease("i1", "b", 200, 800));
  EXPECT_TRUE(second->TryLease("i2", "b", 200, 800));  // another integration
  EXPECT_TRUE(first->TryLease("i1", "a", 300, 900));   // renewal
  EXPECT_FALSE(first->TryLease("i1", "c", 300, 900));  // another holder of the same process
  second->ReleaseLease("i1", "b");                     // not b's to release
  EXPECT_FALSE(second->TryLease("i1", "b", 400, 1000));
  first->ReleaseLease("i1", "a");
  EXPECT_TRUE(second->TryLease("i1", "b", 401, 1001));
  EXPECT_FALSE(first->TryLease("i1", "a", 402, 1002));
  second->ReleaseLease("i1", "b");
  EXPECT_TRUE(first->TryLease("i1", "a", 403, 1003));
}

TEST_P(SyncStateStoreTest, CountsTheFailuresSinceTheLastSuccess) {
  auto runs = ingest::OpenRunStore(database_->url());
  auto state = OpenSyncStateStore(database_->url());
  auto sync = [&](const char* integration, std::string_view status) {
    ingest::ExtractionRun run = runs->CreateRun(integration, "scheduled");
    state->RecordSync(run.id, integration, 100);
    if (!status.empty()) runs->FinishRun(run.id, status, "{}", "");
  };
  EXPECT_EQ(state->FailuresSinceLastSuccess("i1"), 0);
  sync("i1", ingest::kRunFailed);
  sync("i1", ingest::kRunFailed);
  sync("i2", ingest::kRunFailed);
  EXPECT_EQ(state->FailuresSinceLastSuccess("i1"), 2) << "none succeeded yet";
  sync("i1", ingest::kRunSucceeded);
  EXPECT_EQ(state->FailuresSinceLastSuccess("i1"), 0);
  sync("i1", ingest::kRunFailed);
  sync("i1", "");  // still running: not a failure
  EXPECT_EQ(state->FailuresSinceLastSuccess("i1"), 1);
  EXPECT_EQ(state->FailuresSinceLastSuccess("i2"), 1);
}

TEST_P(SyncStateStoreTest, RemembersTheListingOfTheLastSuccessfulSync) {
  auto runs = ingest::OpenRunStore(database_->url());
  auto state = OpenSyncStateStore(database_->url());
  EXPECT_FALSE(state->LastSyncStarted("i1").has_value());
  EXPECT_FALSE(state->LastSuccessfulListing("i1").has_value());
  std::int64_t ok = runs->CreateRun("i1", "scheduled").id;
  state->RecordSync(ok, "i1", 1000);
  state->RecordListing(ok, R"({"manifest.json":"etag-1"})");
  runs->FinishRun(ok, ingest::kRunSucceeded, "{}", "");
  std::int64_t bad = runs->CreateRun("i1", "scheduled").id;
  state->RecordSync(bad, "i1", 2000);
  state->RecordListing(bad, R"({"manifest.json":"etag-2"})");
  runs->FinishRun(bad, ingest::kRunFailed, "{}", "no run_results.json");
  EXPECT_EQ(state->LastSyncStarted("i1"), 2000);
  EXPECT_EQ(state->LastSuccessfulListing("i1"), R"({"manifest.json":"etag-1"})");
  EXPECT_FALSE(state->LastSyncStarted("i2").has_value());
}

INSTANTIATE_TEST_SUITE_P(Backend, SyncStateStoreTest, ::testing::Values(testing::TestedBackend()),
                         testing::BackendName);

}  // namespace
}  // namespace cairn::server
