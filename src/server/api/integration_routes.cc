#include "server/api/integration_routes.h"

#include <fmt/format.h>

#include <charconv>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/file.h"
#include "ingest/runs/bucket_settings.h"
#include "server/api/multipart.h"
#include "server/sync/bucket_sync.h"
#include "server/sync/dbt_cloud_sync.h"
#include "server/sync/sync_scheduler.h"

namespace cairn::server {
namespace {

namespace fs = std::filesystem;
using ingest::ArtifactFiles;
using ingest::ArtifactKind;
using ingest::ExtractionRun;
using ingest::ExtractionService;
using nlohmann::json;

// How long ?wait=true holds the request for a run to finish.
constexpr std::chrono::seconds kMaxWait{3600};

json Parsed(const std::string& text) {
  json value = json::parse(text, nullptr, false);
  return value.is_discarded() ? json(text) : value;
}

json OrNull(const std::string& text) {
  return text.empty() ? json() : json(text);
}

json IntegrationJson(const ingest::Integration& integration) {
  return {{"id", integration.id},
          {"name", integration.name},
          {"type", integration.type},
          {"settings", ingest::RedactedSettings(integration.settings_json)},
          {"created_at", integration.created_at},
          {"updated_at", integration.updated_at}};
}

json RunJson(const ExtractionRun& run, bool with_log) {
  json out = {{"id", run.id},
              {"integration_id", run.integration_id},
              {"trigger", run.trigger},
              {"status", run.status},
              {"created_at", run.created_at},
              {"started_at", OrNull(run.started_at)},
              {"finished_at", OrNull(run.finished_at)},
              {"counts", Parsed(run.counts_json)},
              {"error", OrNull(run.error)},
              {"url", fmt::format("/api/v1/integrations/{}/runs/{}", run.integration_id, run.id)}};
  if (with_log) {
    json log = json::array();
    for (const auto& line : run.log) {
      log.push_back({{"time", line.time}, {"level", line.level}, {"message", line.message}});
    }
    out["log"] = std::move(log);
  }
  return out;
}

bool WantsWait(const Request& request, const std::map<std::string, std::string>& fields = {}) {
  std::string wait = request.QueryParam("wait").value_or("");
  if (auto it = fields.find("wait"); it != fields.end()) wait = it->second;
  return wait == "true" || wait == "1";
}

// The answer to an upload or trigger: Secoda's message, plus the run.
Response Accepted(const std::string& integration_id, const ExtractionRun& run) {
  std::string message = run.status == ingest::kRunSucceeded ? "Successfully ran extraction for dbt"
                        : run.status == ingest::kRunFailed
                            ? "Extraction for dbt failed: " + run.error
                            : "Extraction for dbt queued";
  return JsonResponse(
      200, json{{"message", message}, {"integration", integration_id}, {"run", RunJson(run, false)}}
               .dump());
}

Response Accepted(ExtractionService& service, const std::string& integration_id, ExtractionRun run,
                  bool wait) {
  if (wait) run = service.Wait(run.id, kMaxWait);
  return Accepted(integration_id, run);
}

// POST .../sync and Secoda's trigger: a bucket integration syncs its bucket;
// an upload integration runs again with what it holds.
Handler SyncOrRun(ExtractionService& service, SyncScheduler& syncs, const char* trigger) {
  return [&service, &syncs, trigger](Request& request) {
    const std::string& id = request.params.at("id");
    std::optional<SyncSettings> settings = SyncSettingsOf(service.GetIntegration(id));
    if (!settings) return Accepted(service, id, service.StartRun(id, trigger), WantsWait(request));
    ExtractionRun run = syncs.SyncNow(id, std::holds_alternative<ingest::BucketSettings>(*settings)
                                              ? "bucket_sync:manual"
                                              : "dbt_cloud_sync:manual");
    if (WantsWait(request)) run = syncs.Wait(run.id, kMaxWait);
    return Accepted(id, run);
  };
}

// Test connection before saving: {"settings": {"bucket": {...}}}.
json TestUnsavedBucket(const SyncScheduler& syncs, const std::string& body_text) {
  json body = json::parse(body_text, nullptr, false);
  if (!body.is_object() || !body.contains("settings") || !body["settings"].is_object()) {
    throw Error(ErrorCode::kInvalidArgument,
                "the body must be {\"settings\": {\"bucket\": {...}}}, the settings to test");
  }
  std::optional<ingest::BucketSettings> settings =
      ingest::ParseBucketSettings(body["settings"], /*require_external_id=*/false);
  if (!settings) {
    throw Error(ErrorCode::kInvalidArgument,
                "settings.bucket is required: there is nothing else "
                "to connect to before an integration is saved");
  }
  json report = TestBucket(syncs.http(), *settings);
  if (settings->auth == ingest::BucketAuth::kAssumeRole && settings->external_id.empty()) {
    report["message"] = report["message"].get<std::string>() +
                        " (tested without an external id: Cairn generates one when the "
                        "integration is saved; require it in the role's trust policy)";
  }
  return report;
}

json TestIntegration(ExtractionService& service, const SyncScheduler& syncs,
                     const std::string& id) {
  std::optional<SyncSettings> settings = SyncSettingsOf(service.GetIntegration(id));
  if (const auto* bucket = settings ? std::get_if<ingest::BucketSettings>(&*settings) : nullptr) {
    return TestBucket(syncs.http(), *bucket);
  }
  if (const auto* cloud =
          settings ? std::get_if<ingest::DbtCloudSyncSettings>(&*settings) : nullptr) {
    return TestDbtCloud(syncs.dbt_cloud_credentials(), *cloud);
  }
  std::vector<ingest::HeldArtifact> held = service.HeldArtifacts(id);
  json artifacts = json::array();
  bool has_manifest = false;
  for (const auto& artifact : held) {
    has_manifest = has_manifest || artifact.kind == ArtifactKind::kManifest;
    artifacts.push_back({{"kind", ingest::ArtifactKindName(artifact.kind)},
                         {"file", ingest::ArtifactFileName(artifact.kind)},
                         {"bytes", artifact.bytes},
                         {"modified", artifact.modified},
                         {"staged", artifact.staged}});
  }
  std::string message = has_manifest ? "Ready: a manifest.json is here for the next sync."
                                     : "No manifest.json yet: upload one (the first sync of a new "
                                       "integration fails until then).";
  return {{"ok", has_manifest}, {"message", message}, {"artifacts", std::move(artifacts)}};
}

// A directory for one request's multipart parts, removed with whatever the
// handler did not move out of it.
ScopedDirectory PartsDirectory(const fs::path& parent) {
  return ScopedDirectory::Unique(parent, "parts-");
}

MultipartForm ParseForm(const Request& request, const ScopedDirectory& parts) {
  std::string boundary = MultipartBoundary(request.Header("content-type"));
  return ParseMultipart(request.body_file, boundary, parts.path());
}

std::string IntegrationField(const MultipartForm& form) {
  for (const char* name : {"integration", "integration_id"}) {
    if (auto it = form.fields.find(name); it != form.fields.end() && !it->second.empty()) {
      return it->second;
    }
  }
  throw Error(ErrorCode::kInvalidArgument,
              "missing form field 'integration' (or 'integration_id')");
}

fs::path FilePart(const MultipartForm& form, const std::string& name) {
  auto it = form.files.find(name);
  if (it == form.files.end()) {
    throw Error(ErrorCode::kInvalidArgument,
                fmt::format("missing file part '{}' (multipart/form-data with a filename)", name));
  }
  return it->second;
}

// POST /integration/dbt/{kind}/: one artifact in part `part`, the
// integration in a form field; starts a run.
Handler SingleUpload(ExtractionService& service, ArtifactKind kind, const char* part) {
  return [&service, kind, part](Request& request) {
    ScopedDirectory parts = PartsDirectory(service.upload_dir());
    MultipartForm form = ParseForm(request, parts);
    std::string integration = IntegrationField(form);
    fs::path file = FilePart(form, part);
    service.GetIntegration(integration);  // 404 before anything is kept
    ExtractionRun run = service.StartRun(
        integration, fmt::format("upload:{}", ingest::ArtifactKindName(kind)), {{kind, file}});
    return Accepted(service, integration, std::move(run), WantsWait(request, form.fields));
  };
}

json ObjectBody(const Request& request) {
  json body = json::parse(request.body, nullptr, false);
  if (!body.is_object()) throw Error(ErrorCode::kInvalidArgument, "the body must be a JSON object");
  return body;
}

}  // namespace

void AddIntegrationRoutes(Router& router, ExtractionService& service, SyncScheduler& syncs) {
  router.Add({.method = Method::kPost,
              .pattern = "/api/v1/integrations",
              .access = auth::Access::kIngest,
              .body = BodyKind::kSmall,
              .handler =
                  [&service, &syncs](Request& request) {
                    json body = ObjectBody(request);
                    for (const char* field : {"name", "type"}) {
                      if (!body.contains(field) || !body[field].is_string()) {
                        throw Error(ErrorCode::kInvalidArgument,
                                    fmt::format("'{}' is required (a string)", field));
                      }
                    }
                    json settings = body.value("settings", json::object());
                    ingest::Integration created =
                        service.CreateIntegration(body["name"], body["type"], settings.dump());
                    syncs.Wake();  // a bucket integration syncs for the first time now
                    return JsonResponse(201, IntegrationJson(created).dump());
                  },
              .summary = "Create an integration (type dbt_core or dbt_cloud, with its settings)",
              .writes = true});
  router.Add({.method = Method::kPost,
              .pattern = "/api/v1/integrations/test",
              .access = auth::Access::kIngest,
              .body = BodyKind::kSmall,
              .handler =
                  [&syncs](Request& request) {
                    return JsonResponse(200, TestUnsavedBucket(syncs, request.body).dump());
                  },
              .summary = "Test connection before saving: list a bucket's prefix with the given "
                         "settings and report the dbt artifacts found, or why not"});
  ;
  router.Add({.method = Method::kGet,
              .pattern = "/api/v1/integrations",
              .handler =
                  [&service](Request&) {
                    json items = json::array();
                    for (const auto& integration : service.runs().ListIntegrations()) {
                      items.push_back(IntegrationJson(integration));
                    }
                    return JsonResponse(200, json{{"items", std::move(items)}}.dump());
                  },
              .summary = "List integrations"});
  router.Add({.method = Method::kGet,
              .pattern = "/api/v1/integrations/{id}",
              .handler =
                  [&service](Request& request) {
                    return JsonResponse(
                        200,
                        IntegrationJson(service.GetIntegration(request.params.at("id"))).dump());
                  },
              .summary = "One integration"});
  router.Add({.method = Method::kDelete,
              .pattern = "/api/v1/integrations/{id}",
              .access = auth::Access::kIngest,
              .handler =
                  [&service](Request& request) {
                    if (!service.DeleteIntegration(request.params.at("id"))) {
                      throw Error(ErrorCode::kNotFound,
                                  fmt::format("no integration '{}'", request.params.at("id")));
                    }
                    Response response;
                    response.status = 204;
                    return response;
                  },
              .summary = "Delete an integration and its stored artifacts",
              .writes = true});
  router.Add({.method = Method::kPatch,
              .pattern = "/api/v1/integrations/{id}",
              .access = auth::Access::kIngest,
              .body = BodyKind::kSmall,
              .handler =
                  [&service, &syncs](Request& request) {
                    json body = ObjectBody(request);
                    if (body.contains("type")) {
                      throw Error(ErrorCode::kInvalidArgument,
                                  "'type' cannot be changed: create another integration");
                    }
                    std::string name;
                    if (body.contains("name")) {
                      if (!body["name"].is_string() || body["name"].get<std::string>().empty()) {
                        throw Error(ErrorCode::kInvalidArgument,
                                    "'name' must be a non-empty string");
                      }
                      name = body["name"];
                    }
                    std::optional<std::string> settings;
                    if (body.contains("settings")) settings = body["settings"].dump();
                    ingest::Integration updated =
                        service.UpdateIntegration(request.params.at("id"), name, settings);
                    syncs.Wake();  // new settings may make a sync due, or fix a failing one
                    return JsonResponse(200, IntegrationJson(updated).dump());
                  },
              .summary = "Change an integration's name or settings: settings is a JSON merge "
                         "patch (keys left out stay, null removes), e.g. only a new secret",
              .writes = true});
  ;
  router.Add({.method = Method::kGet,
              .pattern = "/api/v1/integrations/{id}/runs",
              .handler =
                  [&service](Request& request) {
                    const std::string& id = request.params.at("id");
                    service.GetIntegration(id);
                    int limit = request.IntQueryParam("limit", 20, 1, 500);
                    int offset = request.IntQueryParam("offset", 0, 0, 1 << 30);
                    std::int64_t total = 0;
                    json items = json::array();
                    for (const auto& run : service.runs().ListRuns(id, limit, offset, total)) {
                      items.push_back(RunJson(run, false));
                    }
                    return JsonResponse(200, json{{"items", std::move(items)},
                                                  {"total", total},
                                                  {"limit", limit},
                                                  {"offset", offset}}
                                                 .dump());
                  },
              .summary = "Extraction runs of an integration, newest first"});
  router.Add(
      {.method = Method::kGet,
       .pattern = "/api/v1/integrations/{id}/runs/{run_id}",
       .handler =
           [&service](Request& request) {
             const std::string& text = request.params.at("run_id");
             std::int64_t run_id = 0;
             auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), run_id);
             std::optional<ExtractionRun> run;
             if (ec == std::errc() && end == text.data() + text.size()) {
               run = service.runs().GetRun(run_id);
             }
             if (!run || run->integration_id != request.params.at("id")) {
               throw Error(ErrorCode::kNotFound, fmt::format("no extraction run '{}'", text));
             }
             return JsonResponse(200, RunJson(*run, true).dump());
           },
       .summary = "One extraction run with its log lines"});
  router.Add({.method = Method::kPost,
              .pattern = "/api/v1/integrations/{id}/sync",
              .access = auth::Access::kIngest,
              .handler = SyncOrRun(service, syncs, "sync"),
              .summary = "Run sync: a bucket integration syncs its bucket now; an upload "
                         "integration runs again from its stored artifacts",
              .writes = true});
  router.Add({.method = Method::kPost,
              .pattern = "/api/v1/integrations/{id}/test",
              .access = auth::Access::kIngest,
              .handler =
                  [&service, &syncs](Request& request) {
                    return JsonResponse(
                        200, TestIntegration(service, syncs, request.params.at("id")).dump());
                  },
              .summary = "Test connection: list a bucket integration's prefix and report the dbt "
                         "artifacts found (or why not); for uploads, the artifacts held"});
  router.Add({.method = Method::kPost,
              .pattern = "/api/v1/integrations/{id}/artifacts/{kind}",
              .access = auth::Access::kIngest,
              .body = BodyKind::kUpload,
              .handler =
                  [&service](Request& request) {
                    const std::string& id = request.params.at("id");
                    std::optional<ArtifactKind> kind =
                        ingest::ArtifactKindNamed(request.params.at("kind"));
                    if (!kind) {
                      throw Error(ErrorCode::kNotFound,
                                  fmt::format("no artifact kind '{}' (manifest, run_results, "
                                              "catalog, sources)",
                                              request.params.at("kind")));
                    }
                    ExtractionRun run = service.StartRun(
                        id, fmt::format("upload:{}", ingest::ArtifactKindName(*kind)),
                        {{*kind, request.body_file}});
                    return Accepted(service, id, std::move(run), WantsWait(request));
                  },
              .summary = "Upload one artifact as the raw body (the web UI's file picker); starts "
                         "an extraction run"});
}

void AddDbtUploadRoutes(Router& router, ExtractionService& service, SyncScheduler& syncs) {
  struct Single {
    const char* path;
    ArtifactKind kind;
    const char* part;
    const char* summary;
  };
  for (const Single& single :
       {Single{"/integration/dbt/manifest/", ArtifactKind::kManifest, "manifest_file",
               "Secoda-compatible: upload manifest.json; starts an extraction run"},
        Single{"/integration/dbt/run_result/", ArtifactKind::kRunResults, "run_result_file",
               "Secoda-compatible: upload run_results.json; starts an extraction run"},
        Single{"/integration/dbt/run_results/", ArtifactKind::kRunResults, "run_result_file",
               "The same as /integration/dbt/run_result/ (the older spelling)"},
        Single{"/integration/dbt/catalog/", ArtifactKind::kCatalog, "catalog_file",
               "Upload catalog.json; starts an extraction run"},
        Single{"/integration/dbt/sources/", ArtifactKind::kSources, "sources_file",
               "Upload sources.json; starts an extraction run"}}) {
    router.Add({.method = Method::kPost,
                .pattern = single.path,
                .access = auth::Access::kIngest,
                .body = BodyKind::kUpload,
                .handler = SingleUpload(service, single.kind, single.part),
                .summary = single.summary});
  }
  router.Add({.method = Method::kPost,
              .pattern = "/integration/dbt/{id}/upload_artifacts/",
              .access = auth::Access::kIngest,
              .body = BodyKind::kUpload,
              .handler =
                  [&service](Request& request) {
                    const std::string& id = request.params.at("id");
                    service.GetIntegration(id);
                    ScopedDirectory parts = PartsDirectory(service.upload_dir());
                    MultipartForm form = ParseForm(request, parts);
                    ArtifactFiles files;
                    for (const auto& [name, path] : form.files) {
                      std::optional<ArtifactKind> kind = ingest::ArtifactKindNamed(name);
                      if (!kind) {
                        throw Error(ErrorCode::kInvalidArgument,
                                    fmt::format("unknown file part '{}' (manifest, run_results, "
                                                "catalog, sources)",
                                                name));
                      }
                      files[*kind] = path;
                    }
                    if (files.empty()) {
                      throw Error(ErrorCode::kInvalidArgument,
                                  "no file parts: send manifest and/or run_results (and catalog, "
                                  "sources)");
                    }
                    json staged = json::array();
                    for (const auto& [kind, path] : files) {
                      staged.push_back(ingest::ArtifactFileName(kind));
                    }
                    service.Stage(id, files);
                    return JsonResponse(200, json{{"message",
                                                   "Artifacts uploaded; POST "
                                                   "/integration/dbt/" +
                                                       id + "/trigger/ to sync"},
                                                  {"integration", id},
                                                  {"staged", std::move(staged)}}
                                                 .dump());
                  },
              .summary = "Secoda-compatible: stage manifest, run_results, catalog, sources parts "
                         "without running"});
  router.Add({.method = Method::kPost,
              .pattern = "/integration/dbt/{id}/trigger/",
              .access = auth::Access::kIngest,
              .handler = SyncOrRun(service, syncs, "trigger"),
              .summary = "Secoda-compatible: start an extraction run with the staged artifacts "
                         "(a bucket integration syncs its bucket)",
              .writes = true});
}

}  // namespace cairn::server
