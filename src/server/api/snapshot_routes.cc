#include "server/api/snapshot_routes.h"

#include <fmt/format.h>

#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "catalog/fqn_key.h"
#include "catalog/model_json.h"
#include "catalog/snapshot_json.h"
#include "core/error.h"

namespace cairn::server {
namespace {

// The document is parsed into memory (a JSON DOM several times its size), so
// a snapshot is held to less than the server's general upload limit.
constexpr std::uint64_t kMaxSnapshotBytes = 512ULL << 20;

catalog::ServiceSnapshot ReadSnapshot(const Request& request) {
  if (request.body_size == 0 || request.body_file.empty()) {
    throw Error(ErrorCode::kInvalidArgument,
                fmt::format("the body must be a {} document", catalog::kSnapshotFormat));
  }
  std::ifstream in(request.body_file, std::ios::binary);
  if (!in) throw Error(ErrorCode::kIo, "cannot read the uploaded snapshot");
  return catalog::ParseSnapshot(in);
}

void CheckMatchesPath(const catalog::ServiceSnapshot& snapshot, const Request& request) {
  for (const auto& [name, value] :
       {std::pair{"service", &snapshot.service}, std::pair{"origin", &snapshot.origin}}) {
    const std::string& in_path = request.params.at(name);
    if (*value != in_path) {
      throw Error(ErrorCode::kInvalidArgument,
                  fmt::format("the path's {} '{}' is not the document's {} '{}'", name, in_path,
                              name, *value),
                  {.json_path = fmt::format("$.{}", name)});
    }
  }
}

// A writer for one service must not reach into another's entities: every
// table and dbt node FQN starts with the service's FQN part.
void CheckEntitiesBelongToService(const catalog::ServiceSnapshot& snapshot) {
  const std::string prefix = catalog::FqnKey(catalog::QuoteFqnPart(snapshot.service)) + ".";
  auto check = [&](const std::string& fqn, const std::string& path) {
    if (!catalog::FqnKey(fqn).starts_with(prefix)) {
      throw Error(ErrorCode::kInvalidArgument,
                  fmt::format("'{}' is not an FQN of service '{}'", fqn, snapshot.service),
                  {.json_path = path});
    }
  };
  for (std::size_t i = 0; i < snapshot.tables.size(); ++i) {
    check(snapshot.tables[i].fqn, fmt::format("$.tables[{}].fqn", i));
  }
  for (std::size_t i = 0; i < snapshot.nodes.size(); ++i) {
    check(snapshot.nodes[i].fqn, fmt::format("$.nodes[{}].fqn", i));
  }
}

Response ApplySnapshot(Request& request, catalog::StorePool& stores, ResponseCache& cache) {
  if (request.body_size > kMaxSnapshotBytes) {
    return ErrorResponse(request.path, 413,
                         fmt::format("a snapshot may be at most {} MiB", kMaxSnapshotBytes >> 20));
  }
  const catalog::ServiceSnapshot snapshot = ReadSnapshot(request);
  CheckMatchesPath(snapshot, request);
  CheckEntitiesBelongToService(snapshot);
  catalog::Store& store = stores.ForThisThread();
  nlohmann::json out = catalog::ToJson(store.Apply(snapshot));
  cache.Invalidate();
  out["catalog"] = catalog::ToJson(store.Counts());
  return JsonResponse(200, out.dump());
}

}  // namespace

void AddSnapshotRoutes(Router& router, catalog::StorePool& stores, ResponseCache& cache) {
  router.Add({.method = Method::kPut,
              .pattern = "/api/v1/services/{service}/snapshots/{origin}",
              .access = auth::Access::kIngest,
              .body = BodyKind::kUpload,
              .handler = [&stores, &cache](
                             Request& request) { return ApplySnapshot(request, stores, cache); },
              .summary = "Replace what one origin (dbt, a warehouse) says about a service with a "
                         "cairn-snapshot/1 document, in one transaction (the metadata-rest sink); "
                         "answers what changed",
              .writes = true});
}

}  // namespace cairn::server
