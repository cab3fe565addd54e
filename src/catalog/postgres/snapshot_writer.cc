#include "catalog/postgres/snapshot_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include "catalog/content_hash.h"
#include "catalog/fqn_key.h"
#include "catalog/json_text.h"
#include "catalog/postgres/search_index.h"
#include "catalog/snapshot_sets.h"
#include "core/error.h"
#include "core/timestamp.h"

namespace cairn::catalog::postgres {
namespace {

// A service is of its warehouse's type: dbt documenting it does not change
// that, whichever was ingested first.
constexpr const char* kUpsertService = R"sql(
INSERT INTO services(name, service_type) VALUES ($1, $2)
ON CONFLICT(name_key) DO UPDATE SET service_type = excluded.service_type
WHERE excluded.service_type NOT IN ('', 'dbt', services.service_type)
   OR services.service_type = ''
)sql";
constexpr const char* kServiceId = "SELECT id FROM services WHERE name_key = cairn_fold($1)";

constexpr const char* kCatalogHoldsEntities =
    "SELECT EXISTS (SELECT 1 FROM tables) OR EXISTS (SELECT 1 FROM dbt_nodes)";
constexpr const char* kHistoryHoldsRuns = "SELECT EXISTS (SELECT 1 FROM node_runs)";
constexpr const char* kStoredTables =
    "SELECT id, content_hash, fqn, origin, database_name, schema_name, deleted_at <> '' "
    "FROM tables WHERE service_id = $1";
constexpr const char* kNewTableIds =
    "SELECT nextval('tables_id_seq') FROM generate_series(1, $1::bigint)";
#define CAIRN_TABLE_COLUMNS                                                                  \
  "id, service_id, origin, content_hash, fqn, database_name, schema_name, name, table_type," \
  " description, tags, owners, stats, definition, deleted_at"
constexpr const char* kCopyTables = "COPY tables(" CAIRN_TABLE_COLUMNS ") FROM STDIN";
// Rewritten rows go through a staging table: one UPDATE for all of them.
constexpr const char* kStageTables =
    "CREATE TEMP TABLE IF NOT EXISTS staged_tables ON COMMIT DELETE ROWS AS "
    "SELECT " CAIRN_TABLE_COLUMNS " FROM tables WITH NO DATA";
constexpr const char* kCopyStagedTables = "COPY staged_tables(" CAIRN_TABLE_COLUMNS ") FROM STDIN";
#undef CAIRN_TABLE_COLUMNS
constexpr const char* kUpdateStagedTables = R"sql(
UPDATE tables t SET origin = s.origin, content_hash = s.content_hash, fqn = s.fqn,
  database_name = s.database_name, schema_name = s.schema_name, name = s.name,
  table_type = s.table_type, description = s.description, tags = s.tags, owners = s.owners,
  stats = s.stats, definition = s.definition, deleted_at = s.deleted_at
FROM staged_tables s WHERE t.id = s.id
)sql";
constexpr const char* kDeleteColumns =
    "DELETE FROM columns c USING unnest($1::bigint[]) d(id) WHERE c.table_id = d.id";
constexpr const char* kCopyColumns = R"sql(
COPY columns(table_id, position, name, ordinal, data_type, description, tags, meta,
             constraints_json) FROM STDIN
)sql";
constexpr const char* kDeleteTables = "DELETE FROM tables WHERE id = ANY($1::bigint[])";
constexpr const char* kMarkTablesDeleted =
    "UPDATE tables SET deleted_at = $2 WHERE id = ANY($1::bigint[])";
constexpr const char* kTableIdsByFqn =
    "SELECT DISTINCT t.id FROM unnest($1::text[]) f JOIN tables t ON t.fqn_key = cairn_fold(f)";

constexpr const char* kStoredNodes =
    "SELECT id, content_hash, fqn, origin, unique_id FROM dbt_nodes WHERE service_id = $1";
constexpr const char* kNewNodeIds =
    "SELECT nextval('dbt_nodes_id_seq') FROM generate_series(1, $1::bigint)";
#define CAIRN_NODE_COLUMNS                                                                      \
  "id, service_id, origin, content_hash, unique_id, fqn, table_fqn, resource_type, name,"       \
  " package_name, original_file_path, description, tags, owners, meta, materialized, language," \
  " raw_code, compiled_code, access, group_name, version, latest_version, contract_enforced,"   \
  " constraints_json, depends_on, test_name, test_column, test_kwargs, severity, source_name,"  \
  " loader, freshness, label, exposure_type, url, maturity"
constexpr const char* kCopyNodes = "COPY dbt_nodes(" CAIRN_NODE_COLUMNS ") FROM STDIN";
constexpr const char* kStageNodes =
    "CREATE TEMP TABLE IF NOT EXISTS staged_nodes ON COMMIT DELETE ROWS AS "
    "SELECT " CAIRN_NODE_COLUMNS " FROM dbt_nodes WITH NO DATA";
constexpr const char* kCopyStagedNodes = "COPY staged_nodes(" CAIRN_NODE_COLUMNS ") FROM STDIN";
#undef CAIRN_NODE_COLUMNS
constexpr const char* kUpdateStagedNodes = R"sql(
UPDATE dbt_nodes n SET origin = s.origin, content_hash = s.content_hash, unique_id = s.unique_id,
  fqn = s.fqn, table_fqn = s.table_fqn, resource_type = s.resource_type, name = s.name,
  package_name = s.package_name, original_file_path = s.original_file_path,
  description = s.description, tags = s.tags, owners = s.owners, meta = s.meta,
  materialized = s.materialized, language = s.language, raw_code = s.raw_code,
  compiled_code = s.compiled_code, access = s.access, group_name = s.group_name,
  version = s.version, latest_version = s.latest_version,
  contract_enforced = s.contract_enforced, constraints_json = s.constraints_json,
  depends_on = s.depends_on, test_name = s.test_name, test_column = s.test_column,
  test_kwargs = s.test_kwargs, severity = s.severity, source_name = s.source_name,
  loader = s.loader, freshness = s.freshness, label = s.label, exposure_type = s.exposure_type,
  url = s.url, maturity = s.maturity
FROM staged_nodes s WHERE n.id = s.id
)sql";
constexpr const char* kDeleteNodes = "DELETE FROM dbt_nodes WHERE id = ANY($1::bigint[])";

constexpr const char* kLineageHash =
    "SELECT lineage_hash FROM snapshot_state WHERE service_id = $1 AND origin = $2";
constexpr const char* kDocsHash =
    "SELECT docs_hash FROM snapshot_state WHERE service_id = $1 AND origin = $2";
constexpr const char* kSaveSetHashes = R"sql(
INSERT INTO snapshot_state(service_id, origin, lineage_hash, docs_hash, artifact_fingerprint)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT(service_id, origin)
DO UPDATE SET lineage_hash = excluded.lineage_hash, docs_hash = excluded.docs_hash,
              artifact_fingerprint = excluded.artifact_fingerprint
)sql";
// This Apply may have taken over rows the service's other origins wrote.
constexpr const char* kForgetOtherFingerprints = R"sql(
UPDATE snapshot_state SET artifact_fingerprint = ''
WHERE service_id = $1 AND origin <> $2 AND artifact_fingerprint <> ''
)sql";
constexpr const char* kDeleteLineage =
    "DELETE FROM lineage_edges WHERE service_id = $1 AND origin = $2";
constexpr const char* kCopyLineage = R"sql(
COPY lineage_edges(service_id, origin, upstream_fqn, downstream_fqn, upstream_column,
                   downstream_column) FROM STDIN
)sql";
constexpr const char* kCountLineage =
    "SELECT count(*) FROM lineage_edges WHERE service_id = $1 AND origin = $2";
constexpr const char* kDeleteDocBlocks =
    "DELETE FROM doc_blocks WHERE service_id = $1 AND origin = $2";
constexpr const char* kCopyDocBlocks = R"sql(
COPY doc_blocks(service_id, origin, unique_id, name, package_name, block_contents) FROM STDIN
)sql";

constexpr const char* kStageInvocations = R"sql(
CREATE TEMP TABLE IF NOT EXISTS staged_invocations ON COMMIT DELETE ROWS AS
SELECT id, invocation_id, service_id, artifact, command, dbt_version, generated_at,
       elapsed_seconds FROM invocations WITH NO DATA
)sql";
constexpr const char* kCopyStagedInvocations = R"sql(
COPY staged_invocations(id, invocation_id, service_id, artifact, command, dbt_version,
                        generated_at, elapsed_seconds) FROM STDIN
)sql";
// In the snapshot's order (staged id), once each; those stored before are
// left as they are.
constexpr const char* kInsertStagedInvocations = R"sql(
INSERT INTO invocations(invocation_id, service_id, artifact, command, dbt_version, generated_at,
                        elapsed_seconds)
SELECT invocation_id, service_id, artifact, command, dbt_version, generated_at, elapsed_seconds
FROM staged_invocations ORDER BY id
ON CONFLICT(invocation_id) DO NOTHING
RETURNING invocation_id
)sql";
constexpr const char* kStoredInvocations =
    "SELECT invocation_id FROM invocations WHERE invocation_id = ANY($1::text[])";
constexpr const char* kCopyRuns = R"sql(
COPY node_runs(invocation_id, unique_id, generated_at, resource_type, status, execution_seconds,
               started_at, completed_at, message, failures, rows_affected, max_loaded_at,
               age_seconds) FROM STDIN
)sql";

std::vector<std::int64_t> Sorted(const std::unordered_set<std::int64_t>& ids) {
  std::vector<std::int64_t> sorted(ids.begin(), ids.end());
  std::sort(sorted.begin(), sorted.end());
  return sorted;
}

}  // namespace

SnapshotWriter::SnapshotWriter(Connection& db, const ServiceSnapshot& snapshot,
                               StagedSnapshot* staged)
    : db_(db), snapshot_(snapshot), staged_(staged) {}

void SnapshotWriter::Await(SnapshotPart part) {
  if (staged_ != nullptr) staged_->Await(part);
}

ApplyReport SnapshotWriter::Write() {
  // In the order a staged snapshot is completed: lineage before the nodes
  // fills the time their mapping takes.
  Await(SnapshotPart::kTables);
  if (snapshot_.service.empty()) {
    throw Error(ErrorCode::kInvalidArgument, "a snapshot to apply names no service");
  }
  catalog_was_empty_ = !db_.Query(kCatalogHoldsEntities).Bool(0, 0);
  history_was_empty_ = catalog_was_empty_ && !db_.Query(kHistoryHoldsRuns).Bool(0, 0);
  UpsertService();
  WriteTables();
  WriteLineage();
  Await(SnapshotPart::kNodes);
  WriteNodes();
  WriteDocBlocks();
  Await(SnapshotPart::kAll);
  SaveSetState();
  WriteHistory();
  if (catalog_was_empty_) {
    const NewCatalogTestStatuses statuses = ComputeNewCatalogTestStatuses(snapshot_, latest_runs_);
    SearchIndex(db_).IndexNewCatalog(snapshot_, service_id_, table_row_ids_, node_row_ids_,
                                     history_was_empty_ ? &statuses : nullptr);
    dirty_tables_.clear();  // indexed; at most their test statuses are left
    dirty_nodes_.clear();
    dirty_table_fqns_.clear();
  }
  if (staged_ != nullptr) staged_->Release();
  RefreshSearch();
  return report_;
}

std::vector<std::int64_t> SnapshotWriter::NewIds(const char* sql, std::size_t count) {
  std::vector<std::int64_t> ids;
  if (count == 0) return ids;
  Rows rows = db_.Query(sql, Params().Add(static_cast<std::int64_t>(count)));
  ids.reserve(count);
  for (int i = 0; i < rows.size(); ++i) ids.push_back(rows.Int64(i, 0));
  return ids;
}

void SnapshotWriter::UpsertService() {
  db_.Query(kUpsertService, Params().Add(snapshot_.service).Add(snapshot_.service_type));
  service_id_ = db_.Query(kServiceId, Params().Add(snapshot_.service)).Int64(0, 0);
}

void SnapshotWriter::WriteTables() {
  std::unordered_map<std::string, StoredTableRow> stored;  // by FqnKey
  {
    Rows rows = db_.Query(kStoredTables, Params().Add(service_id_));
    stored.reserve(static_cast<std::size_t>(rows.size()));
    for (int i = 0; i < rows.size(); ++i) {
      stored.emplace(FqnKey(rows.Text(i, 2)), StoredTableRow{.id = rows.Int64(i, 0),
                                                             .hash = rows.Int64(i, 1),
                                                             .fqn = rows.String(i, 2),
                                                             .origin = rows.String(i, 3),
                                                             .database = rows.String(i, 4),
                                                             .schema = rows.String(i, 5),
                                                             .deleted = rows.Bool(i, 6)});
    }
  }
  StoredLayers layers;
  if (std::any_of(stored.begin(), stored.end(),
                  [](const auto& entry) { return entry.second.origin == kSharedOrigin; })) {
    layers = ReadLayerHashes(db_, service_id_);
  }
  TableReconciler(snapshot_, *this, report_.tables).Apply(stored, std::move(layers));
  FlushTables();
}

void SnapshotWriter::InsertTable(std::size_t index, const Table& /*table*/, std::int64_t hash) {
  table_inserts_.emplace_back(index, hash);
}

void SnapshotWriter::MatchTable(std::size_t /*index*/, const StoredTableRow& /*row*/) {}

void SnapshotWriter::RewriteTable(const StoredTableRow& row, std::string_view origin,
                                  const Table& table, std::int64_t hash,
                                  std::string_view deleted_at) {
  // Kept until the flush: `table` may be a merge that lives only this long.
  table_writes_.push_back(TableWrite{.id = row.id,
                                     .origin = std::string(origin),
                                     .hash = hash,
                                     .table = &written_tables_.emplace_back(table),
                                     .deleted_at = std::string(deleted_at)});
  dirty_tables_.insert(row.id);
}

void SnapshotWriter::MarkTableDeleted(const StoredTableRow& row) {
  marked_tables_.push_back(row.id);
  dirty_tables_.insert(row.id);
}

void SnapshotWriter::RemoveTable(const StoredTableRow& row) {
  removed_tables_.push_back(row.id);
  dirty_tables_.insert(row.id);
}

std::optional<Table> SnapshotWriter::ReadTable(std::string_view fqn) {
  return ReadTableRow(db_, fqn);
}

std::vector<TableLayer> SnapshotWriter::ReadLayers(std::int64_t table_id) {
  return postgres::ReadLayers(db_, table_id);
}

void SnapshotWriter::PutLayer(std::int64_t table_id, std::string_view origin, std::int64_t hash,
                              const Table& table) {
  postgres::PutLayer(db_, table_id, origin, hash, table);
}

void SnapshotWriter::RemoveLayer(std::int64_t table_id, std::string_view origin) {
  postgres::RemoveLayer(db_, table_id, origin);
}

void SnapshotWriter::RemoveLayers(std::int64_t table_id) {
  postgres::RemoveLayers(db_, table_id);
}

void SnapshotWriter::AddTableRow(CopyRows& rows, const TableWrite& write) {
  const Table& table = *write.table;
  rows.Int(write.id)
      .Int(service_id_)
      .Text(write.origin)
      .Int(write.hash)
      .Text(table.fqn)
      .Text(table.database)
      .Text(table.schema)
      .Text(table.name)
      .Text(table.table_type)
      .Text(table.description)
      .Text(ToJsonArray(table.tags))
      .Text(ToJsonArray(table.owners))
      .Text(table.stats_json)
      .Text(table.definition)
      .Text(write.deleted_at)
      .EndRow();
}

void SnapshotWriter::FlushTables() {
  if (!removed_tables_.empty()) {
    // Columns have no foreign key (migration 3): they go with their tables.
    std::string ids = ArrayLiteral(removed_tables_);
    db_.Query(kDeleteColumns, Params().Add(ids));
    db_.Query(kDeleteTables, Params().Add(ids));
  }
  if (!marked_tables_.empty()) {
    db_.Query(kMarkTablesDeleted, Params()
                                      .Add(ArrayLiteral(marked_tables_))
                                      .Add(FormatUtcTimestamp(std::chrono::system_clock::now())));
  }
  CopyRows columns;
  auto add_columns = [&](std::int64_t table_id, const Table& table) {
    std::int64_t position = 0;
    for (const Column& column : table.columns) {
      columns.Int(table_id)
          .Int(++position)
          .Text(column.name)
          .Int(column.ordinal)
          .Text(column.data_type)
          .Text(column.description)
          .Text(ToJsonArray(column.tags))
          .Text(column.meta_json)
          .Text(column.constraints_json)
          .EndRow();
    }
  };
  if (!table_writes_.empty()) {
    std::vector<std::int64_t> ids;
    ids.reserve(table_writes_.size());
    CopyRows rows;
    for (const TableWrite& write : table_writes_) {
      ids.push_back(write.id);
      AddTableRow(rows, write);
      add_columns(write.id, *write.table);
    }
    db_.Query(kDeleteColumns, Params().Add(ArrayLiteral(ids)));
    db_.Exec(kStageTables);
    db_.Copy(kCopyStagedTables, rows.data());
    db_.Query(kUpdateStagedTables);
  }
  std::vector<std::int64_t> ids = NewIds(kNewTableIds, table_inserts_.size());
  CopyRows rows;
  for (std::size_t i = 0; i < table_inserts_.size(); ++i) {
    const auto [index, hash] = table_inserts_[i];
    const Table& table = snapshot_.tables[index];
    AddTableRow(
        rows, TableWrite{.id = ids[i], .origin = snapshot_.origin, .hash = hash, .table = &table});
    add_columns(ids[i], table);
    dirty_tables_.insert(ids[i]);
    if (catalog_was_empty_) {
      table_row_ids_.resize(snapshot_.tables.size());
      table_row_ids_[index] = ids[i];
    }
  }
  if (!rows.empty()) db_.Copy(kCopyTables, rows.data());
  if (!columns.empty()) db_.Copy(kCopyColumns, columns.data());
}

void SnapshotWriter::AddNodeRow(CopyRows& rows, std::int64_t id, const DbtNode& node,
                                std::int64_t hash) {
  rows.Int(id).Int(service_id_).Text(snapshot_.origin).Int(hash);
  for (const std::string* text :
       {&node.unique_id, &node.fqn, &node.table_fqn, &node.resource_type, &node.name,
        &node.package_name, &node.original_file_path, &node.description}) {
    rows.Text(*text);
  }
  rows.Text(ToJsonArray(node.tags)).Text(ToJsonArray(node.owners));
  for (const std::string* text :
       {&node.meta_json, &node.materialized, &node.language, &node.raw_code, &node.compiled_code,
        &node.access, &node.group_name, &node.version, &node.latest_version}) {
    rows.Text(*text);
  }
  rows.Bool(node.contract_enforced).Text(node.constraints_json).Text(ToJsonArray(node.depends_on));
  for (const std::string* text :
       {&node.test_name, &node.test_column, &node.test_kwargs_json, &node.severity,
        &node.source_name, &node.loader, &node.freshness_json, &node.label, &node.exposure_type,
        &node.url, &node.maturity}) {
    rows.Text(*text);
  }
  rows.EndRow();
}

void SnapshotWriter::WriteNodes() {
  std::unordered_map<std::string, StoredRow> stored;  // by unique_id
  {
    Rows rows = db_.Query(kStoredNodes, Params().Add(service_id_));
    stored.reserve(static_cast<std::size_t>(rows.size()));
    for (int i = 0; i < rows.size(); ++i) {
      stored.emplace(rows.String(i, 4), StoredRow{.id = rows.Int64(i, 0),
                                                  .hash = rows.Int64(i, 1),
                                                  .fqn = rows.String(i, 2),
                                                  .origin = rows.String(i, 3)});
    }
  }
  std::unordered_set<std::string_view> written;
  written.reserve(snapshot_.nodes.size());
  std::vector<std::pair<const DbtNode*, std::int64_t>> inserts;  // with their hashes
  CopyRows updates;
  std::vector<std::int64_t> removed;
  for (const DbtNode& node : snapshot_.nodes) {
    if (!written.insert(node.unique_id).second) {
      throw Error(ErrorCode::kInconsistent,
                  fmt::format("the snapshot of service {} lists dbt node {} twice",
                              snapshot_.service, node.unique_id));
    }
    auto hash = static_cast<std::int64_t>(HashNode(node));
    auto found = stored.find(node.unique_id);
    if (found == stored.end()) {
      inserts.emplace_back(&node, hash);
      continue;
    }
    StoredRow& row = found->second;
    row.seen = true;
    if (row.hash == hash && row.origin == snapshot_.origin) {
      ++report_.nodes.unchanged;
      continue;
    }
    AddNodeRow(updates, row.id, node, hash);
    if (FqnKey(row.fqn) != FqnKey(node.fqn)) dirty_table_fqns_.push_back(row.fqn);
    dirty_nodes_.insert(row.id);
    if (FqnKey(node.fqn) == FqnKey(node.table_fqn)) dirty_table_fqns_.push_back(node.fqn);
    ++report_.nodes.updated;
  }
  for (const auto& [unique_id, row] : stored) {
    if (row.seen || row.origin != snapshot_.origin) continue;
    removed.push_back(row.id);
    dirty_nodes_.insert(row.id);
    dirty_table_fqns_.push_back(row.fqn);
    ++report_.nodes.removed;
  }
  if (!removed.empty()) db_.Query(kDeleteNodes, Params().Add(ArrayLiteral(removed)));
  if (!updates.empty()) {
    db_.Exec(kStageNodes);
    db_.Copy(kCopyStagedNodes, updates.data());
    db_.Query(kUpdateStagedNodes);
  }
  std::vector<std::int64_t> ids = NewIds(kNewNodeIds, inserts.size());
  CopyRows rows;
  for (std::size_t i = 0; i < inserts.size(); ++i) {
    const DbtNode& node = *inserts[i].first;
    AddNodeRow(rows, ids[i], node, inserts[i].second);
    dirty_nodes_.insert(ids[i]);
    if (catalog_was_empty_) {
      node_row_ids_.resize(snapshot_.nodes.size());
      node_row_ids_[static_cast<std::size_t>(&node - snapshot_.nodes.data())] = ids[i];
    }
    if (FqnKey(node.fqn) == FqnKey(node.table_fqn)) dirty_table_fqns_.push_back(node.fqn);
    ++report_.nodes.added;
  }
  if (!rows.empty()) db_.Copy(kCopyNodes, rows.data());
}

std::optional<std::int64_t> SnapshotWriter::StoredSetHash(const char* sql) {
  Rows rows = db_.Query(sql, Params().Add(service_id_).Add(snapshot_.origin));
  if (rows.empty()) return std::nullopt;
  return rows.Int64(0, 0);
}

void SnapshotWriter::WriteLineage() {
  lineage_hash_ = HashLineageSet(snapshot_.lineage);
  if (StoredSetHash(kLineageHash) == lineage_hash_) {
    report_.lineage_edges =
        db_.Query(kCountLineage, Params().Add(service_id_).Add(snapshot_.origin)).Int64(0, 0);
    return;
  }
  db_.Query(kDeleteLineage, Params().Add(service_id_).Add(snapshot_.origin));
  const std::vector<const LineageEdge*> distinct = DistinctLineageEdges(snapshot_.lineage);
  CopyRows rows;
  for (const LineageEdge* edge : distinct) {
    rows.Int(service_id_)
        .Text(snapshot_.origin)
        .Text(edge->upstream_fqn)
        .Text(edge->downstream_fqn)
        .Text(edge->upstream_column)
        .Text(edge->downstream_column)
        .EndRow();
  }
  if (!rows.empty()) db_.Copy(kCopyLineage, rows.data());
  report_.lineage_edges = static_cast<std::int64_t>(distinct.size());
}

void SnapshotWriter::WriteDocBlocks() {
  docs_hash_ = HashDocSet(snapshot_.docs);
  if (StoredSetHash(kDocsHash) == docs_hash_) return;
  db_.Query(kDeleteDocBlocks, Params().Add(service_id_).Add(snapshot_.origin));
  CopyRows rows;
  for (const DocBlock& doc : snapshot_.docs) {
    rows.Int(service_id_)
        .Text(snapshot_.origin)
        .Text(doc.unique_id)
        .Text(doc.name)
        .Text(doc.package_name)
        .Text(doc.block_contents)
        .EndRow();
  }
  if (!rows.empty()) db_.Copy(kCopyDocBlocks, rows.data());
}

void SnapshotWriter::SaveSetState() {
  db_.Query(kSaveSetHashes, Params()
                                .Add(service_id_)
                                .Add(snapshot_.origin)
                                .Add(lineage_hash_)
                                .Add(docs_hash_)
                                .Add(snapshot_.artifact_fingerprint));
  db_.Query(kForgetOtherFingerprints, Params().Add(service_id_).Add(snapshot_.origin));
}

void SnapshotWriter::WriteHistory() {
  std::unordered_map<std::string_view, std::string_view> generated_at;  // by invocation_id
  std::unordered_set<std::string_view> added;
  if (!snapshot_.invocations.empty()) {
    CopyRows staged;
    std::int64_t order = 0;
    for (const Invocation& invocation : snapshot_.invocations) {
      generated_at.emplace(invocation.invocation_id, invocation.generated_at);
      staged.Int(++order)
          .Text(invocation.invocation_id)
          .Int(service_id_)
          .Text(invocation.artifact)
          .Text(invocation.command)
          .Text(invocation.dbt_version)
          .Text(invocation.generated_at)
          .Double(invocation.elapsed_seconds)
          .EndRow();
    }
    db_.Exec(kStageInvocations);
    db_.Copy(kCopyStagedInvocations, staged.data());
    Rows inserted = db_.Query(kInsertStagedInvocations);
    for (int i = 0; i < inserted.size(); ++i) {
      added.insert(generated_at.find(inserted.Text(i, 0))->first);
    }
    report_.invocations_added = inserted.size();
  }
  std::vector<std::string_view> unknown;  // invocations neither in the snapshot nor stored
  CopyRows runs;
  for (const NodeRun& run : snapshot_.runs) {
    if (!added.contains(run.invocation_id)) {
      if (!generated_at.contains(run.invocation_id)) unknown.push_back(run.invocation_id);
      continue;  // stored by an earlier Apply
    }
    runs.Text(run.invocation_id)
        .Text(run.unique_id)
        .Text(generated_at.at(run.invocation_id))
        .Text(run.resource_type)
        .Text(run.status)
        .Double(run.execution_seconds)
        .Text(run.started_at)
        .Text(run.completed_at)
        .Text(run.message)
        .Int(run.failures)
        .Int(run.rows_affected)
        .Text(run.max_loaded_at)
        .Double(run.age_seconds)
        .EndRow();
    ++report_.runs_added;
    if (history_was_empty_) {
      NoteLatestRun(latest_runs_, run.unique_id, generated_at.at(run.invocation_id), run.status);
    }
  }
  if (!unknown.empty()) {
    Rows stored = db_.Query(kStoredInvocations, Params().Add(ArrayLiteral(unknown)));
    std::unordered_set<std::string> known;
    for (int i = 0; i < stored.size(); ++i) known.insert(stored.String(i, 0));
    for (const NodeRun& run : snapshot_.runs) {
      if (generated_at.contains(run.invocation_id) || known.contains(run.invocation_id)) continue;
      throw Error(ErrorCode::kInconsistent,
                  fmt::format("the run of {} belongs to invocation {}, which the snapshot of "
                              "service {} does not contain",
                              run.unique_id, run.invocation_id, snapshot_.service));
    }
  }
  if (!runs.empty()) db_.Copy(kCopyRuns, runs.data());
}

void SnapshotWriter::RefreshSearch() {
  if (!dirty_table_fqns_.empty()) {
    std::vector<std::string_view> fqns(dirty_table_fqns_.begin(), dirty_table_fqns_.end());
    Rows rows = db_.Query(kTableIdsByFqn, Params().Add(ArrayLiteral(fqns)));
    for (int i = 0; i < rows.size(); ++i) dirty_tables_.insert(rows.Int64(i, 0));
  }
  SearchIndex(db_).Refresh(SearchChanges{
      .service_id = service_id_,
      .table_ids = Sorted(dirty_tables_),
      .node_ids = Sorted(dirty_nodes_),
      // Set at once for a catalog without history; the
      // documents of a new catalog start at none.
      .new_results = !history_was_empty_ && (report_.runs_added > 0 || catalog_was_empty_)});
}

}  // namespace cairn::catalog::postgres
