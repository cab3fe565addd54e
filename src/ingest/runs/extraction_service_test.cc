#include "ingest/runs/extraction_service.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "catalog/sqlite/connection.h"
#include "catalog/store.h"
#include "core/error.h"
#include "core/process.h"

namespace cairn::ingest {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

fs::path Jaffle() {
  return fs::path(CAIRN_SHARED_DIR) / "fixtures/dbt/projects/jaffle_shop_duckdb_dbt-1.12.0";
}
constexpr char kCustomers[] = "shop.jaffle_shop.main.customers";

class ExtractionServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cairn_runs_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    url_ = "sqlite:" + (dir_ / "cairn.db").string();
    catalog_ = catalog::OpenStore(url_);
    runs_ = OpenSqliteRunStore((dir_ / "cairn.db").string());
    StartService();
    integration_ = service_->CreateIntegration("jaffle", "dbt_core", R"({"service": "shop"})");
  }
  void TearDown() override {
    service_.reset();
    runs_.reset();
    catalog_.reset();
    fs::remove_all(dir_);
  }

  void StartService() {
    service_ = std::make_unique<ExtractionService>(
        *runs_, ExtractionOptions{.db_url = url_, .data_dir = dir_ / "data", .workers = 2});
    service_->Start();
  }

  // A copy of a fixture file (the service moves what it is given).
  fs::path Upload(const std::string& name, const std::string& content = "") {
    fs::path path = dir_ / ("upload-" + std::to_string(uploads_++));
    if (content.empty()) {
      fs::copy_file(Jaffle() / name, path);
    } else {
      std::ofstream(path) << content;
    }
    return path;
  }

  ExtractionRun RunWith(ArtifactKind kind, const fs::path& file) {
    ExtractionRun run = service_->StartRun(integration_.id, "test", {{kind, file}});
    EXPECT_EQ(run.status, kRunQueued);
    return service_->Wait(run.id, seconds(120));
  }

  fs::path dir_;
  std::string url_;
  std::unique_ptr<catalog::Store> catalog_;
  std::unique_ptr<RunStore> runs_;
  std::unique_ptr<ExtractionService> service_;
  Integration integration_;
  int uploads_ = 0;
};

TEST_F(ExtractionServiceTest, RunResultsBeforeAManifestFailThenSucceedAfterIt) {
  ExtractionRun early = RunWith(ArtifactKind::kRunResults, Upload("run_results.json"));
  EXPECT_EQ(early.status, kRunFailed);
  EXPECT_NE(early.error.find("has no manifest.json yet"), std::string::npos) << early.error;

  ExtractionRun manifest = RunWith(ArtifactKind::kManifest, Upload("manifest.json"));
  EXPECT_EQ(manifest.status, kRunSucceeded) << manifest.error;
  EXPECT_TRUE(catalog_->Get(kCustomers).has_value());
  EXPECT_EQ(nlohmann::json::parse(manifest.counts_json)["runs_added"], 0);

  ExtractionRun results = RunWith(ArtifactKind::kRunResults, Upload("run_results.json"));
  EXPECT_EQ(results.status, kRunSucceeded) << results.error;
  EXPECT_EQ(nlohmann::json::parse(results.counts_json)["runs_added"], 46);
  EXPECT_FALSE(results.log.empty());
  EXPECT_FALSE(catalog_->Get(kCustomers)->tests.front().latest_status.empty());
}

TEST_F(ExtractionServiceTest, ABadManifestFailsAndLeavesCatalogAndLastGoodManifest) {
  ASSERT_EQ(RunWith(ArtifactKind::kManifest, Upload("manifest.json")).status, kRunSucceeded);
  catalog::CatalogCounts before = catalog_->Counts();
  ExtractionRun bad = RunWith(ArtifactKind::kManifest, Upload("", R"({"metadata": {"dbt_sch)"));
  EXPECT_EQ(bad.status, kRunFailed);
  EXPECT_NE(bad.error.find("manifest.json"), std::string::npos) << bad.error;
  EXPECT_EQ(catalog_->Counts().nodes, before.nodes);
  // The next run reads the last good manifest with its new run_results.
  EXPECT_EQ(RunWith(ArtifactKind::kRunResults, Upload("run_results.json")).status, kRunSucceeded);
}

TEST_F(ExtractionServiceTest, ANewManifestIsNotReadWithOldRunResults) {
  service_->Stage(integration_.id, {{ArtifactKind::kManifest, Upload("manifest.json")},
                                    {ArtifactKind::kRunResults, Upload("run_results.json")}});
  ASSERT_EQ(service_->Wait(service_->StartRun(integration_.id, "trigger").id, seconds(120)).status,
            kRunSucceeded);
  // The next dbt build dropped a model that the old run_results ran.
  std::ifstream in(Jaffle() / "manifest.json");
  nlohmann::json manifest = nlohmann::json::parse(in);
  ASSERT_EQ(manifest["nodes"].erase("model.jaffle_shop.customers"), 1u);
  ExtractionRun run = RunWith(ArtifactKind::kManifest, Upload("", manifest.dump()));
  EXPECT_EQ(run.status, kRunSucceeded) << run.error;
  EXPECT_FALSE(catalog_->Get(kCustomers).has_value());
  // A sync reads the last good set: now the manifest alone.
  ExtractionRun sync = service_->Wait(service_->StartRun(integration_.id, "sync").id, seconds(120));
  EXPECT_EQ(sync.status, kRunSucceeded) << sync.error;
  for (const HeldArtifact& held : service_->HeldArtifacts(integration_.id)) {
    EXPECT_EQ(held.kind, ArtifactKind::kManifest);
  }
}

TEST_F(ExtractionServiceTest, RunsOfOneIntegrationNeverOverlapAndKeepTheirOrder) {
  std::vector<std::int64_t> ids;
  ids.reserve(6);
  for (int i = 0; i < 6; ++i) {
    ids.push_back(service_
                      ->StartRun(integration_.id, "test",
                                 {{ArtifactKind::kManifest, Upload("manifest.json")}})
                      .id);
  }
  std::vector<ExtractionRun> finished;
  finished.reserve(ids.size());
  for (std::int64_t id : ids) finished.push_back(service_->Wait(id, seconds(120)));
  for (std::size_t i = 0; i < finished.size(); ++i) {
    EXPECT_EQ(finished[i].status, kRunSucceeded) << finished[i].error;
    if (i > 0) {
      EXPECT_LE(finished[i - 1].finished_at, finished[i].started_at);
    }
  }
}

TEST_F(ExtractionServiceTest, StagedArtifactsRunTogetherOnTrigger) {
  service_->Stage(integration_.id, {{ArtifactKind::kManifest, Upload("manifest.json")},
                                    {ArtifactKind::kCatalog, Upload("catalog.json")}});
  std::int64_t total = 0;
  EXPECT_TRUE(runs_->ListRuns(integration_.id, 10, 0, total).empty());
  std::vector<HeldArtifact> held = service_->HeldArtifacts(integration_.id);
  ASSERT_EQ(held.size(), 2u);
  EXPECT_TRUE(held[0].staged);
  ExtractionRun run =
      service_->Wait(service_->StartRun(integration_.id, "trigger").id, seconds(120));
  EXPECT_EQ(run.status, kRunSucceeded) << run.error;
  EXPECT_EQ(catalog_->Get(kCustomers)->table->columns.front().data_type, "VARCHAR");
  held = service_->HeldArtifacts(integration_.id);
  ASSERT_EQ(held.size(), 2u);
  EXPECT_FALSE(held[0].staged);
}

// What ThisProcess() would have written for a process that has ended: this
// host and boot, a start time no running process of this pid has.
std::string EndedProcess() {
  std::string identity = ThisProcess();
  return identity.substr(0, identity.rfind(' ')) + " 0";
}

TEST_F(ExtractionServiceTest, ARestartFailsRunsThatWereInterrupted) {
  service_.reset();
  ExtractionRun queued = runs_->CreateRun(integration_.id, "test");
  ExtractionRun running = runs_->CreateRun(integration_.id, "test");
  runs_->MarkRunning(running.id);
  {
    catalog::sqlite::Connection db((dir_ / "cairn.db").string());
    db.Exec("UPDATE extraction_runs SET owner = '" + EndedProcess() + "'");
  }
  StartService();
  for (std::int64_t id : {queued.id, running.id}) {
    std::optional<ExtractionRun> run = runs_->GetRun(id);
    EXPECT_EQ(run->status, kRunFailed);
    EXPECT_NE(run->error.find("interrupted"), std::string::npos);
  }
}

TEST_F(ExtractionServiceTest, AServerStartingBesideAnotherLeavesItsRunsAlone) {
  // Runs of a process that still runs (this one, standing in for another
  // `cairn serve` on the same catalog), here or on another host.
  ExtractionRun local = runs_->CreateRun(integration_.id, "test");
  runs_->MarkRunning(local.id);
  ExtractionRun remote = runs_->CreateRun(integration_.id, "test");
  {
    catalog::sqlite::Connection db((dir_ / "cairn.db").string());
    db.Exec("UPDATE extraction_runs SET owner = 'elsewhere.example boot 42 1000' WHERE id = " +
            std::to_string(remote.id));
  }
  auto beside = OpenSqliteRunStore((dir_ / "cairn.db").string());
  EXPECT_EQ(beside->FailUnfinishedRuns("interrupted"), 0);
  EXPECT_EQ(runs_->GetRun(local.id)->status, kRunRunning);
  EXPECT_EQ(runs_->GetRun(remote.id)->status, kRunQueued);
}

TEST_F(ExtractionServiceTest, TwoServicesCannotShareADataDirectory) {
  ExtractionService second(*runs_, ExtractionOptions{.db_url = url_, .data_dir = dir_ / "data"});
  try {
    second.Start();
    FAIL() << "started on a data directory in use";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("its own --data-dir"), std::string::npos)
        << error.what();
  }
  ExtractionService elsewhere(*runs_,
                              ExtractionOptions{.db_url = url_, .data_dir = dir_ / "other"});
  elsewhere.Start();
}

TEST_F(ExtractionServiceTest, IntegrationsAreValidated) {
  EXPECT_THROW(service_->CreateIntegration("x", "dbt_cloud", "{}"), Error);
  EXPECT_THROW(service_->CreateIntegration("x", "dbt_core", R"({"services": "a"})"), Error);
  EXPECT_THROW(service_->CreateIntegration("", "dbt_core", "{}"), Error);
  EXPECT_THROW(service_->StartRun("no-such-integration", "test"), Error);
  std::string metrics;
  service_->CollectMetrics(metrics);
  EXPECT_NE(metrics.find("cairn_extraction_runs{status=\"queued\"} 0"), std::string::npos);
}

}  // namespace
}  // namespace cairn::ingest
