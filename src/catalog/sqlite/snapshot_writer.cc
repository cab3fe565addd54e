#include "catalog/sqlite/snapshot_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>
#include <vector>

#include "catalog/content_hash.h"
#include "catalog/fqn_key.h"
#include "catalog/json_text.h"
#include "catalog/snapshot_sets.h"
#include "catalog/sqlite/table_rows.h"
#include "catalog/table_layers.h"
#include "core/error.h"
#include "core/timestamp.h"

namespace cairn::catalog::sqlite {
namespace {

// A service is of its warehouse's type: dbt documenting it does not change
// that, whichever was ingested first.
constexpr const char* kUpsertService = R"sql(
INSERT INTO services(name, service_type) VALUES (?1, ?2)
ON CONFLICT(name) DO UPDATE SET service_type = excluded.service_type
WHERE excluded.service_type NOT IN ('', 'dbt', services.service_type)
   OR services.service_type = ''
)sql";
constexpr const char* kServiceId = "SELECT id, name FROM services WHERE name = ?1";
constexpr const char* kHistoryHoldsRuns = "SELECT EXISTS (SELECT 1 FROM node_runs)";
constexpr const char* kCatalogHoldsEntities =
    "SELECT EXISTS (SELECT 1 FROM tables) OR EXISTS (SELECT 1 FROM dbt_nodes)";

constexpr const char* kStoredTables =
    "SELECT id, content_hash, fqn, origin, database_name, schema_name, deleted_at <> '' "
    "FROM tables WHERE service_id = ?1";
constexpr const char* kInsertTable = R"sql(
INSERT INTO tables(service_id, origin, content_hash, fqn, database_name, schema_name, name,
                   table_type, description, tags, owners, stats, definition)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
)sql";
constexpr const char* kUpdateTable = R"sql(
UPDATE tables SET origin = ?2, content_hash = ?3, fqn = ?4, database_name = ?5, schema_name = ?6,
                  name = ?7, table_type = ?8, description = ?9, tags = ?10, owners = ?11,
                  stats = ?12, definition = ?13, deleted_at = ?14
WHERE id = ?1
)sql";
constexpr const char* kDeleteColumns = "DELETE FROM columns WHERE table_id = ?1";
constexpr const char* kDeleteTable = "DELETE FROM tables WHERE id = ?1";
constexpr const char* kMarkTableDeleted =
    "UPDATE tables SET deleted_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?1";
constexpr const char* kInsertColumn = R"sql(
INSERT INTO columns(table_id, position, name, ordinal, data_type, description, tags, meta,
                    constraints_json)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
)sql";
constexpr const char* kTableIdByFqn = "SELECT id FROM tables WHERE fqn = ?1";

constexpr const char* kStoredNodes =
    "SELECT id, content_hash, fqn, origin, unique_id FROM dbt_nodes WHERE service_id = ?1";
// ?1 is the service id on insert and the row id on update; the rest match.
constexpr const char* kInsertNode = R"sql(
INSERT INTO dbt_nodes(service_id, origin, content_hash, unique_id, fqn, table_fqn, resource_type,
  name, package_name, original_file_path, description, tags, owners, meta, materialized, language,
  access, group_name, version, latest_version, contract_enforced, constraints_json, depends_on,
  test_name, test_column, test_kwargs, severity, source_name, loader, freshness, label,
  exposure_type, url, maturity)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,
        ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34)
)sql";
constexpr const char* kUpdateNode = R"sql(
UPDATE dbt_nodes SET origin = ?2, content_hash = ?3, unique_id = ?4, fqn = ?5, table_fqn = ?6,
  resource_type = ?7, name = ?8, package_name = ?9, original_file_path = ?10, description = ?11,
  tags = ?12, owners = ?13, meta = ?14, materialized = ?15, language = ?16, access = ?17,
  group_name = ?18, version = ?19, latest_version = ?20, contract_enforced = ?21,
  constraints_json = ?22, depends_on = ?23, test_name = ?24, test_column = ?25, test_kwargs = ?26,
  severity = ?27, source_name = ?28, loader = ?29, freshness = ?30, label = ?31,
  exposure_type = ?32, url = ?33, maturity = ?34
WHERE id = ?1
)sql";
constexpr const char* kUpsertNodeCode = R"sql(
INSERT INTO dbt_node_code(node_id, raw_code, compiled_code) VALUES (?1, ?2, ?3)
ON CONFLICT(node_id) DO UPDATE SET raw_code = excluded.raw_code,
                                   compiled_code = excluded.compiled_code
)sql";
// A new node has no code row yet: a plain insert skips the conflict probe.
constexpr const char* kInsertNodeCode =
    "INSERT INTO dbt_node_code(node_id, raw_code, compiled_code) VALUES (?1, ?2, ?3)";
constexpr const char* kDeleteNodeCode = "DELETE FROM dbt_node_code WHERE node_id = ?1";
constexpr const char* kDeleteNode = "DELETE FROM dbt_nodes WHERE id = ?1";

constexpr const char* kLineageHash =
    "SELECT lineage_hash FROM snapshot_state WHERE service_id = ?1 AND origin = ?2";
constexpr const char* kDocsHash =
    "SELECT docs_hash FROM snapshot_state WHERE service_id = ?1 AND origin = ?2";
constexpr const char* kSaveSetHashes = R"sql(
INSERT INTO snapshot_state(service_id, origin, lineage_hash, docs_hash, artifact_fingerprint)
VALUES (?1, ?2, ?3, ?4, ?5)
ON CONFLICT(service_id, origin)
DO UPDATE SET lineage_hash = excluded.lineage_hash, docs_hash = excluded.docs_hash,
              artifact_fingerprint = excluded.artifact_fingerprint
)sql";
// This Apply may have taken over rows the service's other origins wrote.
constexpr const char* kForgetOtherFingerprints = R"sql(
UPDATE snapshot_state SET artifact_fingerprint = ''
WHERE service_id = ?1 AND origin <> ?2 AND artifact_fingerprint <> ''
)sql";
constexpr const char* kDeleteLineage =
    "DELETE FROM lineage_edges WHERE service_id = ?1 AND origin = ?2";
constexpr const char* kInsertLineage = R"sql(
INSERT INTO lineage_edges(service_id, origin, upstream_fqn, downstream_fqn, upstream_column,
                          downstream_column)
VALUES (?1, ?2, ?3, ?4, ?5, ?6)
)sql";
constexpr const char* kCountLineage =
    "SELECT count(*) FROM lineage_edges WHERE service_id = ?1 AND origin = ?2";
constexpr const char* kDeleteDocBlocks =
    "DELETE FROM doc_blocks WHERE service_id = ?1 AND origin = ?2";
constexpr const char* kInsertDocBlock = R"sql(
INSERT INTO doc_blocks(service_id, origin, unique_id, name, package_name, block_contents)
VALUES (?1, ?2, ?3, ?4, ?5, ?6)
)sql";

constexpr const char* kInsertInvocation = R"sql(
INSERT INTO invocations(invocation_id, service_id, artifact, command, dbt_version, generated_at,
                        elapsed_seconds)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
ON CONFLICT(invocation_id) DO NOTHING
)sql";
constexpr const char* kInvocationStored = "SELECT 1 FROM invocations WHERE invocation_id = ?1";
constexpr const char* kInsertRun = R"sql(
INSERT INTO node_runs(invocation_id, unique_id, generated_at, resource_type, status,
                      execution_seconds, started_at, completed_at, message, failures,
                      rows_affected, max_loaded_at, age_seconds)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
)sql";

std::string_view View(const std::string& text) {
  return text;
}

}  // namespace

SnapshotWriter::SnapshotWriter(Connection& db, const ServiceSnapshot& snapshot,
                               StagedSnapshot* staged)
    : db_(db), snapshot_(snapshot), staged_(staged), search_(db) {}

void SnapshotWriter::Await(SnapshotPart part) {
  if (staged_ != nullptr) staged_->Await(part);
}

ApplyReport SnapshotWriter::Write() {
  if (snapshot_.service.empty()) {
    throw Error(ErrorCode::kInvalidArgument, "a snapshot to apply names no service");
  }
  {
    StatementScope query(db_.Prepare(kCatalogHoldsEntities));
    catalog_was_empty_ = query->Next() && query->Int64(0) == 0;
  }
  if (catalog_was_empty_) {
    StatementScope query(db_.Prepare(kHistoryHoldsRuns));
    history_was_empty_ = query->Next() && query->Int64(0) == 0;
  }
  // In the order a staged snapshot is completed: lineage before the nodes
  // fills the time their mapping takes.
  Await(SnapshotPart::kTables);
  UpsertService();
  WriteTables();
  WriteLineage();
  Await(SnapshotPart::kNodes);
  WriteNodes();
  WriteDocBlocks();
  // The documents of a new catalog need nothing from the history: they are
  // written while a staged snapshot's run results are still being read.
  if (catalog_was_empty_) {
    search_.IndexNewCatalog(snapshot_, service_name_, table_row_ids_, node_row_ids_);
  }
  Await(SnapshotPart::kAll);
  db_.Prepare(kSaveSetHashes)
      .Bind(1, service_id_)
      .Bind(2, View(snapshot_.origin))
      .Bind(3, lineage_hash_)
      .Bind(4, docs_hash_)
      .Bind(5, View(snapshot_.artifact_fingerprint))
      .Exec();
  db_.Prepare(kForgetOtherFingerprints).Bind(1, service_id_).Bind(2, View(snapshot_.origin)).Exec();
  WriteHistory();
  if (history_was_empty_) {
    // The statuses Refresh would compute in SQL from the stored runs.
    search_.SetNewCatalogTestStatus(snapshot_, table_row_ids_, node_row_ids_, latest_runs_);
  }
  // What is left reads only the stored rows: the reader's thread frees
  // the snapshot (0.2 s at 10k models) while the test statuses are
  // computed and the transaction commits.
  if (staged_ != nullptr) staged_->Release();
  RefreshSearch();
  return report_;
}

void SnapshotWriter::UpsertService() {
  db_.Prepare(kUpsertService)
      .Bind(1, View(snapshot_.service))
      .Bind(2, View(snapshot_.service_type))
      .Exec();
  StatementScope query(db_.Prepare(kServiceId));
  query->Bind(1, View(snapshot_.service));
  if (!query->Next()) throw Error(ErrorCode::kInternal, "service row vanished");
  service_id_ = query->Int64(0);
  service_name_ = query->String(1);
}

void SnapshotWriter::WriteTables() {
  std::unordered_map<std::string, StoredTableRow> stored;
  stored.reserve(snapshot_.tables.size());
  {
    StatementScope query(db_.Prepare(kStoredTables));
    query->Bind(1, service_id_);
    while (query->Next()) {
      had_entities_ = true;
      stored.emplace(FqnKey(query->Text(2)), StoredTableRow{.id = query->Int64(0),
                                                            .hash = query->Int64(1),
                                                            .fqn = query->String(2),
                                                            .origin = query->String(3),
                                                            .database = query->String(4),
                                                            .schema = query->String(5),
                                                            .deleted = query->Int64(6) != 0});
    }
  }
  StoredLayers layers;
  if (std::any_of(stored.begin(), stored.end(),
                  [](const auto& entry) { return entry.second.origin == kSharedOrigin; })) {
    layers = ReadLayerHashes(db_, service_id_);
  }
  table_ids_.reserve(snapshot_.tables.size());
  table_row_ids_.reserve(snapshot_.tables.size());
  TableReconciler(snapshot_, *this, report_.tables).Apply(stored, std::move(layers));
}

void SnapshotWriter::InsertTable(std::size_t /*index*/, const Table& table, std::int64_t hash) {
  BindTable(db_.Prepare(kInsertTable), service_id_, snapshot_.origin, table, hash).Exec();
  std::int64_t id = db_.LastInsertRowid();
  InsertColumns(id, table);
  dirty_tables_.insert(id);
  table_ids_.emplace(FqnKey(table.fqn), id);
  table_row_ids_.push_back(id);
}

void SnapshotWriter::MatchTable(std::size_t index, const StoredTableRow& row) {
  table_ids_.emplace(FqnKey(snapshot_.tables[index].fqn), row.id);
  table_row_ids_.push_back(row.id);
}

void SnapshotWriter::RewriteTable(const StoredTableRow& row, std::string_view origin,
                                  const Table& table, std::int64_t hash,
                                  std::string_view deleted_at) {
  BindTable(db_.Prepare(kUpdateTable), row.id, origin, table, hash).Bind(14, deleted_at).Exec();
  db_.Prepare(kDeleteColumns).Bind(1, row.id).Exec();
  InsertColumns(row.id, table);
  dirty_tables_.insert(row.id);
}

void SnapshotWriter::MarkTableDeleted(const StoredTableRow& row) {
  db_.Prepare(kMarkTableDeleted).Bind(1, row.id).Exec();
  dirty_tables_.insert(row.id);
}

void SnapshotWriter::RemoveTable(const StoredTableRow& row) {
  db_.Prepare(kDeleteColumns).Bind(1, row.id).Exec();
  db_.Prepare(kDeleteTable).Bind(1, row.id).Exec();
  dirty_tables_.insert(row.id);
}

std::optional<Table> SnapshotWriter::ReadTable(std::string_view fqn) {
  return ReadTableRow(db_, fqn);
}

std::vector<TableLayer> SnapshotWriter::ReadLayers(std::int64_t table_id) {
  return sqlite::ReadLayers(db_, table_id);
}

void SnapshotWriter::PutLayer(std::int64_t table_id, std::string_view origin, std::int64_t hash,
                              const Table& table) {
  sqlite::PutLayer(db_, table_id, origin, hash, table);
}

void SnapshotWriter::RemoveLayer(std::int64_t table_id, std::string_view origin) {
  sqlite::RemoveLayer(db_, table_id, origin);
}

void SnapshotWriter::RemoveLayers(std::int64_t table_id) {
  sqlite::RemoveLayers(db_, table_id);
}

Statement& SnapshotWriter::BindTable(Statement& write, std::int64_t first, std::string_view origin,
                                     const Table& table, std::int64_t hash) {
  return write.Bind(1, first)
      .Bind(2, origin)
      .Bind(3, hash)
      .Bind(4, View(table.fqn))
      .Bind(5, View(table.database))
      .Bind(6, View(table.schema))
      .Bind(7, View(table.name))
      .Bind(8, View(table.table_type))
      .Bind(9, View(table.description))
      .BindCopy(10, ToJsonArray(table.tags))
      .BindCopy(11, ToJsonArray(table.owners))
      .Bind(12, View(table.stats_json))
      .Bind(13, View(table.definition));
}

void SnapshotWriter::InsertColumns(std::int64_t table_id, const Table& table) {
  Statement& insert = db_.Prepare(kInsertColumn);
  std::int64_t position = 0;
  for (const Column& column : table.columns) {
    std::string tags = ToJsonArray(column.tags);
    insert.Bind(1, table_id)
        .Bind(2, ++position)
        .Bind(3, View(column.name))
        .Bind(4, column.ordinal)
        .Bind(5, View(column.data_type))
        .Bind(6, View(column.description))
        .Bind(7, View(tags))
        .Bind(8, View(column.meta_json))
        .Bind(9, View(column.constraints_json))
        .Exec();
  }
}

void SnapshotWriter::BindNode(Statement& statement, const DbtNode& node, std::int64_t hash) {
  statement.Bind(2, View(snapshot_.origin))
      .Bind(3, hash)
      .Bind(4, View(node.unique_id))
      .Bind(5, View(node.fqn))
      .Bind(6, View(node.table_fqn))
      .Bind(7, View(node.resource_type))
      .Bind(8, View(node.name))
      .Bind(9, View(node.package_name))
      .Bind(10, View(node.original_file_path))
      .Bind(11, View(node.description))
      .BindCopy(12, ToJsonArray(node.tags))
      .BindCopy(13, ToJsonArray(node.owners))
      .Bind(14, View(node.meta_json))
      .Bind(15, View(node.materialized))
      .Bind(16, View(node.language))
      .Bind(17, View(node.access))
      .Bind(18, View(node.group_name))
      .Bind(19, View(node.version))
      .Bind(20, View(node.latest_version))
      .Bind(21, node.contract_enforced ? 1 : 0)
      .Bind(22, View(node.constraints_json))
      .BindCopy(23, ToJsonArray(node.depends_on))
      .Bind(24, View(node.test_name))
      .Bind(25, View(node.test_column))
      .Bind(26, View(node.test_kwargs_json))
      .Bind(27, View(node.severity))
      .Bind(28, View(node.source_name))
      .Bind(29, View(node.loader))
      .Bind(30, View(node.freshness_json))
      .Bind(31, View(node.label))
      .Bind(32, View(node.exposure_type))
      .Bind(33, View(node.url))
      .Bind(34, View(node.maturity));
}

void SnapshotWriter::WriteNodes() {
  std::unordered_map<std::string, StoredRow> stored;  // by unique_id
  stored.reserve(snapshot_.nodes.size());
  {
    StatementScope query(db_.Prepare(kStoredNodes));
    query->Bind(1, service_id_);
    while (query->Next()) {
      had_entities_ = true;
      stored.emplace(query->String(4), StoredRow{.id = query->Int64(0),
                                                 .hash = query->Int64(1),
                                                 .fqn = query->String(2),
                                                 .origin = query->String(3)});
    }
  }
  std::unordered_set<std::string_view> written;
  written.reserve(snapshot_.nodes.size());
  node_row_ids_.reserve(snapshot_.nodes.size());
  for (const DbtNode& node : snapshot_.nodes) {
    if (!written.insert(node.unique_id).second) {
      throw Error(ErrorCode::kInconsistent,
                  fmt::format("the snapshot of service {} lists dbt node {} twice",
                              snapshot_.service, node.unique_id));
    }
    auto hash = static_cast<std::int64_t>(HashNode(node));
    auto found = stored.find(node.unique_id);
    if (found != stored.end() && found->second.hash == hash &&
        found->second.origin == snapshot_.origin) {
      found->second.seen = true;
      node_row_ids_.push_back(found->second.id);
      ++report_.nodes.unchanged;
      continue;
    }
    bool update = found != stored.end();
    Statement& write = db_.Prepare(update ? kUpdateNode : kInsertNode);
    write.Bind(1, update ? found->second.id : service_id_);
    BindNode(write, node, hash);
    write.Exec();
    std::int64_t id = 0;
    if (update) {
      id = found->second.id;
      found->second.seen = true;
      if (FqnKey(found->second.fqn) != FqnKey(node.fqn)) MarkTableOfNodeDirty(found->second.fqn);
      ++report_.nodes.updated;
    } else {
      id = db_.LastInsertRowid();
      ++report_.nodes.added;
    }
    db_.Prepare(update ? kUpsertNodeCode : kInsertNodeCode)
        .Bind(1, id)
        .Bind(2, View(node.raw_code))
        .Bind(3, View(node.compiled_code))
        .Exec();
    dirty_nodes_.insert(id);
    node_row_ids_.push_back(id);
    if (FqnKey(node.fqn) == FqnKey(node.table_fqn)) MarkTableOfNodeDirty(node.fqn);
  }
  for (const auto& [unique_id, row] : stored) {
    if (row.seen || row.origin != snapshot_.origin) continue;
    db_.Prepare(kDeleteNodeCode).Bind(1, row.id).Exec();
    db_.Prepare(kDeleteNode).Bind(1, row.id).Exec();
    dirty_nodes_.insert(row.id);
    MarkTableOfNodeDirty(row.fqn);
    ++report_.nodes.removed;
  }
}

std::optional<std::int64_t> SnapshotWriter::TableIdFor(const std::string& fqn) {
  if (auto it = table_ids_.find(FqnKey(fqn)); it != table_ids_.end()) return it->second;
  StatementScope query(db_.Prepare(kTableIdByFqn));
  query->Bind(1, View(fqn));
  if (query->Next()) return query->Int64(0);
  return std::nullopt;
}

void SnapshotWriter::MarkTableOfNodeDirty(const std::string& fqn) {
  if (auto id = TableIdFor(fqn)) dirty_tables_.insert(*id);
}

std::optional<std::int64_t> SnapshotWriter::StoredSetHash(const char* sql) {
  StatementScope query(db_.Prepare(sql));
  query->Bind(1, service_id_).Bind(2, View(snapshot_.origin));
  if (query->Next()) return query->Int64(0);
  return std::nullopt;
}

void SnapshotWriter::WriteLineage() {
  lineage_hash_ = HashLineageSet(snapshot_.lineage);
  if (StoredSetHash(kLineageHash) != lineage_hash_) {
    db_.Prepare(kDeleteLineage).Bind(1, service_id_).Bind(2, View(snapshot_.origin)).Exec();
    const std::vector<const LineageEdge*> distinct = DistinctLineageEdges(snapshot_.lineage);
    Statement& insert = db_.Prepare(kInsertLineage);
    for (const LineageEdge* edge : distinct) {
      insert.Bind(1, service_id_)
          .Bind(2, View(snapshot_.origin))
          .Bind(3, View(edge->upstream_fqn))
          .Bind(4, View(edge->downstream_fqn))
          .Bind(5, View(edge->upstream_column))
          .Bind(6, View(edge->downstream_column))
          .Exec();
    }
    report_.lineage_edges = static_cast<std::int64_t>(distinct.size());
    return;
  }
  StatementScope count(db_.Prepare(kCountLineage));
  count->Bind(1, service_id_).Bind(2, View(snapshot_.origin));
  if (count->Next()) report_.lineage_edges = count->Int64(0);
}

void SnapshotWriter::WriteDocBlocks() {
  docs_hash_ = HashDocSet(snapshot_.docs);
  if (StoredSetHash(kDocsHash) == docs_hash_) return;
  db_.Prepare(kDeleteDocBlocks).Bind(1, service_id_).Bind(2, View(snapshot_.origin)).Exec();
  Statement& insert = db_.Prepare(kInsertDocBlock);
  for (const DocBlock& doc : snapshot_.docs) {
    insert.Bind(1, service_id_)
        .Bind(2, View(snapshot_.origin))
        .Bind(3, View(doc.unique_id))
        .Bind(4, View(doc.name))
        .Bind(5, View(doc.package_name))
        .Bind(6, View(doc.block_contents))
        .Exec();
  }
}

void SnapshotWriter::WriteHistory() {
  // invocation_id -> generated_at, for the invocations this Apply adds.
  std::unordered_map<std::string_view, std::string_view> added;
  std::unordered_set<std::string_view> in_snapshot;
  Statement& insert_invocation = db_.Prepare(kInsertInvocation);
  for (const Invocation& invocation : snapshot_.invocations) {
    in_snapshot.insert(invocation.invocation_id);
    insert_invocation.Bind(1, View(invocation.invocation_id))
        .Bind(2, service_id_)
        .Bind(3, View(invocation.artifact))
        .Bind(4, View(invocation.command))
        .Bind(5, View(invocation.dbt_version))
        .Bind(6, View(invocation.generated_at))
        .Bind(7, invocation.elapsed_seconds)
        .Exec();
    if (db_.Changes() == 1) {
      added.emplace(invocation.invocation_id, invocation.generated_at);
      ++report_.invocations_added;
    }
  }
  Statement& insert_run = db_.Prepare(kInsertRun);
  for (const NodeRun& run : snapshot_.runs) {
    auto invocation = added.find(run.invocation_id);
    if (invocation == added.end()) {
      if (in_snapshot.contains(run.invocation_id)) continue;  // stored by an earlier Apply
      StatementScope stored(db_.Prepare(kInvocationStored));
      stored->Bind(1, View(run.invocation_id));
      if (stored->Next()) continue;
      throw Error(ErrorCode::kInconsistent,
                  fmt::format("the run of {} belongs to invocation {}, which the snapshot of "
                              "service {} does not contain",
                              run.unique_id, run.invocation_id, snapshot_.service));
    }
    insert_run.Bind(1, View(run.invocation_id))
        .Bind(2, View(run.unique_id))
        .Bind(3, invocation->second)
        .Bind(4, View(run.resource_type))
        .Bind(5, View(run.status))
        .Bind(6, run.execution_seconds)
        .Bind(7, View(run.started_at))
        .Bind(8, View(run.completed_at))
        .Bind(9, View(run.message))
        .Bind(10, run.failures)
        .Bind(11, run.rows_affected)
        .Bind(12, View(run.max_loaded_at))
        .Bind(13, run.age_seconds)
        .Exec();
    ++report_.runs_added;
    if (history_was_empty_) NoteLatest(run.unique_id, invocation->second, run.status);
  }
}

void SnapshotWriter::NoteLatest(std::string_view unique_id, std::string_view generated_at,
                                std::string_view status) {
  NoteLatestRun(latest_runs_, unique_id, generated_at, status);
}

void SnapshotWriter::RefreshSearch() {
  SearchChanges changes{
      .service_id = service_id_,
      .table_ids = {dirty_tables_.begin(), dirty_tables_.end()},
      .node_ids = {dirty_nodes_.begin(), dirty_nodes_.end()},
      .had_documents = had_entities_,
      // Set above for a catalog without history; the
      // documents of a new catalog start at none.
      .new_results = !history_was_empty_ && (report_.runs_added > 0 || catalog_was_empty_)};
  if (catalog_was_empty_) {
    // Every document was new and came from this snapshot alone (Write built
    // them instead of Refresh from the stored rows with SQL
    // json_each/group_concat). What is left is their test status, unless
    // Write set it already.
    changes.table_ids.clear();
    changes.node_ids.clear();
  } else {
    std::sort(changes.table_ids.begin(), changes.table_ids.end());
    std::sort(changes.node_ids.begin(), changes.node_ids.end());
  }
  search_.Refresh(changes);
}

}  // namespace cairn::catalog::sqlite
