#pragma once

#include <functional>
#include <nlohmann/json_fwd.hpp>

#include "cloud/http_client.h"
#include "ingest/runs/bucket_settings.h"
#include "ingest/runs/extraction_service.h"
#include "server/sync/sync_state_store.h"

// One sync of a bucket integration, and the connection test that shares its
// listing. A sync is one paginated LIST of the prefix; the artifacts whose
// key or ETag differ from the last successful sync's are streamed to disk and
// handed to an extraction run; an unchanged bucket finishes the run as
// succeeded with "nothing changed" and no GET. Only manifest, run_results,
// catalog and sources are ever downloaded.
namespace cairn::server {

// Runs `run` (opened by ExtractionService::OpenRun, not queued) as a sync of
// `settings`: lists, compares, downloads what changed and queues the run, or
// finishes it (succeeded when nothing changed, failed with the reason when
// the bucket could not be read). `keep_alive` runs between requests (the
// scheduler renews its lease there). Returns whether the run was queued for
// extraction. Never throws for the bucket's failures.
bool SyncBucket(ingest::ExtractionService& extraction, SyncStateStore& state,
                const cloud::HttpClient& http, ingest::ExtractionRun run,
                const ingest::BucketSettings& settings, const std::function<void()>& keep_alive);

// Lists the prefix and reports what a sync would read: {"ok", "message",
// "where", "directory", "objects_listed", "artifacts": [{kind, key, bytes,
// etag, last_modified}], "warnings"}, or ok false with the reason (bad keys,
// access denied, no such bucket, no manifest under the prefix).
nlohmann::json TestBucket(const cloud::HttpClient& http, const ingest::BucketSettings& settings);

}  // namespace cairn::server
