#pragma once

#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "cloud/dbt_cloud_credentials.h"
#include "ingest/runs/dbt_cloud_settings.h"
#include "ingest/runs/extraction_service.h"
#include "server/sync/sync_state_store.h"

// One sync of a dbt_cloud integration: the latest successful run of its
// jobs (one GET /runs/ per job) is compared with the run the last
// successful sync read; a new run's artifacts are downloaded and handed to
// an extraction run, the same run again finishes as succeeded with
// "nothing changed" and no download.
namespace cairn::server {

// A credential block's fields, the API key opened, by the block's name;
// throws kNotFound for no such block. An empty lookup: this server reads
// no blocks, and dbt_cloud syncs fail saying so.
using DbtCloudCredentialsLookup = std::function<cloud::DbtCloudCredentials(const std::string&)>;

// Runs `run` (opened by ExtractionService::OpenRun, not queued) as a sync
// of `settings`, as SyncBucket does for a bucket: returns whether the run
// was queued for extraction; records dbt Cloud's failures in the run and
// never throws for them.
bool SyncDbtCloud(ingest::ExtractionService& extraction, SyncStateStore& state,
                  const DbtCloudCredentialsLookup& credentials, ingest::ExtractionRun run,
                  const ingest::DbtCloudSyncSettings& settings,
                  const std::function<void()>& keep_alive);

// What a sync would read: {"ok": true, "message", "run": {id, job_id,
// finished_at, href}}, or ok false with the reason (no such block, a key
// dbt Cloud refuses, no successful run yet).
nlohmann::json TestDbtCloud(const DbtCloudCredentialsLookup& credentials,
                            const ingest::DbtCloudSyncSettings& settings);

}  // namespace cairn::server
