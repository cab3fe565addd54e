#pragma once

#include <functional>
#include <memory>
#include <string>

#include "cloud/dbt_cloud_credentials.h"
#include "cloud/dbt_cloud_discovery_client.h"
#include "connectors/source.h"
#include "dbt/project.h"

// A dbt project as dbt Cloud's Discovery API knows an environment's applied
// state (what the environment's job runs left in the warehouse), for when a
// run's artifacts are not available: models, sources and tests with cursor
// paging (reference/dbt-cloud-api.md §6.3), read into the same normalised
// project the artifact readers produce, so the mapping to the catalog is
// the one every dbt source shares.
//
// What Discovery does not say stays empty: docs blocks, exposures, metrics,
// macros; a generic test's macro name (the test's own name stands in); each
// node's result comes from its last run, gathered into one invocation per
// applied state ("dbt-cloud-environment-<id>-<lastUpdatedAt>"), so reading
// an unchanged environment again adds no history.
namespace cairn::connectors::dbt {

// Progress while paging: which connection ("models", ...), nodes so far, total.
using DiscoveryProgress = std::function<void(const std::string&, std::size_t, std::int64_t)>;

cairn::dbt::Project ReadDiscoveryProject(const cloud::DbtCloudDiscoveryClient& client,
                                         const std::string& environment_id,
                                         const DiscoveryProgress& progress = nullptr);

// A Source reading environment `environment_id` through the Discovery API
// of `credentials` (`cairn dbt-cloud ingest`). `service` empty means the
// default name (DefaultServiceName). It has no fingerprint: every run asks.
std::unique_ptr<Source> MakeDiscoverySource(cloud::DbtCloudCredentials credentials,
                                            std::string environment_id, std::string service,
                                            bool include_tags);

}  // namespace cairn::connectors::dbt
