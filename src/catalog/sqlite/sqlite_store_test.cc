#include "catalog/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

#include "catalog/sqlite/migrations.h"
#include "catalog/sqlite/search_index.h"
#include "catalog/store_contract_test.h"
#include "core/error.h"
#include "core/file.h"

namespace cairn::catalog::sqlite {
namespace {

namespace fs = std::filesystem;
using cairn::catalog::testing::ChangedShopSnapshot;
using cairn::catalog::testing::ShopSnapshot;
using cairn::catalog::testing::StoreContractTest;
using cairn::catalog::testing::StoreFactory;

// A fresh path per call under one directory per test process, removed at exit.
class TempFiles : public ::testing::Environment {
 public:
  static fs::path NewPath() {
    static std::atomic<int> counter{0};
    fs::create_directories(Dir());
    return Dir() / ("catalog_" + std::to_string(counter++) + ".db");
  }
  static fs::path Dir() {
    return fs::temp_directory_path() / ("cairn_catalog_test_" + std::to_string(::getpid()));
  }
  void TearDown() override { fs::remove_all(Dir()); }
};

// NOLINTNEXTLINE(cert-err58-cpp): gtest's documented way to register an environment.
const ::testing::Environment* const kTempFiles = ::testing::AddGlobalTestEnvironment(new TempFiles);

// Named, so test names stay the same from build to build (the default name
// prints the std::function's bytes).
INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContractTest, ::testing::Values(StoreFactory([] {
                           return OpenStore("sqlite:" + TempFiles::NewPath().string());
                         })),
                         [](const ::testing::TestParamInfo<StoreFactory>&) { return "SQLite"; });
// The same contract for a new file opened as `cairn ingest` opens it.
INSTANTIATE_TEST_SUITE_P(SqliteFirstLoad, StoreContractTest, ::testing::Values(StoreFactory([] {
                           return OpenStore("sqlite:" + TempFiles::NewPath().string(),
                                            {.first_load = true});
                         })),
                         [](const ::testing::TestParamInfo<StoreFactory>&) { return "SQLite"; });

std::string ReadBytes(const fs::path& path) {
  return ReadFile(path.string());
}

// A raw connection beside the store, to look at what it wrote.
std::string QueryText(const fs::path& path, const char* sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  std::string result;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    const unsigned char* text = sqlite3_column_text(stmt, 0);
    if (text != nullptr) result = reinterpret_cast<const char*>(text);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return result;
}

void ExecRaw(const fs::path& path, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
}

TEST(SqliteStoreTest, OpensInWalModeWithForeignKeys) {
  fs::path path = TempFiles::NewPath();
  SqliteStore store(path.string());
  EXPECT_EQ(QueryText(path, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(store.SchemaVersion(), LatestSchemaVersion());
}

TEST(SqliteStoreTest, MigratesAnEmptyFileAndRecordsEachStep) {
  fs::path path = TempFiles::NewPath();
  std::ofstream(path).close();  // an empty file is an empty database
  { SqliteStore store(path.string()); }
  std::string every_step;
  for (const Migration& step : Migrations()) {
    every_step += (every_step.empty() ? "" : ",") + std::to_string(step.version);
  }
  EXPECT_EQ(QueryText(path, "SELECT group_concat(version) FROM schema_migrations"), every_step);
  EXPECT_EQ(every_step.substr(0, 5), "1,2,3");
  EXPECT_EQ(QueryText(path, "PRAGMA user_version"), std::to_string(LatestSchemaVersion()));
}

TEST(SqliteStoreTest, MigratesAnOlderDatabase) {
  fs::path path = TempFiles::NewPath();
  {
    Connection old(path.string());
    Migrate(old, 1);
  }
  EXPECT_EQ(QueryText(path, "PRAGMA user_version"), "1");
  SqliteStore store(path.string());
  EXPECT_EQ(store.SchemaVersion(), LatestSchemaVersion());
  store.Apply(ShopSnapshot());
  SearchQuery query;
  query.text = "customers";
  EXPECT_GT(store.Search(query).total, 0);
}

TEST(SqliteStoreTest, MigrationSixBuildsTheFacetsOfAnExistingCatalog) {
  fs::path path = TempFiles::NewPath();
  { SqliteStore(path.string()).Apply(ShopSnapshot()); }
  // The catalog as schema version 5 left it: documents, no facets (and none
  // of what later migrations add).
  ExecRaw(path,
          "DROP TABLE search_facets; ALTER TABLE snapshot_state DROP COLUMN artifact_fingerprint;"
          " ALTER TABLE tables DROP COLUMN definition; ALTER TABLE tables DROP COLUMN deleted_at;"
          " DROP TABLE bucket_syncs; DROP TABLE bucket_sync_leases; DROP TABLE table_layers;"
          " DROP TABLE credential_blocks; ALTER TABLE extraction_runs DROP COLUMN owner;"
          " ALTER TABLE integrations DROP COLUMN created_seq;"
          " DELETE FROM schema_migrations WHERE version >= 6; PRAGMA user_version = 5");
  SqliteStore store(path.string());
  EXPECT_EQ(store.SchemaVersion(), LatestSchemaVersion());
  SearchQuery failing;
  failing.test_status = "fail";
  failing.facets = true;
  SearchPage page = store.Search(failing);
  ASSERT_EQ(page.hits.size(), 2u);
  EXPECT_EQ(page.hits[0].name, "customers");
  EXPECT_EQ(page.hits[0].test_status, "fail");
  EXPECT_EQ(page.hits[1].resource_type, "test");
  ASSERT_TRUE(page.facets.has_value());
  ASSERT_EQ(page.facets->tag.size(), 2u);
  EXPECT_EQ(page.facets->tag[0].value, "core");
  SearchQuery text;
  text.text = "customers";
  EXPECT_EQ(store.Search(text).total, 3);
}

TEST(SqliteStoreTest, FingerprintsSurviveFromAnOlderSchema) {
  fs::path path = TempFiles::NewPath();
  {
    Connection old(path.string());
    Migrate(old, 5);
  }
  SqliteStore store(path.string());
  ServiceSnapshot shop = ShopSnapshot();
  shop.artifact_fingerprint = "dbt:one";
  store.Apply(shop);
  EXPECT_TRUE(store.FindUnchanged("dbt:one").has_value());
}

// A new catalog's search documents and test statuses are built from the
// snapshot, any other's from the stored rows: both must index the same text
// and facets.
TEST(SqliteStoreTest, NewCatalogDocumentsEqualThoseBuiltFromStoredRows) {
  constexpr const char* kDocuments = R"sql(
SELECT group_concat(d, char(10)) FROM (
  SELECT f.fqn || '|' || f.name || '|' || f.aliases || '|' || f.description || '|' || f.columns ||
         '|' || f.tags || '|' || f.resource_type || '|' || f.schema_name || '|' || f.service ||
         '|' || replace(f.tag_list, char(31), '/') || '|' || replace(f.owner_list, char(31), '/') ||
         '|' || x.resource_type || '|' || x.schema_name || '|' ||
         replace(x.tag_list, char(31), '/') || '|' || replace(x.owner_list, char(31), '/') || '|' ||
         x.test_status AS d
  FROM search_fts f JOIN search_facets x ON x.doc = f.rowid
  WHERE f.service = 'shop' ORDER BY f.fqn)
)sql";
  ServiceSnapshot shop = ShopSnapshot();
  shop.tables[0].tags = {"Zeta", "pii", "PII", "pii"};
  shop.tables[0].owners = {"Ana@Shop.io"};
  shop.nodes[0].tags = {"pii", "daily"};
  shop.nodes.back().tags = {"B", "a", "B"};
  const fs::path fresh = TempFiles::NewPath();
  const fs::path used = TempFiles::NewPath();
  {
    SqliteStore store(fresh.string());
    store.Apply(shop);
  }
  {
    SqliteStore store(used.string());
    store.Apply(cairn::catalog::testing::CrmSnapshot());
    store.Apply(shop);
  }
  const std::string documents = QueryText(fresh, kDocuments);
  EXPECT_NE(documents.find("/pii/"), std::string::npos);
  EXPECT_NE(documents.find("/ana@shop.io/"), std::string::npos);
  EXPECT_NE(documents.find("|3\n"), std::string::npos);  // customers: a test failed last
  EXPECT_EQ(documents, QueryText(used, kDocuments));
}

TEST(SqliteStoreTest, RefusesADatabaseFromANewerCairn) {
  fs::path path = TempFiles::NewPath();
  { SqliteStore store(path.string()); }
  ExecRaw(path, "PRAGMA user_version = 99");
  try {
    SqliteStore store(path.string());
    FAIL() << "opened a database with a newer schema";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kStorage);
    EXPECT_NE(error.message().find("newer"), std::string::npos) << error.message();
    EXPECT_NE(error.message().find("99"), std::string::npos) << error.message();
  }
}

TEST(SqliteStoreTest, RefusesAFileThatIsNotADatabase) {
  fs::path path = TempFiles::NewPath();
  std::ofstream(path) << std::string(4096, 'x');
  try {
    SqliteStore store(path.string());
    FAIL() << "opened garbage";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kStorage);
  }
}

TEST(SqliteStoreTest, OpenStoreAcceptsSchemeAndBarePaths) {
  fs::path bare = TempFiles::NewPath();
  EXPECT_EQ(OpenStore(bare.string())->SchemaVersion(), LatestSchemaVersion());
  fs::path with_scheme = TempFiles::NewPath();
  EXPECT_EQ(OpenStore("sqlite:" + with_scheme.string())->SchemaVersion(), LatestSchemaVersion());
  EXPECT_TRUE(fs::exists(with_scheme));
  EXPECT_THROW(OpenStore("sqlite:"), Error);
}

TEST(SqliteStoreTest, FailedApplyLeavesTheFileByteForByteUnchanged) {
  fs::path path = TempFiles::NewPath();
  SqliteStore store(path.string());
  store.Apply(ShopSnapshot());
  store.Checkpoint();
  const std::string before = ReadBytes(path);
  const CatalogCounts counts = store.Counts();

  store.FailNextApplyBeforeCommitForTesting();  // after every write, search index included
  EXPECT_THROW(store.Apply(ChangedShopSnapshot()), Error);
  store.Checkpoint();
  EXPECT_EQ(ReadBytes(path), before);

  ServiceSnapshot duplicate = ChangedShopSnapshot();
  duplicate.tables.push_back(duplicate.tables.front());
  std::string message;
  try {
    store.Apply(duplicate);
  } catch (const Error& error) {
    message = error.message();
  }
  EXPECT_NE(message.find("twice"), std::string::npos) << message;
  store.Checkpoint();
  EXPECT_EQ(ReadBytes(path), before);
  CatalogCounts after = store.Counts();
  EXPECT_EQ(after.tables, counts.tables);
  EXPECT_EQ(after.columns, counts.columns);
  EXPECT_EQ(after.nodes, counts.nodes);

  // The store stays usable: the same change applies once nothing injects a failure.
  ApplyReport report = store.Apply(ChangedShopSnapshot());
  EXPECT_EQ(report.tables.added, 1);
}

TEST(SqliteStoreTest, FirstLoadWritesANewFileThroughARollbackJournalThenUsesWal) {
  fs::path path = TempFiles::NewPath();
  SqliteStore store(path.string(), {.first_load = true});
  EXPECT_EQ(QueryText(path, "PRAGMA journal_mode"), "delete");
  const std::string empty = ReadBytes(path);

  store.FailNextApplyBeforeCommitForTesting();
  EXPECT_THROW(store.Apply(ShopSnapshot()), Error);
  EXPECT_EQ(ReadBytes(path), empty);
  EXPECT_FALSE(fs::exists(path.string() + "-journal"));
  EXPECT_EQ(store.Counts().tables, 0);

  store.Apply(ShopSnapshot());
  EXPECT_EQ(QueryText(path, "PRAGMA journal_mode"), "wal");
  EXPECT_GT(store.Counts().tables, 0);
}

TEST(SqliteStoreTest, FirstLoadOfAnExistingFileKeepsWal) {
  fs::path path = TempFiles::NewPath();
  { SqliteStore created(path.string()); }
  SqliteStore store(path.string(), {.first_load = true});
  store.Apply(ShopSnapshot());
  EXPECT_EQ(QueryText(path, "PRAGMA journal_mode"), "wal");
}

TEST(SqliteStoreTest, UnchangedApplyDoesNotWrite) {
  fs::path path = TempFiles::NewPath();
  SqliteStore store(path.string());
  store.Apply(ShopSnapshot());
  store.Checkpoint();
  const std::string before = ReadBytes(path);
  store.Apply(ShopSnapshot());
  store.Checkpoint();
  EXPECT_EQ(ReadBytes(path), before);
}

TEST(SqliteStoreTest, RunsOfAnUnknownInvocationAreRejected) {
  SqliteStore store(TempFiles::NewPath().string());
  ServiceSnapshot snapshot = ShopSnapshot();
  snapshot.runs.front().invocation_id = "inv-missing";
  try {
    store.Apply(snapshot);
    FAIL() << "accepted a run of an unknown invocation";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInconsistent);
  }
  EXPECT_EQ(store.Counts().tables, 0);
}

TEST(SqliteStoreTest, ReadersSeeCommittedDataBesideTheWriter) {
  fs::path path = TempFiles::NewPath();
  SqliteStore writer(path.string());
  SqliteStore reader(path.string());
  writer.Apply(ShopSnapshot());
  EXPECT_EQ(reader.Counts().tables, 4);
}

TEST(SearchMatchTest, QuotesWordsAndPrefixesTheLast) {
  EXPECT_EQ(BuildMatchExpression("cust"), "\"cust\"*");
  EXPECT_EQ(BuildMatchExpression("  stg_orders amount "), "\"stg_orders\" \"amount\"*");
  EXPECT_EQ(BuildMatchExpression("a\"b OR (c)"), "\"a\" \"b\" \"OR\" \"c\"*");
  EXPECT_EQ(BuildMatchExpression("shop.main.orders"), "\"shop\" \"main\" \"orders\"*");
  EXPECT_EQ(BuildMatchExpression("café"), "\"café\"*");
  EXPECT_EQ(BuildMatchExpression(" -*( "), "");
}

}  // namespace
}  // namespace cairn::catalog::sqlite

namespace cairn::catalog::sqlite {
namespace {

TEST(SqliteStoreTest, ChangeCounterSeesCommitsOfOtherConnections) {
  std::string path = TempFiles::NewPath().string();
  SqliteStore reader(path);
  SqliteStore writer(path);
  std::int64_t before = reader.ChangeCounter();
  writer.Apply(testing::ShopSnapshot());
  EXPECT_NE(reader.ChangeCounter(), before);
}

}  // namespace
}  // namespace cairn::catalog::sqlite
