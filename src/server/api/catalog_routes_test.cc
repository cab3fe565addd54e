#include "server/api/catalog_routes.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "connectors/dbt/dbt_source.h"
#include "core/error.h"
#include "ingest/workflow.h"

namespace cairn::server {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kCustomers[] = "shop.jaffle_shop.main.customers";

// A catalog holding the jaffle_shop (dbt 1.12) fixture as service "shop",
// and the catalog routes over it, called the way the HTTP core calls them.
class CatalogRoutesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("cairn_catalog_routes_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    url_ = "sqlite:" + (dir_ / "catalog.db").string();
    std::unique_ptr<catalog::Store> store = catalog::OpenStore(url_);
    auto source = connectors::dbt::MakeDbtSource(
        connectors::dbt::ArtifactPathsInDirectory(std::string(CAIRN_SHARED_DIR) +
                                                  "/fixtures/dbt/projects/"
                                                  "jaffle_shop_duckdb_dbt-1.12.0"),
        "shop", true);
    ingest::SilentProgress progress;
    ingest::Ingest(*source, *store, progress);
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }

  void SetUp() override { AddCatalogRoutes(router_, stores_, cache_); }

  // Runs the route for "METHOD target" and returns its response; errors
  // thrown by handlers become their HTTP status as the HTTP core does.
  Response Call(Method method, const std::string& target, std::string body = "",
                auth::Access access = auth::Access::kIngest) {
    Request request;
    request.method = method;
    request.target = target;
    std::size_t question = target.find('?');
    request.path = target.substr(0, question);
    if (question != std::string::npos) {
      std::string query = target.substr(question + 1);
      std::size_t start = 0;
      while (start <= query.size()) {
        std::size_t amp = std::min(query.find('&', start), query.size());
        std::string pair = query.substr(start, amp - start);
        std::size_t eq = pair.find('=');
        request.query.emplace(pair.substr(0, eq),
                              eq == std::string::npos ? "" : pair.substr(eq + 1));
        start = amp + 1;
      }
    }
    request.body = std::move(body);
    request.principal = auth::Principal{.token_id = 1, .name = "ana", .access = access};
    Router::Match match = router_.Find(method, request.path);
    if (match.route == nullptr) return ErrorResponse(request.path, 404, "no route");
    request.params = match.params;
    try {
      return match.route->handler(request);
    } catch (const Error& e) {
      int status = e.code() == ErrorCode::kNotFound ? 404 : 400;
      return ErrorResponse(request.path, status, e.message());
    }
  }

  json CallJson(Method method, const std::string& target, int want_status = 200,
                std::string body = "") {
    Response response = Call(method, target, std::move(body));
    EXPECT_EQ(response.status, want_status) << target << ": " << response.Text();
    return json::parse(response.Text());
  }

  static inline fs::path dir_;
  static inline std::string url_;
  catalog::StorePool stores_{url_};
  ResponseCache cache_;
  Router router_;
};

TEST_F(CatalogRoutesTest, GetsAnEntityByFqnAndByUniqueId) {
  json entity = CallJson(Method::kGet, std::string("/api/v1/entities/") + kCustomers);
  EXPECT_EQ(entity["kind"], "table");
  EXPECT_EQ(entity["table"]["columns"][0]["name"], "customer_id");
  EXPECT_EQ(entity["dbt"]["unique_id"], "model.jaffle_shop.customers");
  EXPECT_FALSE(entity["tests"].empty());

  json by_id = CallJson(Method::kGet, "/api/v1/entities/model.jaffle_shop.customers");
  EXPECT_EQ(by_id["table"]["fqn"], kCustomers);

  json missing = CallJson(Method::kGet, "/api/v1/entities/shop.no.such.table", 404);
  EXPECT_EQ(missing["error"]["message"], "no table or dbt resource 'shop.no.such.table'");
}

TEST_F(CatalogRoutesTest, SearchesWithFiltersAndPages) {
  json page = CallJson(Method::kGet, "/api/v1/search?q=customers&type=model&limit=1");
  EXPECT_GE(page["total"].get<int>(), 2);
  ASSERT_EQ(page["hits"].size(), 1u);
  EXPECT_EQ(page["hits"][0]["resource_type"], "model");
  EXPECT_EQ(page["limit"], 1);

  json listing = CallJson(Method::kGet, "/api/v1/entities?type=seed");
  EXPECT_GT(listing["total"].get<int>(), 0);
  for (const json& hit : listing["hits"]) EXPECT_EQ(hit["resource_type"], "seed");

  json bad = CallJson(Method::kGet, "/api/v1/search?q=x&limit=0", 400);
  EXPECT_EQ(bad["error"]["message"], "query parameter 'limit' must be an integer from 1 to 500");
}

TEST_F(CatalogRoutesTest, SearchesByTestStatusAndCountsFacets) {
  json page = CallJson(Method::kGet, "/api/v1/search?q=customers&facets=1&limit=5");
  ASSERT_TRUE(page.contains("facets")) << page.dump();
  const json& facets = page["facets"];
  for (const char* facet : {"resource_type", "schema", "tag", "owner", "test_status"}) {
    ASSERT_TRUE(facets[facet].is_array()) << facet;
  }
  std::int64_t by_type = 0;
  for (const json& value : facets["resource_type"]) by_type += value["count"].get<std::int64_t>();
  EXPECT_EQ(by_type, page["total"].get<std::int64_t>());
  EXPECT_EQ(page["total"], CallJson(Method::kGet, "/api/v1/search?q=customers")["total"]);
  EXPECT_FALSE(CallJson(Method::kGet, "/api/v1/search?q=customers").contains("facets"));
  for (const json& hit : page["hits"]) {
    EXPECT_TRUE(hit["test_status"].is_string()) << hit.dump();
  }

  // The fixture's tests all passed: customers (a model with tests) shows pass.
  json passing = CallJson(Method::kGet, "/api/v1/search?q=customers&type=model&status=pass");
  ASSERT_FALSE(passing["hits"].empty());
  bool customers = false;
  for (const json& hit : passing["hits"]) {
    EXPECT_EQ(hit["test_status"], "pass");
    customers = customers || hit["fqn"] == kCustomers;
  }
  EXPECT_TRUE(customers) << passing.dump();
  json listed = CallJson(Method::kGet, "/api/v1/entities?status=none&facets=true");
  ASSERT_EQ(listed["facets"]["test_status"].size(), 1u);
  EXPECT_EQ(listed["facets"]["test_status"][0]["value"], "none");

  json bad_status = CallJson(Method::kGet, "/api/v1/search?q=x&status=broken", 400);
  EXPECT_NE(bad_status["error"]["message"].get<std::string>().find("broken"), std::string::npos);
  CallJson(Method::kGet, "/api/v1/search?q=x&facets=maybe", 400);
}

TEST_F(CatalogRoutesTest, WalksLineage) {
  json graph = CallJson(
      Method::kGet, std::string("/api/v1/lineage/") + kCustomers + "?direction=upstream&depth=2");
  std::vector<std::string> names;
  for (const json& node : graph["nodes"]) names.push_back(node["name"]);
  EXPECT_NE(std::find(names.begin(), names.end(), "stg_customers"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "raw_customers"), names.end());
  for (const json& node : graph["nodes"]) EXPECT_LE(node["distance"].get<int>(), 0);

  CallJson(Method::kGet, std::string("/api/v1/lineage/") + kCustomers + "?direction=sideways", 400);
  CallJson(Method::kGet, "/api/v1/lineage/shop.nothing.here", 404);
}

TEST_F(CatalogRoutesTest, ListsRunHistoryPerNodeAndPerInvocation) {
  json invocations = CallJson(Method::kGet, "/api/v1/invocations");
  ASSERT_EQ(invocations["items"].size(), 1u);
  std::string id = invocations["items"][0]["invocation_id"];
  EXPECT_EQ(invocations["items"][0]["results"], 46);

  json runs = CallJson(Method::kGet, "/api/v1/invocations/" + id);
  EXPECT_EQ(runs["runs"].size(), 46u);
  CallJson(Method::kGet, "/api/v1/invocations/not-an-invocation", 404);

  json history = CallJson(Method::kGet, std::string("/api/v1/entities/") + kCustomers + "/runs");
  EXPECT_EQ(history["unique_id"], "model.jaffle_shop.customers");
  ASSERT_EQ(history["runs"].size(), 1u);
  EXPECT_EQ(history["runs"][0]["invocation_id"], id);
}

TEST_F(CatalogRoutesTest, EditsShowAtOnceAndCanBeRemoved) {
  std::string path = std::string("/api/v1/entities/") + kCustomers;
  json before = CallJson(Method::kGet, path);  // now cached
  json edited = CallJson(Method::kPatch, path, 200,
                         R"({"description": "Our best customers", "tags": ["pii"],
                             "columns": {"customer_name": {"description": "Full name"}}})");
  EXPECT_EQ(edited["table"]["description"], "Our best customers");
  EXPECT_EQ(edited["table"]["tags"], json::array({"pii"}));
  EXPECT_EQ(edited["table"]["columns"][1]["description"], "Full name");
  EXPECT_EQ(edited["edits"].size(), 3u);
  EXPECT_EQ(edited["edits"][0]["edited_by"], "ana");

  json read = CallJson(Method::kGet, path);  // the cache must not serve the old body
  EXPECT_EQ(read["table"]["description"], "Our best customers");

  CallJson(
      Method::kPatch, path, 200,
      R"({"description": null, "tags": null, "columns": {"customer_name": {"description": null}}})");
  json after = CallJson(Method::kGet, path);
  EXPECT_EQ(after["table"]["description"], before["table"]["description"]);
  EXPECT_TRUE(after["edits"].empty());
}

TEST_F(CatalogRoutesTest, BadEditsAreRefusedWithTheReason) {
  std::string path = std::string("/api/v1/entities/") + kCustomers;
  EXPECT_EQ(CallJson(Method::kPatch, path, 400, "not json")["error"]["message"],
            "the body must be a JSON object");
  EXPECT_EQ(CallJson(Method::kPatch, path, 400, R"({"name": "x"})")["error"]["message"],
            "cannot edit field 'name' (editable: description, tags, owners)");
  EXPECT_EQ(CallJson(Method::kPatch, path, 404,
                     R"({"columns": {"nope": {"description": "x"}}})")["error"]["message"],
            "'shop.jaffle_shop.main.customers' has no column 'nope'");
  EXPECT_EQ(CallJson(Method::kPatch, path, 400, R"({"tags": "pii"})")["error"]["message"],
            "field 'tags' must be an array of strings");
}

TEST_F(CatalogRoutesTest, ReadsNeedReadAccessAndEditsNeedWriteAccess) {
  Router::Match get = router_.Find(Method::kGet, "/api/v1/search");
  ASSERT_NE(get.route, nullptr);
  EXPECT_EQ(get.route->access, auth::Access::kRead);
  Router::Match patch = router_.Find(Method::kPatch, "/api/v1/entities/x");
  ASSERT_NE(patch.route, nullptr);
  EXPECT_EQ(patch.route->access, auth::Access::kIngest);
}

TEST_F(CatalogRoutesTest, CacheSeesChangesMadeByOtherConnections) {
  std::string path = std::string("/api/v1/entities/") + kCustomers;
  CallJson(Method::kGet, path);
  {
    std::unique_ptr<catalog::Store> other = catalog::OpenStore(url_);
    other->SaveEdits({{.target_fqn = kCustomers,
                       .field = "description",
                       .value_json = "\"from another process\"",
                       .edited_by = "cli"}});
  }
  EXPECT_EQ(CallJson(Method::kGet, path)["table"]["description"], "from another process");
  std::unique_ptr<catalog::Store> other = catalog::OpenStore(url_);
  other->SaveEdits({{.target_fqn = kCustomers, .field = "description", .value_json = ""}});
}

}  // namespace
}  // namespace cairn::server
