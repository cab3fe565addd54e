#include "catalog/postgres/postgres_store.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "catalog/postgres/connection.h"
#include "catalog/postgres/migrations.h"
#include "catalog/postgres/search_index.h"
#include "catalog/postgres/test_database.h"
#include "catalog/staged_snapshot.h"
#include "catalog/store_contract_test.h"
#include "core/error.h"

namespace cairn::catalog::postgres {
namespace {

using cairn::catalog::testing::ChangedShopSnapshot;
using cairn::catalog::testing::CrmSnapshot;
using cairn::catalog::testing::ShopSnapshot;
using cairn::catalog::testing::StoreContractTest;
using cairn::catalog::testing::StoreFactory;

// A new database per store, opened as the server opens its catalog.
INSTANTIATE_TEST_SUITE_P(Postgres, StoreContractTest, ::testing::Values(StoreFactory([] {
                           return OpenStore(testing::NewTestDatabase());
                         })),
                         [](const ::testing::TestParamInfo<StoreFactory>&) {
                           return "PostgreSQL";
                         });

std::int64_t CountRows(Connection& db, const std::string& sql) {
  return db.QueryDynamic(sql).Int64(0, 0);
}

TEST(PostgresStoreTest, MigratesANewDatabaseOnceAndRecordsEachStep) {
  std::string url = testing::NewTestDatabase();
  EXPECT_EQ(PostgresStore(url).SchemaVersion(), LatestSchemaVersion());
  EXPECT_EQ(PostgresStore(url).SchemaVersion(), LatestSchemaVersion()) << "reopened";
  Connection db(url);
  EXPECT_EQ(CountRows(db, "SELECT count(*) FROM schema_migrations"),
            static_cast<std::int64_t>(Migrations().size()));
}

TEST(PostgresStoreTest, OpenStoreTakesPostgresUrlsAndRefusesOtherSpellings) {
  std::string url = testing::NewTestDatabase();
  ASSERT_TRUE(url.starts_with("postgresql://"));
  EXPECT_EQ(OpenStore(url)->SchemaVersion(), LatestSchemaVersion());
  std::string short_scheme = "postgres://" + url.substr(std::string("postgresql://").size());
  EXPECT_EQ(OpenStore(short_scheme)->SchemaVersion(), LatestSchemaVersion());
  try {
    OpenStore("postgres:catalog");
    ADD_FAILURE() << "postgres: without // opened something";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("postgresql://"), std::string::npos) << e.what();
  }
}

TEST(PostgresStoreTest, AFailureBeforeCommitLeavesEverythingAsItWas) {
  std::string url = testing::NewTestDatabase();
  PostgresStore store(url);
  store.Apply(ShopSnapshot());
  std::int64_t counter = store.ChangeCounter();
  ServiceSnapshot changed = ChangedShopSnapshot();
  store.FailNextApplyBeforeCommitForTesting();
  EXPECT_THROW(store.Apply(changed), Error);
  EXPECT_EQ(store.ChangeCounter(), counter);
  EXPECT_TRUE(store.Get("shop.analytics.main.\"daily.revenue\"").has_value());
  EXPECT_EQ(store.Search({.text = "payments"}).total, 0);
  // The connection is usable again, and the same Apply now succeeds.
  EXPECT_EQ(store.Apply(changed).tables.added, 1);
  EXPECT_EQ(store.Search({.text = "payments"}).total, 1);
}

TEST(PostgresStoreTest, ChangeCounterSeesCommitsOfOtherConnections) {
  std::string url = testing::NewTestDatabase();
  PostgresStore reader(url);
  PostgresStore writer(url);
  std::int64_t before = reader.ChangeCounter();
  writer.Apply(ShopSnapshot());
  std::int64_t applied = reader.ChangeCounter();
  EXPECT_NE(applied, before);
  writer.SaveEdits({Edit{.target_fqn = "shop.analytics.main.customers",
                         .field = "description",
                         .value_json = R"("edited")",
                         .edited_by = "ana"}});
  EXPECT_NE(reader.ChangeCounter(), applied);
  EXPECT_EQ(reader.Get("shop.analytics.main.customers")->table->description, "edited");
}

TEST(PostgresStoreTest, TextWithCopysSpecialCharactersRoundTrips) {
  PostgresStore store(testing::NewTestDatabase());
  ServiceSnapshot snapshot = ShopSnapshot();
  const std::string awkward = "tab\there\nnew line\\back slash\r\\N \"quoted\" 'single' é";
  snapshot.tables[0].description = awkward;
  snapshot.tables[0].columns[0].description = awkward;
  snapshot.nodes[0].raw_code = awkward;
  snapshot.runs[0].message = awkward;
  store.Apply(snapshot);
  std::optional<EntityDetail> detail = store.Get(snapshot.tables[0].fqn);
  ASSERT_TRUE(detail && detail->table);
  EXPECT_EQ(detail->table->description, awkward);
  EXPECT_EQ(detail->table->columns[0].description, awkward);
  EXPECT_EQ(store.RunHistory(snapshot.runs[0].unique_id, 50).back().message, awkward);
  EXPECT_EQ(store.Apply(snapshot).tables.updated, 0) << "read back as written";
}

TEST(PostgresStoreTest, RunsOfAnUnknownInvocationAreRejected) {
  PostgresStore store(testing::NewTestDatabase());
  ServiceSnapshot snapshot = ShopSnapshot();
  snapshot.runs.back().invocation_id = "inv-unknown";
  EXPECT_THROW(store.Apply(snapshot), Error);
  EXPECT_EQ(store.Counts().tables, 0);
}

TEST(PostgresStoreTest, ManyEntitiesApplyInBulkAndReapplyUnchanged) {
  PostgresStore store(testing::NewTestDatabase());
  ServiceSnapshot snapshot;
  snapshot.service = "big";
  snapshot.origin = "dbt";
  for (std::size_t i = 0; i < 2000; ++i) {
    Table& table = snapshot.tables.emplace_back();
    table.name = "model_" + std::to_string(i);
    table.schema = "main";
    table.database = "db";
    table.fqn = TableFqn("big", "db", "main", table.name);
    table.table_type = "table";
    table.columns.push_back(Column{.name = "id", .ordinal = 1, .data_type = "bigint"});
    DbtNode& node = snapshot.nodes.emplace_back();
    node.unique_id = "model.big." + table.name;
    node.fqn = node.table_fqn = table.fqn;
    node.resource_type = "model";
    node.name = table.name;
    if (i > 0)
      snapshot.lineage.push_back(
          {.upstream_fqn = snapshot.tables[i - 1].fqn, .downstream_fqn = table.fqn});
  }
  ApplyReport first = store.Apply(snapshot);
  EXPECT_EQ(first.tables.added, 2000);
  EXPECT_EQ(first.nodes.added, 2000);
  EXPECT_EQ(store.Counts().columns, 2000);
  EXPECT_EQ(store.Search({.text = "model_1999"}).hits.at(0).fqn, snapshot.tables[1999].fqn);
  snapshot.tables[7].description = "changed";
  ApplyReport second = store.Apply(snapshot);
  EXPECT_EQ(second.tables.unchanged, 1999);
  EXPECT_EQ(second.tables.updated, 1);
  EXPECT_EQ(second.nodes.unchanged, 2000);
  EXPECT_EQ(store.Search({.text = "changed"}).hits.at(0).fqn, snapshot.tables[7].fqn);
}

TEST(PostgresStoreTest, AStagedApplyWritesEachPartAsItIsPublished) {
  PostgresStore store(testing::NewTestDatabase());
  const ServiceSnapshot full = ShopSnapshot();
  StagedSnapshot staged;
  std::thread producer([&] {
    ServiceSnapshot& s = staged.snapshot();
    s.service = full.service;
    s.service_type = full.service_type;
    s.origin = full.origin;
    s.tables = full.tables;
    s.lineage = full.lineage;
    staged.Publish(SnapshotPart::kTables);
    s.nodes = full.nodes;
    s.docs = full.docs;
    staged.Publish(SnapshotPart::kNodes);
    s.invocations = full.invocations;
    s.runs = full.runs;
    staged.Publish(SnapshotPart::kAll);
    staged.AwaitRelease();
  });
  ApplyReport report = store.ApplyStaged(staged);
  staged.Release();
  producer.join();
  EXPECT_EQ(report.tables.added, 4);
  EXPECT_EQ(report.nodes.added, 8);
  EXPECT_EQ(report.runs_added, 7);
  SearchPage page = store.Search({.text = "customers"});
  ASSERT_FALSE(page.hits.empty());
  EXPECT_EQ(page.hits[0].fqn, "shop.analytics.main.customers");
  EXPECT_EQ(page.hits[0].test_status, "fail");
  EXPECT_EQ(store.Apply(full).tables.unchanged, 4) << "the same as an Apply of the whole";
}

TEST(PostgresStoreTest, AStagedApplyWhoseReaderFailsCommitsNothing) {
  PostgresStore store(testing::NewTestDatabase());
  StagedSnapshot staged;
  staged.snapshot() = ShopSnapshot();
  staged.Publish(SnapshotPart::kTables);
  staged.Fail(std::make_exception_ptr(Error(ErrorCode::kInvalidArgument, "bad manifest")));
  EXPECT_THROW(store.ApplyStaged(staged), Error);
  staged.Release();
  EXPECT_EQ(store.Counts().tables, 0);
  EXPECT_EQ(store.Counts().services, 0);
}

// The search documents of a service, in a form to compare.
std::vector<std::string> Documents(Connection& db, const std::string& service) {
  Rows rows = db.QueryDynamic(
      "SELECT concat_ws(' | ', d.fqn, d.name, d.resource_type, d.schema_name, d.tag_list::text,"
      " d.owner_list::text, d.description, d.test_status, d.document::text)"
      " FROM search_docs d JOIN services s ON s.id = d.service_id WHERE s.name = $1"
      " ORDER BY d.fqn COLLATE \"C\"",
      Params().Add(service));
  std::vector<std::string> documents;
  documents.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) documents.push_back(rows.String(i, 0));
  return documents;
}

TEST(PostgresStoreTest, NewCatalogDocumentsEqualThoseBuiltFromStoredRows) {
  std::string fresh_url = testing::NewTestDatabase();
  std::string later_url = testing::NewTestDatabase();
  PostgresStore fresh(fresh_url);
  fresh.Apply(ShopSnapshot());  // documents built in C++
  PostgresStore later(later_url);
  later.Apply(CrmSnapshot());
  later.Apply(ShopSnapshot());  // documents built in SQL
  Connection fresh_db(fresh_url);
  Connection later_db(later_url);
  std::vector<std::string> documents = Documents(fresh_db, "shop");
  EXPECT_EQ(documents.size(), 8u);
  EXPECT_EQ(documents, Documents(later_db, "shop"));
}

TEST(BuildTsQueryTest, QuotesWordsJoinsTheirPartsAndPrefixesTheLast) {
  EXPECT_EQ(BuildTsQuery("Orders"), "('orders':*)");
  EXPECT_EQ(BuildTsQuery("customer_id total"), "('customer' <-> 'id') & ('total':*)");
  EXPECT_EQ(BuildTsQuery("'; DROP TABLE x; --"), "('drop') & ('table') & ('x':*)");
  EXPECT_EQ(BuildTsQuery("cust* OR ("), "('cust') & ('or':*)");
  EXPECT_EQ(BuildTsQuery(" -- "), "");
  EXPECT_EQ(BuildTsQuery("__"), "");
}

}  // namespace
}  // namespace cairn::catalog::postgres
