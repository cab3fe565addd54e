#include "server/api/catalog_routes.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "catalog/commit_counter.h"
#include "catalog/model_json.h"
#include "core/error.h"

namespace cairn::server {
namespace {

using nlohmann::json;

constexpr int kDefaultPageSize = 20;
constexpr int kMaxPageSize = 500;
constexpr int kMaxLineageDepth = 20;
constexpr int kDefaultRunHistory = 50;

std::string StringParam(const Request& request, std::string_view name) {
  return request.QueryParam(name).value_or("");
}

// How long a catalog commit by another process may go unseen by one I/O
// thread: each thread reads SQLite's data_version (a read transaction, most
// of what a cache hit would otherwise cost) at most this often. Commits made
// in this process (edits through the API, extraction runs) are seen at once
// through catalog::CommitsInThisProcess().
constexpr auto kForeignCommitCheckInterval = std::chrono::milliseconds(5);

// The calling thread's store, after telling the cache when the catalog has
// changed since this thread last looked (any writer, any process).
class CatalogReader {
 public:
  CatalogReader(catalog::StorePool& stores, ResponseCache& cache)
      : stores_(stores), cache_(cache) {}

  catalog::Store& Store() {
    catalog::Store& store = stores_.ForThisThread();
    cache_.InvalidateIfAhead(catalog::CommitsInThisProcess());
    if (SawCommitElsewhere(store)) cache_.Invalidate();
    return store;
  }

  // A GET answered from the cache, or computed by `read` and cached.
  template <typename Read>
  Response Cached(const Request& request, Read read) {
    catalog::Store& store = Store();
    if (ResponseCache::Body body = cache_.Get(request.target)) {
      return JsonResponse(200, std::move(body));
    }
    std::uint64_t generation = cache_.generation();
    auto body = std::make_shared<const std::string>(read(store).dump());
    cache_.Put(request.target, body, generation);
    return JsonResponse(200, std::move(body));
  }

  ResponseCache& cache() { return cache_; }

 private:
  // Per thread: what it saw of its store's change counter, and when.
  struct ThreadView {
    const CatalogReader* reader = nullptr;  // whose view this is (tests run several)
    std::int64_t counter = 0;
    std::chrono::steady_clock::time_point checked;
  };

  bool SawCommitElsewhere(catalog::Store& store) {
    thread_local ThreadView view;
    auto now = std::chrono::steady_clock::now();
    if (view.reader == this && now - view.checked < kForeignCommitCheckInterval) return false;
    std::int64_t counter = store.ChangeCounter();
    // A thread's first look has nothing to compare with: the cache may hold
    // what other threads read before a change, so start afresh.
    bool changed = view.reader != this || counter != view.counter;
    view = ThreadView{.reader = this, .counter = counter, .checked = now};
    return changed;
  }

  catalog::StorePool& stores_;
  ResponseCache& cache_;
};

Error NoSuchEntity(const std::string& fqn) {
  return Error(ErrorCode::kNotFound, fmt::format("no table or dbt resource '{}'", fqn));
}

catalog::EntityDetail GetEntity(catalog::Store& store, const std::string& fqn) {
  std::optional<catalog::EntityDetail> detail = store.Get(fqn);
  if (!detail) throw NoSuchEntity(fqn);
  return std::move(*detail);
}

// A yes/no query parameter: 1/true or 0/false, `fallback` when absent.
bool BoolParam(const Request& request, std::string_view name, bool fallback) {
  std::optional<std::string> value = request.QueryParam(name);
  if (!value) return fallback;
  if (*value == "1" || *value == "true") return true;
  if (*value == "0" || *value == "false") return false;
  throw Error(ErrorCode::kInvalidArgument,
              fmt::format("query parameter '{}' must be 1, true, 0 or false", name));
}

// An unknown status is refused by the store (kInvalidArgument, so 400).
catalog::SearchQuery SearchQueryOf(const Request& request) {
  return catalog::SearchQuery{
      .text = StringParam(request, "q"),
      .resource_type = StringParam(request, "type"),
      .tag = StringParam(request, "tag"),
      .owner = StringParam(request, "owner"),
      .schema = StringParam(request, "schema"),
      .test_status = StringParam(request, "status"),
      .facets = BoolParam(request, "facets", false),
      .limit = request.IntQueryParam("limit", kDefaultPageSize, 1, kMaxPageSize),
      .offset = request.IntQueryParam("offset", 0, 0, 1 << 30)};
}

json SearchResponse(const catalog::SearchPage& page, const catalog::SearchQuery& query) {
  json out = catalog::ToJson(page);
  out["limit"] = query.limit;
  out["offset"] = query.offset;
  return out;
}

catalog::LineageQuery LineageQueryOf(const Request& request) {
  catalog::LineageQuery query;
  query.fqn = request.params.at("fqn");
  query.depth = request.IntQueryParam("depth", 1, 1, kMaxLineageDepth);
  std::string direction = StringParam(request, "direction");
  if (direction == "upstream") {
    query.direction = catalog::LineageDirection::kUpstream;
  } else if (direction == "downstream") {
    query.direction = catalog::LineageDirection::kDownstream;
  } else if (!direction.empty() && direction != "both") {
    throw Error(ErrorCode::kInvalidArgument,
                "query parameter 'direction' must be upstream, downstream or both");
  }
  return query;
}

json RunsJson(const std::vector<catalog::NodeRun>& runs) {
  json out = json::array();
  for (const catalog::NodeRun& run : runs) out.push_back(catalog::ToJson(run));
  return out;
}

// One edit from a PATCH body field: null removes the edit.
catalog::Edit EditOf(std::string target, std::string field, const json& value,
                     const Request& request) {
  return catalog::Edit{.target_fqn = std::move(target),
                       .field = std::move(field),
                       .value_json = value.is_null() ? "" : value.dump(),
                       .edited_by = request.principal ? request.principal->name : ""};
}

// The edits a PATCH body asks for:
//   {"description": "...", "tags": [...], "owners": [...],
//    "columns": {"email": {"description": "...", "tags": [...]}}}
std::vector<catalog::Edit> EditsOf(const Request& request, const catalog::EntityDetail& entity) {
  json body = json::parse(request.body, nullptr, false);
  if (!body.is_object()) {
    throw Error(ErrorCode::kInvalidArgument, "the body must be a JSON object");
  }
  const std::string& fqn = entity.table ? entity.table->fqn : entity.node->fqn;
  std::vector<catalog::Edit> edits;
  for (const auto& [field, value] : body.items()) {
    if (field != "columns") {
      edits.push_back(EditOf(fqn, field, value, request));
      continue;
    }
    if (!value.is_object()) throw Error(ErrorCode::kInvalidArgument, "'columns' must be an object");
    // Not a structured binding: clang before 16 cannot capture one in the lambda below.
    for (const auto& item : value.items()) {
      const std::string& column = item.key();
      const json& fields = item.value();
      bool known =
          entity.table && std::any_of(entity.table->columns.begin(), entity.table->columns.end(),
                                      [&](const auto& c) { return c.name == column; });
      if (!known) {
        throw Error(ErrorCode::kNotFound, fmt::format("'{}' has no column '{}'", fqn, column));
      }
      if (!fields.is_object()) {
        throw Error(ErrorCode::kInvalidArgument,
                    fmt::format("columns.{} must be an object of fields", column));
      }
      for (const auto& [column_field, column_value] : fields.items()) {
        if (column_field == "owners") {
          throw Error(ErrorCode::kInvalidArgument, "columns have no owners; edit the table's");
        }
        std::string target = fqn;
        target += '.';
        target += column;
        edits.push_back(EditOf(std::move(target), column_field, column_value, request));
      }
    }
  }
  if (edits.empty()) throw Error(ErrorCode::kInvalidArgument, "the body asks for no edits");
  return edits;
}

void AddEntityRoutes(Router& router, const std::shared_ptr<CatalogReader>& shared) {
  router.Add({.method = Method::kGet,
              .pattern = "/api/v1/entities",
              .handler =
                  [reader = shared](Request& request) {
                    catalog::SearchQuery query = SearchQueryOf(request);
                    query.text.clear();  // a listing, not a search
                    return reader->Cached(request, [&](catalog::Store& store) {
                      return SearchResponse(store.Search(query), query);
                    });
                  },
              .summary = "List tables and dbt resources, filtered by type, tag, owner, schema, "
                         "test status, with facet counts on request"});
  router.Add({.method = Method::kGet,
              .pattern = "/api/v1/entities/{fqn}",
              .handler =
                  [reader = shared](Request& request) {
                    return reader->Cached(request, [&](catalog::Store& store) {
                      return catalog::ToJson(GetEntity(store, request.params.at("fqn")));
                    });
                  },
              .summary = "A table or dbt resource by FQN or unique_id, with columns, dbt "
                         "metadata, tests with their latest results, run history and edits"});
  router.Add({.method = Method::kPatch,
              .pattern = "/api/v1/entities/{fqn}",
              .access = auth::Access::kIngest,
              .body = BodyKind::kSmall,
              .handler =
                  [reader = shared](Request& request) {
                    catalog::Store& store = reader->Store();
                    catalog::EntityDetail entity = GetEntity(store, request.params.at("fqn"));
                    store.SaveEdits(EditsOf(request, entity));
                    reader->cache().Invalidate();
                    return JsonResponse(
                        200, catalog::ToJson(GetEntity(store, request.params.at("fqn"))).dump());
                  },
              .summary = "Edit description, tags and owners (of the entity or its columns); "
                         "null removes an edit. Ingestion never overwrites these",
              .writes = true});
  router.Add({.method = Method::kGet,
              .pattern = "/api/v1/entities/{fqn}/runs",
              .handler =
                  [reader = shared](Request& request) {
                    int limit = request.IntQueryParam("limit", kDefaultRunHistory, 1, kMaxPageSize);
                    return reader->Cached(request, [&](catalog::Store& store) {
                      catalog::EntityDetail entity = GetEntity(store, request.params.at("fqn"));
                      if (!entity.node)
                        return json{{"unique_id", nullptr}, {"runs", json::array()}};
                      return json{
                          {"unique_id", entity.node->unique_id},
                          {"runs", RunsJson(store.RunHistory(entity.node->unique_id, limit))}};
                    });
                  },
              .summary = "Run, test or freshness results of an entity's dbt node, newest first"});
}

void AddQueryRoutes(Router& router, const std::shared_ptr<CatalogReader>& shared) {
  router.Add({.method = Method::kGet,
              .pattern = "/api/v1/search",
              .handler =
                  [reader = shared](Request& request) {
                    catalog::SearchQuery query = SearchQueryOf(request);
                    return reader->Cached(request, [&](catalog::Store& store) {
                      return SearchResponse(store.Search(query), query);
                    });
                  },
              .summary = "Full-text search over names, descriptions and columns (q), with "
                         "filters type, tag, owner, schema, status (worst latest test result), "
                         "facet counts (facets=1) and limit/offset paging"});
  router.Add({.method = Method::kGet,
              .pattern = "/api/v1/lineage/{fqn}",
              .handler =
                  [reader = shared](Request& request) {
                    catalog::LineageQuery query = LineageQueryOf(request);
                    return reader->Cached(request, [&](catalog::Store& store) {
                      catalog::LineageGraph graph = store.Lineage(query);
                      if (!graph.found) throw NoSuchEntity(query.fqn);
                      return catalog::ToJson(graph);
                    });
                  },
              .summary = "Upstream/downstream lineage to a depth, table and column edges"});
  router.Add(
      {.method = Method::kGet,
       .pattern = "/api/v1/invocations",
       .handler =
           [reader = shared](Request& request) {
             int limit = request.IntQueryParam("limit", kDefaultPageSize, 1, kMaxPageSize);
             int offset = request.IntQueryParam("offset", 0, 0, 1 << 30);
             return reader->Cached(request, [&](catalog::Store& store) {
               json items = json::array();
               for (const auto& invocation : store.Invocations(limit, offset)) {
                 items.push_back(catalog::ToJson(invocation));
               }
               return json{{"items", std::move(items)}, {"limit", limit}, {"offset", offset}};
             });
           },
       .summary = "dbt invocations whose results are kept, newest first"});
  router.Add({.method = Method::kGet,
              .pattern = "/api/v1/invocations/{invocation_id}",
              .handler =
                  [reader = shared](Request& request) {
                    const std::string& id = request.params.at("invocation_id");
                    return reader->Cached(request, [&](catalog::Store& store) {
                      std::vector<catalog::NodeRun> runs = store.InvocationRuns(id);
                      if (runs.empty()) {
                        throw Error(ErrorCode::kNotFound, fmt::format("no invocation '{}'", id));
                      }
                      return json{{"invocation_id", id}, {"runs", RunsJson(runs)}};
                    });
                  },
              .summary = "Every node result of one dbt invocation"});
  router.Add({.method = Method::kGet,
              .pattern = "/api/v1/stats",
              .handler =
                  [reader = shared](Request& request) {
                    return reader->Cached(request, [](catalog::Store& store) {
                      return catalog::ToJson(store.Counts());
                    });
                  },
              .summary = "How many services, tables, columns, nodes, edges and runs"});
}

}  // namespace

void AddCatalogRoutes(Router& router, catalog::StorePool& stores, ResponseCache& cache) {
  auto reader = std::make_shared<CatalogReader>(stores, cache);
  AddEntityRoutes(router, reader);
  AddQueryRoutes(router, reader);
}

}  // namespace cairn::server
