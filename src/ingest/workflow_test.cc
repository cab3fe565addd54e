#include "ingest/workflow.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "catalog/staged_snapshot.h"
#include "core/error.h"
#include "core/file.h"

namespace cairn::ingest {
namespace {

namespace fs = std::filesystem;

// A dbt 1.12 project on duckdb with manifest, catalog and run_results.
const std::string& ProjectDir() {
  static const std::string dir =
      std::string(CAIRN_SHARED_DIR) + "/fixtures/dbt/projects/jaffle_shop_duckdb_dbt-1.12.0/";
  return dir;
}

// A source that hands over one table, then fails or hands over the rest.
class StagedSource : public connectors::Source {
 public:
  explicit StagedSource(bool fail_after_tables) : fail_after_tables_(fail_after_tables) {}

  catalog::ServiceSnapshot Read(connectors::ProgressListener&) override { return {}; }
  void ReadStaged(connectors::ProgressListener&, catalog::StagedSnapshot& out) override {
    catalog::ServiceSnapshot& snapshot = out.snapshot();
    snapshot.service = "staged";
    snapshot.origin = "test";
    snapshot.tables.push_back({.fqn = "staged.db.main.orders", .name = "orders"});
    out.Publish(catalog::SnapshotPart::kTables);
    if (fail_after_tables_) throw Error(ErrorCode::kInvalidArgument, "the source broke");
    snapshot.nodes.push_back({.fqn = "staged.db.main.orders",
                              .table_fqn = "staged.db.main.orders",
                              .unique_id = "model.p.orders",
                              .resource_type = "model",
                              .name = "orders"});
  }
  std::vector<std::string> Warnings() const override { return {}; }

 private:
  bool fail_after_tables_;
};

class WorkflowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cairn-workflow-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    store_ = catalog::OpenStore("sqlite:" + (dir_ / "cairn.db").string());
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  IngestReport RunWith(const std::string& manifest, const std::string& run_results) {
    std::string yaml =
        "source:\n  type: dbt\n  serviceName: jaffle\n  sourceConfig:\n    config:\n"
        "      dbtConfigSource:\n        dbtManifestFilePath: " +
        manifest + "\n";
    if (!run_results.empty()) yaml += "        dbtRunResultsFilePath: " + run_results + "\n";
    yaml += "        dbtCatalogFilePath: " + ProjectDir() +
            "catalog.json\nsink:\n  type: metadata-store\n";
    SilentProgress progress;
    return RunWorkflow(ParseWorkflowConfig(yaml, "test.yaml"), *store_, progress);
  }

  // The fixture's manifest without one model and the tests on it.
  std::string ManifestWithout(const std::string& unique_id) {
    nlohmann::json manifest = nlohmann::json::parse(ReadFile(ProjectDir() + "manifest.json"));
    auto& nodes = manifest["nodes"];
    for (auto it = nodes.begin(); it != nodes.end();) {
      const auto& depends = (*it)["depends_on"]["nodes"];
      const bool tests_it = std::find(depends.begin(), depends.end(), unique_id) != depends.end() &&
                            (*it)["resource_type"] == "test";
      it = (it.key() == unique_id || tests_it) ? nodes.erase(it) : std::next(it);
    }
    std::string path = (dir_ / "manifest.json").string();
    WriteFileAtomically(path, manifest.dump());
    return path;
  }

  fs::path dir_;
  std::unique_ptr<catalog::Store> store_;
};

TEST_F(WorkflowTest, IngestsProjectWithHistory) {
  const IngestReport report =
      RunWith(ProjectDir() + "manifest.json", ProjectDir() + "run_results.json");
  EXPECT_EQ(report.service, "jaffle");
  EXPECT_EQ(report.applied.tables.added, report.tables_seen);
  EXPECT_EQ(report.applied.nodes.added, report.nodes_seen);
  EXPECT_EQ(report.applied.invocations_added, 1);
  EXPECT_EQ(report.applied.runs_added, 46);  // PROVENANCE: 46 results, all resolve

  const auto customers = store_->Get("model.jaffle_shop.customers");
  ASSERT_TRUE(customers.has_value());
  ASSERT_TRUE(customers->table.has_value());
  EXPECT_EQ(customers->table->fqn, "jaffle.jaffle_shop.main.customers");
  EXPECT_FALSE(customers->table->columns.empty());
  EXPECT_FALSE(customers->tests.empty());
  for (const auto& test : customers->tests)
    EXPECT_FALSE(test.latest_status.empty()) << test.unique_id;

  const auto page = store_->Search({.text = "customers"});
  ASSERT_FALSE(page.hits.empty());
}

TEST_F(WorkflowTest, ReingestingTheSameProjectChangesNothing) {
  RunWith(ProjectDir() + "manifest.json", ProjectDir() + "run_results.json");
  const catalog::CatalogCounts before = store_->Counts();
  const IngestReport again =
      RunWith(ProjectDir() + "manifest.json", ProjectDir() + "run_results.json");
  EXPECT_EQ(again.applied.tables.unchanged, again.tables_seen);
  EXPECT_EQ(
      again.applied.tables.added + again.applied.tables.updated + again.applied.tables.removed, 0);
  EXPECT_EQ(again.applied.nodes.unchanged, again.nodes_seen);
  EXPECT_EQ(again.applied.invocations_added, 0);
  EXPECT_EQ(again.applied.runs_added, 0);
  const catalog::CatalogCounts after = store_->Counts();
  EXPECT_EQ(after.tables, before.tables);
  EXPECT_EQ(after.columns, before.columns);
  EXPECT_EQ(after.nodes, before.nodes);
  EXPECT_EQ(after.runs, before.runs);
  EXPECT_EQ(after.lineage_edges, before.lineage_edges);
}

TEST_F(WorkflowTest, ModelDeletedInDbtDisappearsButKeepsHistory) {
  RunWith(ProjectDir() + "manifest.json", ProjectDir() + "run_results.json");
  const std::string gone = "model.jaffle_shop.order_items";
  ASSERT_TRUE(store_->Get(gone).has_value());
  const auto history_before = store_->RunHistory(gone, 10);
  ASSERT_EQ(history_before.size(), 1u);

  const IngestReport report = RunWith(ManifestWithout(gone), "");
  EXPECT_EQ(report.applied.tables.removed, 1);
  EXPECT_FALSE(store_->Get(gone).has_value());
  EXPECT_FALSE(store_->Get("jaffle.jaffle_shop.main.order_items").has_value());
  EXPECT_EQ(store_->RunHistory(gone, 10).size(), 1u);
}

TEST_F(WorkflowTest, FailedIngestLeavesTheStoreAsItWas) {
  RunWith(ProjectDir() + "manifest.json", ProjectDir() + "run_results.json");
  const catalog::CatalogCounts before = store_->Counts();
  // run_results of another project: its ids are not in this manifest.
  const std::string other_run_results =
      std::string(CAIRN_SHARED_DIR) +
      "/fixtures/dbt/projects/jaffle_shop_snowflake_dbt-1.7.7/run_results.json";
  std::optional<ErrorCode> code;
  std::string message;
  try {
    RunWith(ManifestWithout("model.jaffle_shop.order_items"), other_run_results);
  } catch (const Error& e) {
    code = e.code();
    message = e.what();
  }
  EXPECT_EQ(code, ErrorCode::kInconsistent);
  EXPECT_NE(message.find("not in the manifest"), std::string::npos) << message;
  const catalog::CatalogCounts after = store_->Counts();
  EXPECT_EQ(after.tables, before.tables);
  EXPECT_EQ(after.nodes, before.nodes);
  EXPECT_EQ(after.runs, before.runs);
  EXPECT_TRUE(store_->Get("model.jaffle_shop.order_items").has_value());
}

TEST_F(WorkflowTest, StagedSourceIsWrittenWhole) {
  StagedSource source(false);
  SilentProgress progress;
  const IngestReport report = Ingest(source, *store_, progress);
  EXPECT_EQ(report.service, "staged");
  EXPECT_EQ(report.applied.tables.added, 1);
  EXPECT_EQ(report.applied.nodes.added, 1);
  EXPECT_TRUE(store_->Get("staged.db.main.orders").has_value());
  EXPECT_EQ(store_->Search({.text = "orders"}).total, 1);
}

TEST_F(WorkflowTest, SourceFailingAfterTheTablesWereHandedOverWritesNothing) {
  RunWith(ProjectDir() + "manifest.json", ProjectDir() + "run_results.json");
  const catalog::CatalogCounts before = store_->Counts();
  StagedSource source(true);
  SilentProgress progress;
  try {
    Ingest(source, *store_, progress);
    FAIL() << "the source's error was lost";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("the source broke"), std::string::npos) << e.what();
  }
  const catalog::CatalogCounts after = store_->Counts();
  EXPECT_EQ(after.services, before.services);
  EXPECT_EQ(after.tables, before.tables);
  EXPECT_FALSE(store_->Get("staged.db.main.orders").has_value());
}

}  // namespace
}  // namespace cairn::ingest
