#pragma once

#include <istream>
#include <nlohmann/json.hpp>
#include <string_view>

#include "catalog/model.h"

// A ServiceSnapshot as a JSON document, the body a metadata-rest sink PUTs to
// a remote `cairn serve`. Every field travels, so that a snapshot applied
// remotely gives the catalog a local Apply would:
//
//   {"format": "cairn-snapshot/1", "service": ..., "service_type": ...,
//    "origin": ..., "missing_tables": "remove" | "mark_deleted" | "keep",
//    "read_schemas": null | [{"database", "schema"}],
//    "artifact_fingerprint": ..., "tables": [...], "nodes": [...],
//    "lineage": [...], "docs": [...], "invocations": [...], "runs": [...]}
//
// Member names are the model's field names. Stored JSON text (meta_json,
// stats_json, constraints_json, test_kwargs_json, freshness_json) travels as
// a string, byte for byte: Apply compares content hashes, and re-serialised
// JSON could differ in key order and make an unchanged entity look updated.
// Optional numbers are null when absent.
namespace cairn::catalog {

inline constexpr std::string_view kSnapshotFormat = "cairn-snapshot/1";

nlohmann::json SnapshotToJson(const ServiceSnapshot& snapshot);

// One table as it appears in a snapshot's "tables"; the store also keeps
// each origin's view of a table that several origins describe this way.
nlohmann::json TableToJson(const Table& table);
// Throws Error(kParse) naming the path of a wrong member, as below.
Table TableFromJson(const nlohmann::json& table);

// Reads a document SnapshotToJson wrote. Members other than the identifying
// ones (service, origin, each entity's fqn/unique_id/name) may be left out
// and take the model's defaults; unknown members are ignored. Throws
// Error(kParse) whose context names the JSON path of a wrong or missing
// member ("$.tables[2].columns[0].name"), kUnsupported for another format.
ServiceSnapshot SnapshotFromJson(const nlohmann::json& document);

// The same from JSON text; a syntax error is kParse with the byte offset.
ServiceSnapshot ParseSnapshot(std::istream& text);

}  // namespace cairn::catalog
