#pragma once

#include "ingest/runs/extraction_service.h"
#include "server/http/router.h"

namespace cairn::server {

class SyncScheduler;

// Integrations and their extraction runs under /api/v1/integrations, and
// artifact uploads: Secoda's routes under /integration/dbt/ (multipart, the
// integration id in a form field or the path) and a raw-body route for the
// web UI. Every upload is streamed to disk by the HTTP core and moved, never
// read into memory. Bucket integrations sync and test through `syncs`.
// `service` and `syncs` must outlive the router.
void AddIntegrationRoutes(Router& router, ingest::ExtractionService& service, SyncScheduler& syncs);
void AddDbtUploadRoutes(Router& router, ingest::ExtractionService& service, SyncScheduler& syncs);

}  // namespace cairn::server
