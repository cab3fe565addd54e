#pragma once

#include "catalog/store_pool.h"
#include "server/api/response_cache.h"
#include "server/http/router.h"

namespace cairn::server {

// PUT /api/v1/services/{service}/snapshots/{origin}: what a metadata-rest
// sink sends. The body is a ServiceSnapshot document (catalog/snapshot_json.h),
// streamed to disk by the HTTP core, then applied with Store::Apply in one
// transaction, so a bad document changes nothing and a repeated one reports
// everything unchanged. Answers the ApplyReport plus the catalog's counts.
// `stores` and `cache` must outlive the router.
void AddSnapshotRoutes(Router& router, catalog::StorePool& stores, ResponseCache& cache);

}  // namespace cairn::server
