#include "catalog/store_contract_test.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"

namespace cairn::catalog::testing {
namespace {

// FQNs as TableFqn/NodeFqn write them (GetFindsQuotedFqnsOfNamesWithDots checks the quoting).
constexpr char kCustomers[] = "shop.analytics.main.customers";
constexpr char kOrders[] = "shop.analytics.main.orders";
constexpr char kRawOrders[] = "shop.analytics.raw.raw_orders";
constexpr char kRevenue[] = "shop.analytics.main.\"daily.revenue\"";
constexpr char kPayments[] = "shop.analytics.main.payments";
constexpr char kExposure[] = "shop.exposure.shop.weekly_dashboard";
constexpr char kNotNullTest[] = "test.shop.not_null_customers_id.1a";
constexpr char kUniqueTest[] = "test.shop.unique_customers_id.2b";
constexpr char kRelationshipTest[] = "test.shop.relationships_orders_customer_id.3c";

Column MakeColumn(std::string name, int ordinal, std::string type, std::string description) {
  Column column;
  column.name = std::move(name);
  column.ordinal = ordinal;
  column.data_type = std::move(type);
  column.description = std::move(description);
  return column;
}

Table MakeTable(const std::string& fqn, std::string schema, std::string name,
                std::string description, std::vector<Column> columns) {
  Table table;
  table.fqn = fqn;
  table.database = "analytics";
  table.schema = std::move(schema);
  table.name = std::move(name);
  table.table_type = "table";
  table.description = std::move(description);
  table.columns = std::move(columns);
  return table;
}

DbtNode MakeRelationNode(const std::string& table_fqn, std::string unique_id,
                         std::string resource_type, std::string name, std::string description) {
  DbtNode node;
  node.fqn = table_fqn;
  node.table_fqn = table_fqn;
  node.unique_id = std::move(unique_id);
  node.resource_type = std::move(resource_type);
  node.name = std::move(name);
  node.package_name = "shop";
  node.description = std::move(description);
  node.materialized = "table";
  node.language = "sql";
  node.raw_code = "select * from {{ ref('x') }}";
  node.compiled_code = "select * from analytics.main.x";
  return node;
}

DbtNode MakeTest(const std::string& unique_id, std::string name, std::string test_name,
                 const std::string& table_fqn, std::string column) {
  DbtNode node;
  node.unique_id = unique_id;
  node.fqn = NodeFqn("shop", unique_id);
  node.table_fqn = table_fqn;
  node.resource_type = "test";
  node.name = std::move(name);
  node.package_name = "shop";
  node.test_name = std::move(test_name);
  node.test_column = std::move(column);
  node.test_kwargs_json = R"({"column_name":")" + node.test_column + R"("})";
  node.severity = "ERROR";
  return node;
}

NodeRun MakeRun(std::string invocation, std::string unique_id, std::string type,
                std::string status) {
  NodeRun run;
  run.invocation_id = std::move(invocation);
  run.unique_id = std::move(unique_id);
  run.resource_type = std::move(type);
  run.status = std::move(status);
  run.execution_seconds = 0.5;
  run.started_at = "2024-01-01T00:00:00Z";
  run.completed_at = "2024-01-01T00:00:01Z";
  return run;
}

LineageEdge Edge(std::string up, std::string down, std::string up_column = "",
                 std::string down_column = "") {
  return LineageEdge{std::move(up), std::move(down), std::move(up_column), std::move(down_column)};
}

std::vector<std::string> Fqns(const SearchPage& page) {
  std::vector<std::string> fqns;
  fqns.reserve(page.hits.size());
  for (const SearchHit& hit : page.hits) fqns.push_back(hit.fqn);
  return fqns;
}

SearchPage Find(Store& store, std::string text, std::string resource_type = "",
                std::string tag = "", std::string owner = "", std::string schema = "",
                int limit = 20, int offset = 0) {
  SearchQuery query;
  query.text = std::move(text);
  query.resource_type = std::move(resource_type);
  query.tag = std::move(tag);
  query.owner = std::move(owner);
  query.schema = std::move(schema);
  query.limit = limit;
  query.offset = offset;
  return store.Search(query);
}

LineageGraph Walk(Store& store, const std::string& fqn, LineageDirection direction, int depth) {
  LineageQuery query;
  query.fqn = fqn;
  query.direction = direction;
  query.depth = depth;
  return store.Lineage(query);
}

// fqn -> distance, sorted, for order-independent comparison.
std::vector<std::pair<std::string, int>> Distances(const LineageGraph& graph) {
  std::vector<std::pair<std::string, int>> out;
  for (const LineageNode& node : graph.nodes) out.emplace_back(node.fqn, node.distance);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::pair<std::string, int>> Sorted(std::vector<std::pair<std::string, int>> pairs) {
  std::sort(pairs.begin(), pairs.end());
  return pairs;
}

std::vector<std::string> RunStatuses(const std::vector<NodeRun>& runs) {
  std::vector<std::string> out;
  out.reserve(runs.size());
  for (const NodeRun& run : runs) out.push_back(run.invocation_id + ":" + run.status);
  return out;
}

void ExpectSameTable(const Table& actual, const Table& expected) {
  EXPECT_EQ(actual.fqn, expected.fqn);
  EXPECT_EQ(actual.database, expected.database);
  EXPECT_EQ(actual.schema, expected.schema);
  EXPECT_EQ(actual.name, expected.name);
  EXPECT_EQ(actual.table_type, expected.table_type);
  EXPECT_EQ(actual.description, expected.description);
  EXPECT_EQ(actual.tags, expected.tags);
  EXPECT_EQ(actual.owners, expected.owners);
  EXPECT_EQ(actual.stats_json, expected.stats_json);
  EXPECT_EQ(actual.definition, expected.definition);
  ASSERT_EQ(actual.columns.size(), expected.columns.size());
  for (std::size_t i = 0; i < actual.columns.size(); ++i) {
    const Column& a = actual.columns[i];
    const Column& e = expected.columns[i];
    EXPECT_EQ(a.name, e.name);
    EXPECT_EQ(a.ordinal, e.ordinal);
    EXPECT_EQ(a.data_type, e.data_type);
    EXPECT_EQ(a.description, e.description);
    EXPECT_EQ(a.tags, e.tags);
    EXPECT_EQ(a.meta_json, e.meta_json);
    EXPECT_EQ(a.constraints_json, e.constraints_json);
  }
}

const Table& TableOf(const ServiceSnapshot& snapshot, const std::string& fqn) {
  for (const Table& table : snapshot.tables) {
    if (table.fqn == fqn) return table;
  }
  throw std::runtime_error("no table " + fqn);
}

bool SameCounts(const CatalogCounts& a, const CatalogCounts& b) {
  return a.services == b.services && a.tables == b.tables && a.columns == b.columns &&
         a.nodes == b.nodes && a.lineage_edges == b.lineage_edges &&
         a.invocations == b.invocations && a.runs == b.runs;
}

}  // namespace

ServiceSnapshot ShopSnapshot() {
  ServiceSnapshot s;
  s.service = "shop";
  s.service_type = "dbt";
  s.origin = "dbt";

  Table customers = MakeTable(
      kCustomers, "main", "customers", "One row per customer",
      {MakeColumn("id", 1, "integer", "Primary key"), MakeColumn("name", 2, "text", "Full name"),
       MakeColumn("email", 3, "text", "Contact address")});
  customers.tags = {"pii", "core"};
  customers.owners = {"alice@example.com"};
  customers.stats_json = R"({"row_count":42})";
  customers.columns[2].tags = {"pii"};
  customers.columns[0].constraints_json = R"([{"type":"primary_key"}])";
  customers.columns[1].meta_json = R"({"masking":"partial"})";
  Table orders = MakeTable(kOrders, "main", "orders", "Orders placed in the shop",
                           {MakeColumn("order_id", 1, "integer", "Order key"),
                            MakeColumn("customer_id", 2, "integer", "Who ordered"),
                            MakeColumn("amount", 3, "numeric", "Total in cents")});
  orders.table_type = "view";
  orders.definition = "select * from raw.raw_orders where status <> 'test'";
  Table raw_orders =
      MakeTable(kRawOrders, "raw", "raw_orders", "Orders as loaded",
                {MakeColumn("id", 1, "integer", ""), MakeColumn("user_id", 2, "integer", "")});
  Table revenue = MakeTable(kRevenue, "main", "daily.revenue", "Revenue per day",
                            {MakeColumn("day", 1, "date", "Calendar day"),
                             MakeColumn("revenue", 2, "numeric", "Sum of amounts")});
  s.tables = {customers, orders, raw_orders, revenue};

  DbtNode customers_model = MakeRelationNode(kCustomers, "model.shop.customers", "model",
                                             "customers", "One row per customer");
  customers_model.tags = {"pii", "core"};
  customers_model.owners = {"alice@example.com"};
  customers_model.meta_json = R"({"owner":"alice@example.com"})";
  customers_model.access = "public";
  customers_model.group_name = "growth";
  customers_model.version = "2";
  customers_model.latest_version = "2";
  customers_model.contract_enforced = true;
  customers_model.depends_on = {"source.shop.raw.orders"};
  DbtNode orders_model = MakeRelationNode(kOrders, "model.shop.orders", "model", "orders",
                                          "Orders placed in the shop");
  orders_model.materialized = "view";
  orders_model.depends_on = {"source.shop.raw.orders"};
  DbtNode source = MakeRelationNode(kRawOrders, "source.shop.raw.orders", "source", "orders",
                                    "Orders as loaded");
  source.source_name = "raw";
  source.loader = "fivetran";
  source.freshness_json = R"({"warn_after":{"count":12,"period":"hour"}})";
  source.raw_code.clear();
  source.compiled_code.clear();
  DbtNode revenue_model = MakeRelationNode(kRevenue, "model.shop.daily_revenue", "model",
                                           "daily_revenue", "Revenue per day");
  revenue_model.depends_on = {"model.shop.orders", "model.shop.customers"};
  DbtNode exposure;
  exposure.unique_id = "exposure.shop.weekly_dashboard";
  exposure.fqn = kExposure;
  exposure.resource_type = "exposure";
  exposure.name = "weekly_dashboard";
  exposure.package_name = "shop";
  exposure.label = "Weekly KPIs";
  exposure.exposure_type = "dashboard";
  exposure.url = "https://bi.example.com/d/1";
  exposure.maturity = "high";
  exposure.owners = {"bob@example.com"};
  exposure.depends_on = {"model.shop.daily_revenue"};
  s.nodes = {customers_model,
             orders_model,
             source,
             revenue_model,
             MakeTest(kNotNullTest, "not_null_customers_id", "not_null", kCustomers, "id"),
             MakeTest(kUniqueTest, "unique_customers_id", "unique", kCustomers, "id"),
             MakeTest(kRelationshipTest, "relationships_orders_customer_id", "relationships",
                      kOrders, "customer_id"),
             exposure};

  s.lineage = {Edge(kRawOrders, kOrders), Edge(kOrders, kRevenue), Edge(kCustomers, kRevenue),
               Edge(kOrders, kRevenue, "amount", "revenue"), Edge(kRevenue, kExposure)};
  s.docs = {DocBlock{"doc.shop.customer_status", "customer_status", "shop", "Active or churned"}};

  Invocation first;
  first.invocation_id = "inv-1";
  first.artifact = "run_results";
  first.command = "build";
  first.dbt_version = "1.8.0";
  first.generated_at = "2024-01-01T00:00:00Z";
  first.elapsed_seconds = 12.5;
  Invocation second = first;
  second.invocation_id = "inv-2";
  second.command = "test";
  second.generated_at = "2024-01-02T00:00:00Z";
  s.invocations = {first, second};
  NodeRun failed = MakeRun("inv-2", kNotNullTest, "test", "fail");
  failed.failures = 3;
  failed.message = "Got 3 results, configured to fail if != 0";
  NodeRun customers_run = MakeRun("inv-1", "model.shop.customers", "model", "success");
  customers_run.rows_affected = 42;
  s.runs = {customers_run,
            MakeRun("inv-1", "model.shop.orders", "model", "success"),
            MakeRun("inv-1", "model.shop.daily_revenue", "model", "success"),
            MakeRun("inv-1", kNotNullTest, "test", "pass"),
            MakeRun("inv-1", kUniqueTest, "test", "pass"),
            failed,
            MakeRun("inv-2", kUniqueTest, "test", "pass")};
  return s;
}

ServiceSnapshot ChangedShopSnapshot() {
  ServiceSnapshot s = ShopSnapshot();
  std::erase_if(s.tables, [](const Table& t) { return t.fqn == kRevenue; });
  std::erase_if(s.nodes,
                [](const DbtNode& n) { return n.unique_id == "model.shop.daily_revenue"; });
  std::erase_if(s.lineage, [](const LineageEdge& e) {
    return e.downstream_fqn == kRevenue || e.upstream_fqn == kRevenue;
  });
  for (Table& table : s.tables) {
    if (table.fqn == kCustomers) table.columns[2].description = "Where we write to";
  }
  s.tables.push_back(MakeTable(kPayments, "main", "payments", "Payments received",
                               {MakeColumn("payment_id", 1, "integer", "")}));
  return s;
}

ServiceSnapshot CrmSnapshot() {
  ServiceSnapshot s;
  s.service = "crm";
  s.service_type = "postgres";
  s.origin = "postgres";
  s.tables = {MakeTable(TableFqn("crm", "crm", "public", "contacts"), "public", "contacts",
                        "People we talk to", {MakeColumn("id", 1, "integer", "")})};
  return s;
}

// A warehouse with tables in two schemas, as a warehouse connector reads it.
ServiceSnapshot WarehouseSnapshot(const std::vector<std::pair<std::string, std::string>>& tables) {
  ServiceSnapshot s;
  s.service = "wh";
  s.service_type = "postgres";
  s.origin = "postgres";
  s.missing_tables = MissingTables::kMarkDeleted;
  for (const auto& [schema, name] : tables) {
    s.tables.push_back(MakeTable(TableFqn("wh", "db", schema, name), schema, name, "",
                                 {MakeColumn("id", 1, "bigint", "")}));
    s.tables.back().database = "db";
  }
  return s;
}

TEST_P(StoreContractTest, MarkDeletedKeepsAMissingTableOutOfSearchUntilItReturns) {
  store_->Apply(WarehouseSnapshot({{"sales", "orders"}, {"sales", "refunds"}, {"hr", "staff"}}));
  ApplyReport report = store_->Apply(WarehouseSnapshot({{"sales", "orders"}, {"hr", "staff"}}));
  EXPECT_EQ(report.tables.marked_deleted, 1);
  EXPECT_EQ(report.tables.removed, 0);
  std::optional<EntityDetail> refunds = store_->Get("wh.db.sales.refunds");
  ASSERT_TRUE(refunds && refunds->table);
  EXPECT_FALSE(refunds->table->deleted_at.empty()) << "kept, and marked";
  EXPECT_EQ(Find(*store_, "refunds").total, 0) << "a deleted table leaves search";
  EXPECT_TRUE(store_->Get("wh.db.sales.orders")->table->deleted_at.empty());

  EXPECT_EQ(store_->Apply(WarehouseSnapshot({{"sales", "orders"}, {"hr", "staff"}}))
                .tables.marked_deleted,
            0)
      << "marked once";
  report = store_->Apply(
      WarehouseSnapshot({{"sales", "orders"}, {"sales", "refunds"}, {"hr", "staff"}}));
  EXPECT_EQ(report.tables.updated, 1);
  EXPECT_TRUE(store_->Get("wh.db.sales.refunds")->table->deleted_at.empty()) << "back again";
  EXPECT_EQ(Find(*store_, "refunds").total, 1);
}

TEST_P(StoreContractTest, MissingTablesOutsideTheReadSchemasOrKeptAreLeftAlone) {
  store_->Apply(WarehouseSnapshot({{"sales", "orders"}, {"hr", "staff"}}));
  ServiceSnapshot sales_only = WarehouseSnapshot({{"sales", "orders"}});
  sales_only.read_schemas = std::vector<SchemaRef>{{.database = "DB", .schema = "Sales"}};
  EXPECT_EQ(store_->Apply(sales_only).tables.marked_deleted, 0) << "hr was filtered out";
  EXPECT_TRUE(store_->Get("wh.db.hr.staff")->table->deleted_at.empty());

  ServiceSnapshot keep = WarehouseSnapshot({{"sales", "orders"}});
  keep.missing_tables = MissingTables::kKeep;
  ApplyReport report = store_->Apply(keep);
  EXPECT_EQ(report.tables.marked_deleted + report.tables.removed, 0);
  EXPECT_TRUE(store_->Get("wh.db.hr.staff")->table->deleted_at.empty());
  EXPECT_EQ(Find(*store_, "staff").total, 1);
}

TEST_P(StoreContractTest, ApplyReportsWhatItAdded) {
  ApplyReport report = store_->Apply(ShopSnapshot());
  EXPECT_EQ(report.tables.added, 4);
  EXPECT_EQ(report.tables.updated + report.tables.removed + report.tables.unchanged, 0);
  EXPECT_EQ(report.nodes.added, 8);
  EXPECT_EQ(report.lineage_edges, 5);
  EXPECT_EQ(report.invocations_added, 2);
  EXPECT_EQ(report.runs_added, 7);

  CatalogCounts counts = store_->Counts();
  EXPECT_EQ(counts.services, 1);
  EXPECT_EQ(counts.tables, 4);
  EXPECT_EQ(counts.columns, 10);
  EXPECT_EQ(counts.nodes, 8);
  EXPECT_EQ(counts.lineage_edges, 5);
  EXPECT_EQ(counts.invocations, 2);
  EXPECT_EQ(counts.runs, 7);
}

TEST_P(StoreContractTest, DuplicateLineageEdgesAreStoredOnce) {
  ServiceSnapshot snapshot = ShopSnapshot();
  LineageEdge shouted = snapshot.lineage.front();
  std::transform(shouted.upstream_fqn.begin(), shouted.upstream_fqn.end(),
                 shouted.upstream_fqn.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  snapshot.lineage.push_back(snapshot.lineage.front());
  snapshot.lineage.push_back(shouted);
  EXPECT_EQ(store_->Apply(snapshot).lineage_edges, 5);
  EXPECT_EQ(store_->Counts().lineage_edges, 5);
}

TEST_P(StoreContractTest, EmptyStoreAnswersEmpty) {
  EXPECT_TRUE(SameCounts(store_->Counts(), CatalogCounts{}));
  EXPECT_FALSE(store_->Get(kCustomers).has_value());
  EXPECT_EQ(Find(*store_, "customers").total, 0);
  EXPECT_TRUE(store_->RunHistory(kNotNullTest, 10).empty());
  LineageGraph graph = Walk(*store_, kOrders, LineageDirection::kBoth, 3);
  ASSERT_EQ(graph.nodes.size(), 1u);
  EXPECT_TRUE(graph.edges.empty());
}

TEST_P(StoreContractTest, GetTableReturnsItsColumnsNodeTestsAndRuns) {
  ServiceSnapshot snapshot = ShopSnapshot();
  store_->Apply(snapshot);
  std::optional<EntityDetail> detail = store_->Get(kCustomers);
  ASSERT_TRUE(detail.has_value());
  EXPECT_EQ(detail->kind, "table");
  EXPECT_EQ(detail->service, "shop");
  ASSERT_TRUE(detail->table.has_value());
  ExpectSameTable(*detail->table, TableOf(snapshot, kCustomers));

  ASSERT_TRUE(detail->node.has_value());
  const DbtNode& node = *detail->node;
  const DbtNode& expected = snapshot.nodes[0];
  EXPECT_EQ(node.unique_id, "model.shop.customers");
  EXPECT_EQ(node.fqn, expected.fqn);
  EXPECT_EQ(node.table_fqn, expected.table_fqn);
  EXPECT_EQ(node.resource_type, "model");
  EXPECT_EQ(node.tags, expected.tags);
  EXPECT_EQ(node.owners, expected.owners);
  EXPECT_EQ(node.meta_json, expected.meta_json);
  EXPECT_EQ(node.raw_code, expected.raw_code);
  EXPECT_EQ(node.compiled_code, expected.compiled_code);
  EXPECT_EQ(node.access, "public");
  EXPECT_EQ(node.group_name, "growth");
  EXPECT_EQ(node.version, "2");
  EXPECT_TRUE(node.contract_enforced);
  EXPECT_EQ(node.depends_on, expected.depends_on);

  ASSERT_EQ(detail->tests.size(), 2u);
  const TestSummary& not_null = detail->tests[0];
  EXPECT_EQ(not_null.unique_id, kNotNullTest);
  EXPECT_EQ(not_null.name, "not_null_customers_id");
  EXPECT_EQ(not_null.test_name, "not_null");
  EXPECT_EQ(not_null.column, "id");
  EXPECT_EQ(not_null.latest_status, "fail");
  EXPECT_EQ(RunStatuses(not_null.history), (std::vector<std::string>{"inv-2:fail", "inv-1:pass"}));
  EXPECT_EQ(not_null.history[0].failures, 3);
  EXPECT_EQ(not_null.history[0].message, "Got 3 results, configured to fail if != 0");
  EXPECT_EQ(detail->tests[1].unique_id, kUniqueTest);
  EXPECT_EQ(detail->tests[1].latest_status, "pass");

  ASSERT_EQ(detail->runs.size(), 1u);
  EXPECT_EQ(detail->runs[0].status, "success");
  EXPECT_EQ(detail->runs[0].rows_affected, 42);
  EXPECT_FALSE(detail->runs[0].failures.has_value());
}

TEST_P(StoreContractTest, GetIsCaseInsensitiveOnTableFqns) {
  store_->Apply(ShopSnapshot());
  std::string shouted = kCustomers;
  std::transform(shouted.begin(), shouted.end(), shouted.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  std::optional<EntityDetail> detail = store_->Get(shouted);
  ASSERT_TRUE(detail.has_value());
  ASSERT_TRUE(detail->table.has_value());
  EXPECT_EQ(detail->table->fqn, kCustomers);
}

TEST_P(StoreContractTest, GetFindsQuotedFqnsOfNamesWithDots) {
  store_->Apply(ShopSnapshot());
  EXPECT_EQ(kRevenue, TableFqn("shop", "analytics", "main", "daily.revenue"));
  EXPECT_EQ(kExposure, NodeFqn("shop", "exposure.shop.weekly_dashboard"));
  std::optional<EntityDetail> detail = store_->Get(kRevenue);
  ASSERT_TRUE(detail.has_value());
  ASSERT_TRUE(detail->table.has_value());
  EXPECT_EQ(detail->table->name, "daily.revenue");
  ASSERT_TRUE(detail->node.has_value());
  EXPECT_EQ(detail->node->unique_id, "model.shop.daily_revenue");
}

TEST_P(StoreContractTest, GetFindsTablelessNodesByFqnAndUniqueId) {
  store_->Apply(ShopSnapshot());
  for (const std::string& key :
       {std::string(kExposure), std::string("exposure.shop.weekly_dashboard")}) {
    std::optional<EntityDetail> detail = store_->Get(key);
    ASSERT_TRUE(detail.has_value()) << key;
    EXPECT_EQ(detail->kind, "dbt_node");
    EXPECT_EQ(detail->service, "shop");
    EXPECT_FALSE(detail->table.has_value());
    ASSERT_TRUE(detail->node.has_value());
    EXPECT_EQ(detail->node->resource_type, "exposure");
    EXPECT_EQ(detail->node->label, "Weekly KPIs");
    EXPECT_EQ(detail->node->url, "https://bi.example.com/d/1");
    EXPECT_EQ(detail->node->owners, std::vector<std::string>{"bob@example.com"});
  }
  std::optional<EntityDetail> test = store_->Get(kNotNullTest);
  ASSERT_TRUE(test.has_value());
  ASSERT_TRUE(test->node.has_value());
  EXPECT_EQ(test->node->table_fqn, kCustomers);
  EXPECT_EQ(test->node->test_kwargs_json, R"({"column_name":"id"})");
  EXPECT_EQ(RunStatuses(test->runs), (std::vector<std::string>{"inv-2:fail", "inv-1:pass"}));
  EXPECT_FALSE(store_->Get("shop.nothing.here").has_value());
}

TEST_P(StoreContractTest, GetByUniqueIdOfAModelShowsItsTable) {
  store_->Apply(ShopSnapshot());
  std::optional<EntityDetail> detail = store_->Get("model.shop.orders");
  ASSERT_TRUE(detail.has_value());
  EXPECT_EQ(detail->kind, "table");
  ASSERT_TRUE(detail->table.has_value());
  EXPECT_EQ(detail->table->fqn, kOrders);
  ASSERT_EQ(detail->tests.size(), 1u);
  EXPECT_EQ(detail->tests[0].unique_id, kRelationshipTest);
  EXPECT_EQ(detail->tests[0].latest_status, "");
}

TEST_P(StoreContractTest, SearchRanksNameMatchesFirstAndMatchesPrefixes) {
  store_->Apply(ShopSnapshot());
  SearchPage page = Find(*store_, "cust", "model");
  EXPECT_EQ(page.total, 2);  // customers by name, orders by its customer_id column
  ASSERT_EQ(page.hits.size(), 2u);
  EXPECT_EQ(page.hits[0].fqn, kCustomers);
  EXPECT_EQ(page.hits[0].name, "customers");
  EXPECT_EQ(page.hits[0].resource_type, "model");
  EXPECT_EQ(page.hits[0].description, "One row per customer");
  EXPECT_EQ(page.hits[1].fqn, kOrders);
  EXPECT_GT(page.hits[0].score, page.hits[1].score);

  EXPECT_EQ(Fqns(Find(*store_, "loaded")), std::vector<std::string>{kRawOrders});
  EXPECT_EQ(Fqns(Find(*store_, "Total in CENTS")), std::vector<std::string>{kOrders});
  SearchPage exposure = Find(*store_, "weekly dash");
  ASSERT_EQ(exposure.total, 1);
  EXPECT_EQ(exposure.hits[0].fqn, kExposure);
  EXPECT_EQ(exposure.hits[0].resource_type, "exposure");
}

TEST_P(StoreContractTest, SearchFilters) {
  store_->Apply(ShopSnapshot());
  store_->Apply(CrmSnapshot());
  EXPECT_EQ(Fqns(Find(*store_, "", "", "PII")), std::vector<std::string>{kCustomers});
  EXPECT_EQ(Fqns(Find(*store_, "", "", "", "alice@example.com")),
            std::vector<std::string>{kCustomers});
  EXPECT_EQ(Fqns(Find(*store_, "", "", "", "bob@example.com")),
            std::vector<std::string>{kExposure});
  EXPECT_EQ(Fqns(Find(*store_, "", "", "", "", "raw")), std::vector<std::string>{kRawOrders});
  EXPECT_EQ(Fqns(Find(*store_, "orders", "source")), std::vector<std::string>{kRawOrders});
  EXPECT_EQ(Fqns(Find(*store_, "", "table")),
            std::vector<std::string>{TableFqn("crm", "crm", "public", "contacts")});
  EXPECT_EQ(Find(*store_, "customers", "", "no-such-tag").total, 0);
}

TEST_P(StoreContractTest, SearchPaginatesAndCountsTheTotal) {
  store_->Apply(ShopSnapshot());
  SearchPage first = Find(*store_, "", "test", "", "", "", 2, 0);
  EXPECT_EQ(first.total, 3);
  ASSERT_EQ(first.hits.size(), 2u);
  SearchPage second = Find(*store_, "", "test", "", "", "", 2, 2);
  EXPECT_EQ(second.total, 3);
  ASSERT_EQ(second.hits.size(), 1u);
  std::vector<std::string> all = Fqns(first);
  all.push_back(second.hits[0].fqn);
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, (std::vector<std::string>{NodeFqn("shop", kNotNullTest),
                                           NodeFqn("shop", kRelationshipTest),
                                           NodeFqn("shop", kUniqueTest)}));
  SearchPage tests_on_main = Find(*store_, "", "test", "", "", "main");
  EXPECT_EQ(tests_on_main.total, 3);
}

// ShopSnapshot with a third invocation ("inv-3", a day after inv-2) holding these runs.
ServiceSnapshot WithThirdInvocation(const std::vector<NodeRun>& runs) {
  ServiceSnapshot next = ShopSnapshot();
  Invocation third = next.invocations[1];
  third.invocation_id = "inv-3";
  third.generated_at = "2024-01-03T00:00:00Z";
  next.invocations.push_back(third);
  next.runs.insert(next.runs.end(), runs.begin(), runs.end());
  return next;
}

SearchPage FindWith(Store& store, const SearchQuery& query) {
  return store.Search(query);
}

std::vector<std::pair<std::string, std::int64_t>> Counts(const std::vector<FacetCount>& facet) {
  std::vector<std::pair<std::string, std::int64_t>> out;
  out.reserve(facet.size());
  for (const FacetCount& count : facet) out.emplace_back(count.value, count.count);
  return out;
}

std::string StatusOf(const SearchPage& page, const std::string& fqn) {
  for (const SearchHit& hit : page.hits) {
    if (hit.fqn == fqn) return hit.test_status;
  }
  return "(not found)";
}

TEST_P(StoreContractTest, SearchHitsCarryTheWorstLatestTestResult) {
  // customers: not_null failed in inv-2 (passed in inv-1), unique passed;
  // orders: relationships never ran.
  store_->Apply(ShopSnapshot());
  SearchPage all = FindWith(*store_, {.limit = 50});
  ASSERT_EQ(all.total, 8);
  EXPECT_EQ(StatusOf(all, kCustomers), "fail");
  EXPECT_EQ(StatusOf(all, kOrders), "none");
  EXPECT_EQ(StatusOf(all, kRawOrders), "none");
  EXPECT_EQ(StatusOf(all, kExposure), "none");
  EXPECT_EQ(StatusOf(all, NodeFqn("shop", kNotNullTest)), "fail");
  EXPECT_EQ(StatusOf(all, NodeFqn("shop", kUniqueTest)), "pass");
  EXPECT_EQ(StatusOf(all, NodeFqn("shop", kRelationshipTest)), "none");
  SearchPage ranked = FindWith(*store_, {.text = "customers"});
  EXPECT_EQ(StatusOf(ranked, kCustomers), "fail");

  EXPECT_EQ(Fqns(FindWith(*store_, {.test_status = "fail"})),
            (std::vector<std::string>{kCustomers, NodeFqn("shop", kNotNullTest)}));
  EXPECT_EQ(Fqns(FindWith(*store_, {.text = "customers", .test_status = "fail"})).front(),
            kCustomers);
  EXPECT_EQ(FindWith(*store_, {.test_status = "none"}).total, 5);
  EXPECT_EQ(FindWith(*store_, {.test_status = "error"}).total, 0);
  EXPECT_THROW(FindWith(*store_, {.test_status = "failed"}), cairn::Error);

  // Run results alone (no node changed): not_null passes, relationships warns.
  ServiceSnapshot next = WithThirdInvocation({MakeRun("inv-3", kNotNullTest, "test", "pass"),
                                              MakeRun("inv-3", kRelationshipTest, "test", "warn")});
  ApplyReport report = store_->Apply(next);
  EXPECT_EQ(report.nodes.unchanged, 8);
  all = FindWith(*store_, {.limit = 50});
  EXPECT_EQ(StatusOf(all, kCustomers), "pass");
  EXPECT_EQ(StatusOf(all, kOrders), "warn");
  EXPECT_EQ(StatusOf(all, NodeFqn("shop", kRelationshipTest)), "warn");
  EXPECT_EQ(Fqns(FindWith(*store_, {.text = "orders", .test_status = "warn"})),
            (std::vector<std::string>{kOrders, NodeFqn("shop", kRelationshipTest)}));

  // A test that is removed no longer counts: with relationships gone, orders has no tests.
  std::erase_if(next.nodes, [](const DbtNode& n) { return n.unique_id == kRelationshipTest; });
  store_->Apply(next);
  EXPECT_EQ(StatusOf(FindWith(*store_, {.limit = 50}), kOrders), "none");
  EXPECT_EQ(FindWith(*store_, {.test_status = "warn"}).total, 0);
}

TEST_P(StoreContractTest, ARecreatedProjectTakesItsTestStatusFromTheKeptHistory) {
  store_->Apply(ShopSnapshot());
  ServiceSnapshot empty_shop;
  empty_shop.service = "shop";
  empty_shop.origin = "dbt";
  store_->Apply(empty_shop);  // every entity goes; the run results stay
  ServiceSnapshot again = ShopSnapshot();
  again.invocations.clear();
  again.runs.clear();
  store_->Apply(again);
  EXPECT_EQ(StatusOf(FindWith(*store_, {.limit = 50}), kCustomers), "fail");
}

TEST_P(StoreContractTest, SearchCountsFacetsOverEveryMatch) {
  store_->Apply(ShopSnapshot());
  SearchPage page = FindWith(*store_, {.facets = true, .limit = 1});
  EXPECT_EQ(page.total, 8);
  EXPECT_EQ(page.hits.size(), 1u);
  ASSERT_TRUE(page.facets.has_value());
  using C = std::vector<std::pair<std::string, std::int64_t>>;
  EXPECT_EQ(Counts(page.facets->resource_type),
            (C{{"model", 3}, {"test", 3}, {"exposure", 1}, {"source", 1}}));
  EXPECT_EQ(Counts(page.facets->schema), (C{{"main", 6}, {"raw", 1}}));
  EXPECT_EQ(Counts(page.facets->tag), (C{{"core", 1}, {"pii", 1}}));
  EXPECT_EQ(Counts(page.facets->owner), (C{{"alice@example.com", 1}, {"bob@example.com", 1}}));
  EXPECT_EQ(Counts(page.facets->test_status), (C{{"none", 5}, {"fail", 2}, {"pass", 1}}));

  // With text and filters: the counts cover the matched set, and total stays exact.
  SearchPage tests =
      FindWith(*store_, {.text = "customers", .resource_type = "test", .facets = true, .limit = 1});
  EXPECT_EQ(tests.total, FindWith(*store_, {.text = "customers", .resource_type = "test"}).total);
  EXPECT_EQ(tests.total, 2);
  ASSERT_TRUE(tests.facets.has_value());
  EXPECT_EQ(Counts(tests.facets->resource_type), (C{{"test", 2}}));
  EXPECT_EQ(Counts(tests.facets->test_status), (C{{"fail", 1}, {"pass", 1}}));
  EXPECT_TRUE(tests.facets->tag.empty());
  EXPECT_FALSE(FindWith(*store_, {.text = "customers"}).facets.has_value());
}

TEST_P(StoreContractTest, SearchRanksTestsBelowWhatTheyTestAndPagesByScore) {
  store_->Apply(ShopSnapshot());
  // Tests are named after their table, and still rank after it.
  SearchPage page = FindWith(*store_, {.text = "customers"});
  ASSERT_GE(page.hits.size(), 3u);
  EXPECT_EQ(page.hits[0].fqn, kCustomers);
  for (std::size_t i = 1; i < page.hits.size(); ++i) {
    EXPECT_GE(page.hits[i - 1].score, page.hits[i].score);
  }
  std::vector<std::string> paged;
  for (int offset = 0; offset < static_cast<int>(page.hits.size()); ++offset) {
    SearchPage one = FindWith(*store_, {.text = "customers", .limit = 1, .offset = offset});
    ASSERT_EQ(one.hits.size(), 1u);
    EXPECT_EQ(one.total, page.total);
    paged.push_back(one.hits[0].fqn);
  }
  EXPECT_EQ(paged, Fqns(page));
}

TEST_P(StoreContractTest, SearchTreatsQuerySyntaxAsPlainText) {
  store_->Apply(ShopSnapshot());
  for (const char* text : {"\"cust", "cust* OR (", "NEAR(a b)", "-", "'; DROP TABLE tables; --",
                           "customers:", "^orders"}) {
    EXPECT_NO_THROW(Find(*store_, text)) << text;
  }
  EXPECT_EQ(Find(*store_, "\"customers\" AND").total, Find(*store_, "customers and").total);
}

TEST_P(StoreContractTest, LineageFollowsDepthAndDirection) {
  store_->Apply(ShopSnapshot());
  using D = std::vector<std::pair<std::string, int>>;
  LineageGraph up1 = Walk(*store_, kOrders, LineageDirection::kUpstream, 1);
  EXPECT_EQ(up1.root, kOrders);
  EXPECT_EQ(Distances(up1), (Sorted(D{{kRawOrders, -1}, {kOrders, 0}})));
  ASSERT_EQ(up1.edges.size(), 1u);
  EXPECT_EQ(up1.edges[0].upstream_fqn, kRawOrders);

  LineageGraph down1 = Walk(*store_, kOrders, LineageDirection::kDownstream, 1);
  EXPECT_EQ(Distances(down1), (Sorted(D{{kOrders, 0}, {kRevenue, 1}})));
  EXPECT_EQ(down1.edges.size(), 2u);  // the table edge and the column edge

  LineageGraph down2 = Walk(*store_, kOrders, LineageDirection::kDownstream, 2);
  EXPECT_EQ(Distances(down2), (Sorted(D{{kExposure, 2}, {kOrders, 0}, {kRevenue, 1}})));
  EXPECT_EQ(down2.edges.size(), 3u);

  LineageGraph both = Walk(*store_, kOrders, LineageDirection::kBoth, 1);
  EXPECT_EQ(Distances(both), (Sorted(D{{kRawOrders, -1}, {kOrders, 0}, {kRevenue, 1}})));
  EXPECT_EQ(both.edges.size(), 3u);

  LineageGraph from_exposure = Walk(*store_, kExposure, LineageDirection::kUpstream, 2);
  EXPECT_EQ(Distances(from_exposure),
            (Sorted(D{{kCustomers, -2}, {kExposure, 0}, {kOrders, -2}, {kRevenue, -1}})));
  for (const LineageNode& node : from_exposure.nodes) {
    if (node.fqn == kExposure) {
      EXPECT_EQ(node.name, "weekly_dashboard");
      EXPECT_EQ(node.resource_type, "exposure");
    } else if (node.fqn == kRevenue) {
      EXPECT_EQ(node.name, "daily.revenue");
      EXPECT_EQ(node.resource_type, "model");
    }
  }
  bool column_edge = std::any_of(down1.edges.begin(), down1.edges.end(), [](const LineageEdge& e) {
    return e.upstream_column == "amount" && e.downstream_column == "revenue";
  });
  EXPECT_TRUE(column_edge);
}

TEST_P(StoreContractTest, LineageNodesCarryTheirTestStatus) {
  // customers' not_null test failed in the latest invocation.
  store_->Apply(ShopSnapshot());
  LineageGraph graph = Walk(*store_, kExposure, LineageDirection::kUpstream, 2);
  std::map<std::string, std::string> status;
  for (const LineageNode& node : graph.nodes) status[node.fqn] = node.test_status;
  EXPECT_EQ(status[kCustomers], "fail");
  EXPECT_EQ(status[kOrders], "none");
  EXPECT_EQ(status[kExposure], "none");
}

TEST_P(StoreContractTest, LineageRootIsCaseInsensitive) {
  store_->Apply(ShopSnapshot());
  std::string shouted = kOrders;
  std::transform(shouted.begin(), shouted.end(), shouted.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  LineageGraph graph = Walk(*store_, shouted, LineageDirection::kBoth, 1);
  EXPECT_EQ(graph.root, kOrders);
  EXPECT_TRUE(graph.found);
  EXPECT_EQ(graph.nodes.size(), 3u);
}

TEST_P(StoreContractTest, LineageStartsFromAUniqueIdAndTellsAnUnknownRoot) {
  store_->Apply(ShopSnapshot());
  LineageGraph by_fqn = Walk(*store_, kOrders, LineageDirection::kBoth, 2);
  LineageGraph by_id = Walk(*store_, "model.shop.orders", LineageDirection::kBoth, 2);
  EXPECT_TRUE(by_id.found);
  EXPECT_EQ(by_id.root, kOrders);
  EXPECT_EQ(Distances(by_id), Distances(by_fqn));
  EXPECT_EQ(by_id.edges.size(), by_fqn.edges.size());
  EXPECT_TRUE(
      Walk(*store_, "exposure.shop.weekly_dashboard", LineageDirection::kUpstream, 1).found);

  LineageGraph unknown = Walk(*store_, "shop.nothing.here", LineageDirection::kBoth, 3);
  EXPECT_FALSE(unknown.found);
  EXPECT_EQ(unknown.root, "shop.nothing.here");
  ASSERT_EQ(unknown.nodes.size(), 1u);
  EXPECT_EQ(unknown.nodes[0].name, "here");
  EXPECT_TRUE(unknown.edges.empty());
}

TEST_P(StoreContractTest, RunHistoryIsNewestFirstAndLimited) {
  store_->Apply(ShopSnapshot());
  EXPECT_EQ(RunStatuses(store_->RunHistory(kUniqueTest, 10)),
            (std::vector<std::string>{"inv-2:pass", "inv-1:pass"}));
  EXPECT_EQ(RunStatuses(store_->RunHistory(kUniqueTest, 1)),
            (std::vector<std::string>{"inv-2:pass"}));
  EXPECT_TRUE(store_->RunHistory("model.shop.unknown", 10).empty());
}

TEST_P(StoreContractTest, ReapplyingTheSameSnapshotChangesNothing) {
  store_->Apply(ShopSnapshot());
  CatalogCounts before = store_->Counts();
  ApplyReport report = store_->Apply(ShopSnapshot());
  EXPECT_EQ(report.tables.unchanged, 4);
  EXPECT_EQ(report.tables.added + report.tables.updated + report.tables.removed, 0);
  EXPECT_EQ(report.nodes.unchanged, 8);
  EXPECT_EQ(report.nodes.added + report.nodes.updated + report.nodes.removed, 0);
  EXPECT_EQ(report.lineage_edges, 5);
  EXPECT_EQ(report.invocations_added, 0);
  EXPECT_EQ(report.runs_added, 0);
  EXPECT_TRUE(SameCounts(store_->Counts(), before));
  EXPECT_EQ(Find(*store_, "cust", "model").total, 2);
}

TEST_P(StoreContractTest, ApplyingAChangedSnapshotChangesExactlyThat) {
  store_->Apply(ShopSnapshot());
  ApplyReport report = store_->Apply(ChangedShopSnapshot());
  EXPECT_EQ(report.tables.added, 1);
  EXPECT_EQ(report.tables.updated, 1);
  EXPECT_EQ(report.tables.removed, 1);
  EXPECT_EQ(report.tables.unchanged, 2);
  EXPECT_EQ(report.nodes.removed, 1);
  EXPECT_EQ(report.nodes.unchanged, 7);
  EXPECT_EQ(report.nodes.added + report.nodes.updated, 0);
  EXPECT_EQ(report.lineage_edges, 1);
  EXPECT_EQ(report.runs_added, 0);

  CatalogCounts counts = store_->Counts();
  EXPECT_EQ(counts.tables, 4);
  EXPECT_EQ(counts.columns, 9);
  EXPECT_EQ(counts.nodes, 7);
  EXPECT_EQ(counts.lineage_edges, 1);
  EXPECT_EQ(counts.runs, 7);

  EXPECT_FALSE(store_->Get(kRevenue).has_value());
  EXPECT_FALSE(store_->Get("model.shop.daily_revenue").has_value());
  EXPECT_EQ(RunStatuses(store_->RunHistory("model.shop.daily_revenue", 10)),
            std::vector<std::string>{"inv-1:success"});
  std::optional<EntityDetail> customers = store_->Get(kCustomers);
  ASSERT_TRUE(customers && customers->table);
  EXPECT_EQ(customers->table->columns[2].description, "Where we write to");
  EXPECT_EQ(customers->tests.size(), 2u);

  EXPECT_EQ(Find(*store_, "revenue").total, 0);
  SearchPage payments = Find(*store_, "payments");
  ASSERT_EQ(payments.total, 1);
  EXPECT_EQ(payments.hits[0].resource_type, "table");
  EXPECT_EQ(Fqns(Find(*store_, "write")), std::vector<std::string>{kCustomers});
  EXPECT_EQ(Find(*store_, "contact address").total, 0);
  EXPECT_EQ(Walk(*store_, kOrders, LineageDirection::kDownstream, 3).nodes.size(), 1u);
}

TEST_P(StoreContractTest, ApplyLeavesOtherServicesAlone) {
  store_->Apply(CrmSnapshot());
  store_->Apply(ShopSnapshot());
  store_->Apply(ChangedShopSnapshot());
  const std::string contacts = TableFqn("crm", "crm", "public", "contacts");
  std::optional<EntityDetail> crm = store_->Get(contacts);
  ASSERT_TRUE(crm && crm->table);
  EXPECT_EQ(crm->service, "crm");
  ExpectSameTable(*crm->table, CrmSnapshot().tables[0]);

  ServiceSnapshot empty_shop;
  empty_shop.service = "shop";
  empty_shop.origin = "dbt";
  ApplyReport report = store_->Apply(empty_shop);
  EXPECT_EQ(report.tables.removed, 4);
  EXPECT_EQ(report.nodes.removed, 7);
  CatalogCounts counts = store_->Counts();
  EXPECT_EQ(counts.services, 2);
  EXPECT_EQ(counts.tables, 1);
  EXPECT_EQ(counts.columns, 1);
  EXPECT_EQ(counts.nodes, 0);
  EXPECT_EQ(counts.lineage_edges, 0);
  EXPECT_EQ(counts.runs, 7);  // history is never removed
  EXPECT_EQ(Fqns(Find(*store_, "")), std::vector<std::string>{contacts});
}

TEST_P(StoreContractTest, NewInvocationsAppendOnlyTheirRuns) {
  store_->Apply(ShopSnapshot());
  ServiceSnapshot next = WithThirdInvocation({MakeRun("inv-3", kNotNullTest, "test", "pass")});
  ApplyReport report = store_->Apply(next);
  EXPECT_EQ(report.invocations_added, 1);
  EXPECT_EQ(report.runs_added, 1);
  EXPECT_EQ(store_->Counts().runs, 8);
  std::optional<EntityDetail> customers = store_->Get(kCustomers);
  ASSERT_TRUE(customers.has_value());
  EXPECT_EQ(customers->tests[0].latest_status, "pass");
  EXPECT_EQ(RunStatuses(customers->tests[0].history),
            (std::vector<std::string>{"inv-3:pass", "inv-2:fail", "inv-1:pass"}));
}

TEST_P(StoreContractTest, FailedApplyLeavesTheStoreAsItWas) {
  store_->Apply(ShopSnapshot());
  CatalogCounts before = store_->Counts();
  ServiceSnapshot broken = ChangedShopSnapshot();
  broken.tables.push_back(broken.tables.front());  // the same FQN twice
  EXPECT_THROW(store_->Apply(broken), cairn::Error);
  EXPECT_TRUE(SameCounts(store_->Counts(), before));
  EXPECT_TRUE(store_->Get(kRevenue).has_value());
  EXPECT_EQ(Find(*store_, "payments").total, 0);
  EXPECT_EQ(Find(*store_, "revenue").total, 1);
}

}  // namespace cairn::catalog::testing

namespace cairn::catalog::testing {

Edit MakeEdit(std::string target, std::string field, std::string value_json) {
  return Edit{.target_fqn = std::move(target),
              .field = std::move(field),
              .value_json = std::move(value_json),
              .edited_by = "ana"};
}

TEST_P(StoreContractTest, EditsAreLaidOverIngestedValuesAndSurviveReingestion) {
  store_->Apply(ShopSnapshot());
  std::string ingested = store_->Get(kCustomers)->table->description;
  store_->SaveEdits({MakeEdit(kCustomers, "description", R"("Edited by a person")"),
                     MakeEdit(kCustomers, "owners", R"(["ana@shop.io"])"),
                     MakeEdit(std::string(kCustomers) + ".EMAIL", "description", R"("Mail")")});

  for (int pass = 0; pass < 2; ++pass) {
    std::optional<EntityDetail> detail = store_->Get(kCustomers);
    ASSERT_TRUE(detail.has_value());
    EXPECT_EQ(detail->table->description, "Edited by a person");
    EXPECT_EQ(detail->node->description, "Edited by a person");
    EXPECT_EQ(detail->table->owners, std::vector<std::string>{"ana@shop.io"});
    EXPECT_EQ(detail->table->columns[2].description, "Mail");
    ASSERT_EQ(detail->edits.size(), 3u);
    const Edit& description = detail->edits[0];
    EXPECT_EQ(description.field, "description");
    EXPECT_EQ(description.edited_by, "ana");
    EXPECT_FALSE(description.edited_at.empty());
    EXPECT_EQ(description.ingested_json, "\"" + ingested + "\"");
    // Re-ingesting a changed project (it changes email's description) keeps the edits.
    store_->Apply(ChangedShopSnapshot());
  }
}

TEST_P(StoreContractTest, RemovingAnEditShowsTheIngestedValueAgain) {
  store_->Apply(ShopSnapshot());
  std::string ingested = store_->Get(kCustomers)->table->description;
  store_->SaveEdits({MakeEdit(kCustomers, "description", R"("Edited")")});
  store_->SaveEdits({MakeEdit(kCustomers, "description", "")});
  std::optional<EntityDetail> detail = store_->Get(kCustomers);
  EXPECT_EQ(detail->table->description, ingested);
  EXPECT_TRUE(detail->edits.empty());
}

TEST_P(StoreContractTest, EditsOfUnknownFieldsOrWrongTypesAreRefusedWhole) {
  store_->Apply(ShopSnapshot());
  EXPECT_THROW(store_->SaveEdits({MakeEdit(kCustomers, "description", R"("fine")"),
                                  MakeEdit(kCustomers, "name", R"("x")")}),
               cairn::Error);
  EXPECT_THROW(store_->SaveEdits({MakeEdit(kCustomers, "tags", R"("not a list")")}), cairn::Error);
  EXPECT_THROW(store_->SaveEdits({MakeEdit(kCustomers, "owners", R"([1, 2])")}), cairn::Error);
  EXPECT_TRUE(store_->Get(kCustomers)->edits.empty());
}

TEST_P(StoreContractTest, InvocationsAreListedNewestFirstWithTheirResults) {
  store_->Apply(ShopSnapshot());
  std::vector<InvocationSummary> invocations = store_->Invocations(10, 0);
  ASSERT_EQ(invocations.size(), 2u);
  EXPECT_EQ(invocations[0].invocation.invocation_id, "inv-2");
  EXPECT_EQ(invocations[0].invocation.command, "test");
  EXPECT_EQ(invocations[0].service, "shop");
  EXPECT_EQ(invocations[0].results, 2);
  EXPECT_EQ(invocations[1].results, 5);
  EXPECT_EQ(store_->Invocations(1, 1).at(0).invocation.invocation_id, "inv-1");

  std::vector<NodeRun> runs = store_->InvocationRuns("inv-2");
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].unique_id, kNotNullTest);
  EXPECT_EQ(runs[0].status, "fail");
  EXPECT_TRUE(store_->InvocationRuns("no-such-invocation").empty());
}

TEST_P(StoreContractTest, ChangeCounterMovesOnEveryChange) {
  std::int64_t empty = store_->ChangeCounter();
  EXPECT_EQ(store_->ChangeCounter(), empty);
  store_->Apply(ShopSnapshot());
  std::int64_t applied = store_->ChangeCounter();
  EXPECT_NE(applied, empty);
  store_->Get(kCustomers);
  EXPECT_EQ(store_->ChangeCounter(), applied);
  store_->SaveEdits({MakeEdit(kCustomers, "tags", R"(["pii"])")});
  EXPECT_NE(store_->ChangeCounter(), applied);
}

}  // namespace cairn::catalog::testing

namespace cairn::catalog::testing {
namespace {

ServiceSnapshot WithFingerprint(ServiceSnapshot snapshot, std::string fingerprint) {
  snapshot.artifact_fingerprint = std::move(fingerprint);
  return snapshot;
}

}  // namespace

TEST_P(StoreContractTest, FindUnchangedReportsWhatTheFingerprintedApplyLeft) {
  EXPECT_FALSE(store_->FindUnchanged("dbt:one").has_value());
  EXPECT_FALSE(store_->HoldsArtifactFingerprints());
  store_->Apply(WithFingerprint(ShopSnapshot(), "dbt:one"));
  EXPECT_TRUE(store_->HoldsArtifactFingerprints());
  std::optional<UnchangedService> found = store_->FindUnchanged("dbt:one");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->service, "shop");
  // What re-applying the same snapshot reports (ReapplyingTheSameSnapshotChangesNothing).
  EXPECT_EQ(found->stored.tables.unchanged, 4);
  EXPECT_EQ(found->stored.nodes.unchanged, 8);
  EXPECT_EQ(found->stored.lineage_edges, 5);
  EXPECT_EQ(found->stored.tables.added + found->stored.nodes.added + found->stored.runs_added, 0);
  EXPECT_FALSE(store_->FindUnchanged("dbt:two").has_value());
  EXPECT_FALSE(store_->FindUnchanged("").has_value());
}

TEST_P(StoreContractTest, EachApplyReplacesTheFingerprintOfItsServiceAndOrigin) {
  store_->Apply(WithFingerprint(ShopSnapshot(), "dbt:one"));
  store_->Apply(WithFingerprint(ChangedShopSnapshot(), "dbt:two"));
  EXPECT_FALSE(store_->FindUnchanged("dbt:one").has_value());
  std::optional<UnchangedService> found = store_->FindUnchanged("dbt:two");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->stored.tables.unchanged, 4);
  EXPECT_EQ(found->stored.nodes.unchanged, 7);
  EXPECT_EQ(found->stored.lineage_edges, 1);

  store_->Apply(ChangedShopSnapshot());  // a source that cannot fingerprint its input
  EXPECT_FALSE(store_->FindUnchanged("dbt:two").has_value());
  EXPECT_FALSE(store_->HoldsArtifactFingerprints());
  EXPECT_FALSE(store_->FindUnchanged("").has_value());
}

TEST_P(StoreContractTest, AFailedApplyKeepsTheLastGoodFingerprint) {
  store_->Apply(WithFingerprint(ShopSnapshot(), "dbt:one"));
  ServiceSnapshot broken = WithFingerprint(ChangedShopSnapshot(), "dbt:broken");
  broken.tables.push_back(broken.tables.front());  // the same FQN twice
  EXPECT_THROW(store_->Apply(broken), cairn::Error);
  EXPECT_FALSE(store_->FindUnchanged("dbt:broken").has_value());
  EXPECT_TRUE(store_->FindUnchanged("dbt:one").has_value());
}

TEST_P(StoreContractTest, AnotherOriginOfTheServiceForgetsTheFingerprint) {
  store_->Apply(WithFingerprint(ShopSnapshot(), "dbt:one"));
  store_->Apply(WithFingerprint(CrmSnapshot(), "postgres:crm"));
  EXPECT_TRUE(store_->FindUnchanged("dbt:one").has_value());  // another service

  ServiceSnapshot warehouse = CrmSnapshot();
  warehouse.service = "shop";
  warehouse.tables[0].fqn = kCustomers;  // takes over the table dbt wrote
  store_->Apply(WithFingerprint(warehouse, "postgres:shop"));
  EXPECT_FALSE(store_->FindUnchanged("dbt:one").has_value());
  std::optional<UnchangedService> found = store_->FindUnchanged("postgres:shop");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->service, "shop");
  EXPECT_EQ(found->stored.tables.unchanged, 1);
  EXPECT_EQ(found->stored.nodes.unchanged, 0);
  EXPECT_TRUE(store_->FindUnchanged("postgres:crm").has_value());
}

TEST_P(StoreContractTest, EditsDoNotForgetTheFingerprint) {
  store_->Apply(WithFingerprint(ShopSnapshot(), "dbt:one"));
  store_->SaveEdits({MakeEdit(kCustomers, "description", R"("Edited by a person")")});
  ASSERT_TRUE(store_->FindUnchanged("dbt:one").has_value());
  // An ingestion stopped by the fingerprint would have applied nothing, and
  // the edit is laid over the ingested value either way.
  store_->Apply(WithFingerprint(ShopSnapshot(), "dbt:one"));
  EXPECT_EQ(store_->Get(kCustomers)->table->description, "Edited by a person");
  EXPECT_TRUE(store_->FindUnchanged("dbt:one").has_value());
}

namespace {

// The warehouse's view of the shop (origin postgres): what dbt builds, as
// the database describes it — upper-case spelling, types, a primary key, a
// view's definition, comments — plus a table dbt does not know.
ServiceSnapshot ShopWarehouse() {
  ServiceSnapshot s;
  s.service = "shop";
  s.service_type = "postgres";
  s.origin = "postgres";
  s.missing_tables = MissingTables::kMarkDeleted;
  Table customers =
      MakeTable("shop.ANALYTICS.MAIN.CUSTOMERS", "MAIN", "CUSTOMERS", "a comment",
                {MakeColumn("ID", 1, "integer", "the key"), MakeColumn("EMAIL", 2, "text", ""),
                 MakeColumn("CREATED_AT", 3, "timestamp", "")});
  customers.database = "ANALYTICS";
  customers.columns[0].constraints_json = R"([{"type":"primary_key"}])";
  customers.stats_json = R"({"row_count":{"value":100}})";
  Table revenue =
      MakeTable(kRevenue, "main", "daily.revenue", "", {MakeColumn("day", 1, "date", "")});
  revenue.table_type = "view";
  revenue.definition = "SELECT day FROM orders";
  Table audit = MakeTable("shop.analytics.main.audit_log", "main", "audit_log", "",
                          {MakeColumn("at", 1, "timestamp", "")});
  s.tables = {customers, revenue, audit};
  return s;
}

std::vector<Table> AllTables(Store& store, const std::vector<std::string>& fqns) {
  std::vector<Table> tables;
  for (const std::string& fqn : fqns) {
    std::optional<EntityDetail> detail = store.Get(fqn);
    EXPECT_TRUE(detail && detail->table) << fqn;
    if (detail && detail->table) tables.push_back(*detail->table);
  }
  return tables;
}

std::vector<std::string> ShopTables() {
  return {kCustomers, kOrders, kRawOrders, kRevenue, "shop.analytics.main.audit_log"};
}

}  // namespace

TEST_P(StoreContractTest, AWarehouseAndDbtInEitherOrderGiveTheSameCatalog) {
  store_->Apply(ShopWarehouse());
  store_->Apply(ShopSnapshot());
  std::unique_ptr<Store> other = GetParam()();
  other->Apply(ShopSnapshot());
  other->Apply(ShopWarehouse());

  std::vector<Table> tables = AllTables(*store_, ShopTables());
  EXPECT_EQ(tables, AllTables(*other, ShopTables()));
  EXPECT_EQ(Fqns(Find(*store_, "customers")), Fqns(Find(*other, "customers")));
  EXPECT_EQ(store_->Counts().tables, 5);
  EXPECT_EQ(other->Counts().tables, 5);

  // One table: the warehouse's spelling, types, key and stats; dbt's words.
  const Table& customers = tables[0];
  EXPECT_EQ(customers.fqn, "shop.ANALYTICS.MAIN.CUSTOMERS");
  EXPECT_EQ(customers.description, store_->Get(kCustomers)->node->description);
  EXPECT_EQ(customers.stats_json, R"({"row_count":{"value":100}})");
  ASSERT_GE(customers.columns.size(), 3u);
  EXPECT_EQ(customers.columns[0].name, "ID");
  EXPECT_EQ(customers.columns[0].data_type, "integer");
  EXPECT_EQ(customers.columns[0].constraints_json, R"([{"type":"primary_key"}])");
  EXPECT_EQ(customers.columns[2].name, "CREATED_AT") << "warehouse columns keep their order";
  EXPECT_EQ(tables[3].definition, "SELECT day FROM orders");
  EXPECT_EQ(store_->Get(kCustomers)->node->unique_id, "model.shop.customers")
      << "dbt's node still attaches to the shared table";

  // Applying either again changes nothing, in either catalog.
  for (Store* store : {store_.get(), other.get()}) {
    ApplyReport warehouse = store->Apply(ShopWarehouse());
    EXPECT_EQ(warehouse.tables.unchanged, 3);
    EXPECT_EQ(warehouse.tables.added + warehouse.tables.updated, 0);
    ApplyReport dbt = store->Apply(ShopSnapshot());
    EXPECT_EQ(dbt.tables.unchanged, 4);
    EXPECT_EQ(dbt.tables.added + dbt.tables.updated + dbt.tables.removed, 0);
  }
  EXPECT_EQ(AllTables(*store_, ShopTables()), tables);
}

TEST_P(StoreContractTest, WhatDbtStopsDescribingTheWarehouseStillShows) {
  store_->Apply(ShopWarehouse());
  store_->Apply(ShopSnapshot());
  ApplyReport report = store_->Apply(ChangedShopSnapshot());  // drops daily.revenue's model
  EXPECT_EQ(report.tables.removed, 0) << "the warehouse still has it";
  std::unique_ptr<Store> warehouse_only = GetParam()();
  warehouse_only->Apply(ShopWarehouse());
  EXPECT_EQ(AllTables(*store_, {kRevenue}), AllTables(*warehouse_only, {kRevenue}));
  EXPECT_EQ(store_->Apply(ShopWarehouse()).tables.unchanged, 3) << "as if dbt had never been";
}

TEST_P(StoreContractTest, AWarehouseMarksASharedTableDeletedUntilItReturns) {
  store_->Apply(ShopWarehouse());
  store_->Apply(ShopSnapshot());
  ServiceSnapshot gone = ShopWarehouse();
  gone.tables.erase(gone.tables.begin());  // customers dropped in the database
  EXPECT_EQ(store_->Apply(gone).tables.marked_deleted, 1);
  EXPECT_FALSE(store_->Get(kCustomers)->table->deleted_at.empty());
  EXPECT_EQ(store_->Apply(gone).tables.marked_deleted, 0) << "marked once";
  store_->Apply(ShopSnapshot());
  EXPECT_FALSE(store_->Get(kCustomers)->table->deleted_at.empty())
      << "dbt documenting it does not bring it back";
  store_->Apply(ShopWarehouse());
  EXPECT_TRUE(store_->Get(kCustomers)->table->deleted_at.empty()) << "back again";
}

}  // namespace cairn::catalog::testing
