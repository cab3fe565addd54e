#pragma once

#include "catalog/store_pool.h"
#include "server/api/response_cache.h"
#include "server/http/router.h"

namespace cairn::server {

// The catalog REST API under /api/v1/: entities (list, get by FQN or dbt
// unique_id, people's edits), search, lineage, run history per node and per
// invocation, catalog counts. Reads are answered from `cache` while the
// catalog is unchanged. `stores` and `cache` must outlive the router.
void AddCatalogRoutes(Router& router, catalog::StorePool& stores, ResponseCache& cache);

}  // namespace cairn::server
