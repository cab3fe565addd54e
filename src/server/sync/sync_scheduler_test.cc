#include "server/sync/sync_scheduler.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "catalog/store.h"
#include "cloud/moto_server_test_util.h"
#include "core/error.h"
#include "ingest/runs/extraction_run.h"
#include "ingest/runs/run_store.h"
#include "server/sync/sync_state_store.h"

namespace cairn::server {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::seconds;
using Clock = std::chrono::system_clock;

constexpr const char* kJaffle =
    CAIRN_SHARED_DIR "/fixtures/dbt/projects/jaffle_shop_duckdb_dbt-1.12.0";

fs::path TestDir() {
  fs::path dir =
      fs::temp_directory_path() / ("cairn_sync_" + std::to_string(::getpid()) + "_" +
                                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TEST(NextSyncDueTest, ANewIntegrationIsDueAtOnceThenAfterItsInterval) {
  Clock::time_point now = Clock::time_point(seconds(1'000'000));
  EXPECT_EQ(NextSyncDue(std::nullopt, std::chrono::hours(24), 0, now), now);
  EXPECT_EQ(NextSyncDue(999'000, std::chrono::hours(1), 0, now),
            Clock::time_point(seconds(1'002'600)));
}

TEST(NextSyncDueTest, AFailedSyncIsRetriedSoonerAndLessOftenEachTime) {
  Clock::time_point now = Clock::time_point(seconds(1'000'000));
  auto after = [&](int failures) {
    return NextSyncDue(1'000'000, std::chrono::hours(24), failures, now) - now;
  };
  EXPECT_EQ(after(1), seconds(60));
  EXPECT_EQ(after(2), seconds(120));
  EXPECT_EQ(after(5), seconds(960));
  EXPECT_EQ(after(11), seconds(61'440));
  EXPECT_EQ(after(12), std::chrono::hours(24)) << "never later than the interval";
  EXPECT_EQ(after(1000), std::chrono::hours(24));
  EXPECT_EQ(NextSyncDue(1'000'000, std::chrono::minutes(5), 3, now) - now, std::chrono::minutes(4));
}

// SQLite's leases are rows that expire, so that a killed holder does not
// block the integration for ever (sync_state_store_test.cc has the rest).
TEST(SqliteSyncStateStoreTest, AnExpiredLeaseIsTakenOver) {
  fs::path dir = TestDir();
  std::string path = (dir / "cairn.db").string();
  catalog::OpenStore("sqlite:" + path);
  auto first = OpenSqliteSyncStateStore(path);
  auto second = OpenSqliteSyncStateStore(path);
  EXPECT_TRUE(first->TryLease("i1", "a", 100, 700));
  EXPECT_FALSE(second->TryLease("i1", "b", 699, 1299));
  EXPECT_TRUE(second->TryLease("i1", "b", 700, 1300));  // expired: taken over
  EXPECT_FALSE(first->TryLease("i1", "a", 701, 1301));
  first->ReleaseLease("i1", "a");  // no longer a's
  EXPECT_FALSE(first->TryLease("i1", "a", 702, 1302));
  fs::remove_all(dir);
}

class SyncSchedulerTest : public cloud::testing::MotoServerTest {
 protected:
  static void SetUpTestSuite() {
    MotoServerTest::SetUpTestSuite();
    Boto3(std::string("s3.create_bucket(Bucket='ci-artifacts')\n"
                      "for name in ['manifest.json', 'run_results.json', 'catalog.json']:\n"
                      "    s3.upload_file('") +
          kJaffle + "/' + name, 'ci-artifacts', 'shop/target/' + name)\n");
  }

  void SetUp() override {
    dir_ = TestDir();
    std::string path = (dir_ / "cairn.db").string();
    catalog_ = catalog::OpenStore("sqlite:" + path);
    runs_ = ingest::OpenSqliteRunStore(path);
    state_ = OpenSqliteSyncStateStore(path);
    extraction_ = std::make_unique<ingest::ExtractionService>(
        *runs_, ingest::ExtractionOptions{.db_url = "sqlite:" + path, .data_dir = dir_ / "data"});
    extraction_->Start();
    syncs_ = std::make_unique<SyncScheduler>(
        *extraction_, *state_,
        SyncSchedulerOptions{.http = {.connect_timeout = std::chrono::milliseconds(2000),
                                      .max_attempts = 2,
                                      .backoff_base = std::chrono::milliseconds(10)}});
  }

  void TearDown() override {
    syncs_.reset();
    extraction_.reset();
    state_.reset();
    runs_.reset();
    catalog_.reset();
    fs::remove_all(dir_);
  }

  ingest::Integration CreateBucketIntegration(const std::string& bucket = "ci-artifacts") {
    json settings = {{"service", "shop"},
                     {"bucket",
                      {{"provider", "s3"},
                       {"bucket", bucket},
                       {"prefix", "shop"},
                       {"endpoint", Url("")},
                       {"access_key_id", "testing"},
                       {"secret_access_key", "testing"}}}};
    return extraction_->CreateIntegration("shop", "dbt_core", settings.dump());
  }

  ingest::ExtractionRun SyncAndWait(const std::string& id) {
    ingest::ExtractionRun run = syncs_->SyncNow(id, "bucket_sync:manual");
    return syncs_->Wait(run.id, seconds(60));
  }

  static json SyncCounts(const ingest::ExtractionRun& run) {
    return json::parse(run.counts_json).value("sync", json::object());
  }

  fs::path dir_;
  std::unique_ptr<catalog::Store> catalog_;
  std::unique_ptr<ingest::RunStore> runs_;
  std::unique_ptr<SyncStateStore> state_;
  std::unique_ptr<ingest::ExtractionService> extraction_;
  std::unique_ptr<SyncScheduler> syncs_;
};

TEST_F(SyncSchedulerTest, DownloadsOnlyWhatChangedAndAnUnchangedBucketCostsOneList) {
  // More keys than one LIST page holds, beside the project.
  Boto3(
      "for i in range(1100):\n"
      "    s3.put_object(Bucket='ci-artifacts', Key=f'shop/logs/{i:04d}.log', Body=b'x')\n");
  syncs_->Start();
  ingest::Integration integration = CreateBucketIntegration();
  ingest::ExtractionRun first = SyncAndWait(integration.id);
  ASSERT_EQ(first.status, ingest::kRunSucceeded) << first.error;
  json counts = SyncCounts(first);
  EXPECT_EQ(counts["objects_listed"], 1103);
  EXPECT_EQ(counts["list_pages"], 2);
  EXPECT_EQ(counts["get_requests"], 3);
  EXPECT_EQ(counts["changed"], json({"manifest", "run_results", "catalog"}));
  EXPECT_TRUE(catalog_->Get("shop.jaffle_shop.main.customers").has_value());

  ingest::ExtractionRun second = SyncAndWait(integration.id);
  ASSERT_EQ(second.status, ingest::kRunSucceeded) << second.error;
  EXPECT_EQ(SyncCounts(second)["get_requests"], 0);
  EXPECT_EQ(SyncCounts(second)["nothing_changed"], true);
  EXPECT_EQ(SyncCounts(second)["unchanged"], json({"manifest", "run_results", "catalog"}));

  // A new dbt run: new run results, the same manifest and catalog.
  Boto3(
      std::string(
          "s3.put_object(Bucket='ci-artifacts', Key='shop/target/run_results.json', Body=open('") +
      kJaffle + "/run_results.json', 'rb').read() + b'\\n')\n");
  ingest::ExtractionRun third = SyncAndWait(integration.id);
  ASSERT_EQ(third.status, ingest::kRunSucceeded) << third.error;
  EXPECT_EQ(SyncCounts(third)["get_requests"], 1);
  EXPECT_EQ(SyncCounts(third)["changed"], json({"run_results"}));
}

TEST_F(SyncSchedulerTest, ASyncAskedForAsSoonAsTheLastOneFinishedIsANewOne) {
  syncs_->Start();
  ingest::Integration integration = CreateBucketIntegration();
  std::int64_t previous = SyncAndWait(integration.id).id;
  for (int i = 0; i < 30; ++i) {
    ingest::ExtractionRun run = syncs_->SyncNow(integration.id, "bucket_sync:manual");
    ASSERT_NE(run.id, previous) << "a finished sync's run came back";
    // Polled as a client does: the run is finished before its worker lets go.
    while (runs_->GetRun(run.id)->finished_at.empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    previous = run.id;
  }
}

TEST_F(SyncSchedulerTest, ANewBucketIntegrationSyncsWithoutBeingAsked) {
  syncs_->Start();
  ingest::Integration integration = CreateBucketIntegration();
  syncs_->Wake();
  for (int i = 0; i < 600; ++i) {
    std::int64_t total = 0;
    std::vector<ingest::ExtractionRun> runs = runs_->ListRuns(integration.id, 1, 0, total);
    if (!runs.empty()) {
      ingest::ExtractionRun run = syncs_->Wait(runs[0].id, seconds(60));
      EXPECT_EQ(run.trigger, "bucket_sync:scheduled");
      EXPECT_EQ(run.status, ingest::kRunSucceeded) << run.error;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  FAIL() << "the scheduler did not sync the new integration";
}

TEST_F(SyncSchedulerTest, AFailedListFailsTheRunWithTheReason) {
  ingest::Integration integration = CreateBucketIntegration("no-such-ci");
  syncs_->Start();
  ingest::ExtractionRun run = SyncAndWait(integration.id);
  EXPECT_EQ(run.status, ingest::kRunFailed);
  EXPECT_NE(run.error.find("no such bucket"), std::string::npos) << run.error;
}

TEST_F(SyncSchedulerTest, AnotherProcessHoldingTheLeaseRefusesTheSync) {
  ingest::Integration integration = CreateBucketIntegration();
  std::int64_t now = std::chrono::duration_cast<seconds>(Clock::now().time_since_epoch()).count();
  ASSERT_TRUE(state_->TryLease(integration.id, "other-process", now, now + 600));
  try {
    syncs_->SyncNow(integration.id, "bucket_sync:manual");
    FAIL() << "the lease is another process's";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInconsistent);
  }
  std::int64_t total = 0;
  runs_->ListRuns(integration.id, 1, 0, total);
  EXPECT_EQ(total, 0);
}

TEST_F(SyncSchedulerTest, AnUploadIntegrationHasNoBucketToSync) {
  ingest::Integration integration =
      extraction_->CreateIntegration("uploads", "dbt_core", R"({"service": "shop"})");
  EXPECT_THROW(syncs_->SyncNow(integration.id, "bucket_sync:manual"), Error);
}

}  // namespace
}  // namespace cairn::server
