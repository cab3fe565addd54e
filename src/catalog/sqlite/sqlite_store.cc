#include "catalog/sqlite/sqlite_store.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <unordered_set>

#include "catalog/commit_counter.h"
#include "catalog/entity_detail.h"
#include "catalog/entity_edits.h"
#include "catalog/fqn_key.h"
#include "catalog/json_text.h"
#include "catalog/sqlite/migrations.h"
#include "catalog/sqlite/search_index.h"
#include "catalog/sqlite/snapshot_writer.h"
#include "catalog/sqlite/table_rows.h"
#include "catalog/staged_snapshot.h"
#include "core/error.h"

namespace cairn::catalog::sqlite {
namespace {

// How long a writer waits for another's write lock before failing.
constexpr int kBusyTimeoutMs = 300'000;

// Page cache for reads, and a much larger one while Apply writes a project
// through the WAL (a page spilled there is appended again when it changes
// again). Through a new file's rollback journal a spilled page is written
// in its place, once: the read size serves that Apply as fast (10k-model
// ingest: same CPU time) and lowers the ingest's peak RSS, reached while
// it runs (482 -> 451 MB).
constexpr const char* kReadCacheSize = "PRAGMA cache_size = -16384";
constexpr const char* kBulkCacheSize = "PRAGMA cache_size = -65536";

#define CAIRN_SELECT_NODE                                                                       \
  "SELECT n.fqn, n.table_fqn, n.unique_id, n.resource_type, n.name, n.package_name,"            \
  " n.original_file_path, n.description, n.tags, n.owners, n.meta, n.materialized, n.language," \
  " c.raw_code, c.compiled_code, n.access, n.group_name, n.version, n.latest_version,"          \
  " n.contract_enforced, n.constraints_json, n.depends_on, n.test_name, n.test_column,"         \
  " n.test_kwargs, n.severity, n.source_name, n.loader, n.freshness, n.label, n.exposure_type," \
  " n.url, n.maturity, s.name FROM dbt_nodes n JOIN services s ON s.id = n.service_id"          \
  " LEFT JOIN dbt_node_code c ON c.node_id = n.id "

constexpr const char* kSelectBuilderNode =
    CAIRN_SELECT_NODE "WHERE n.fqn = ?1 AND n.table_fqn = n.fqn ORDER BY n.id LIMIT 1";
constexpr const char* kSelectNodeByFqn = CAIRN_SELECT_NODE "WHERE n.fqn = ?1 ORDER BY n.id LIMIT 1";
constexpr const char* kSelectNodeByUniqueId =
    CAIRN_SELECT_NODE "WHERE n.unique_id = ?1 ORDER BY s.name, n.id LIMIT 1";

#undef CAIRN_SELECT_NODE

constexpr const char* kSelectTests = R"sql(
SELECT unique_id, fqn, name, test_name, test_column FROM dbt_nodes
WHERE table_fqn = ?1 AND resource_type IN ('test', 'unit_test') ORDER BY name, unique_id
)sql";

constexpr const char* kSelectRuns = R"sql(
SELECT invocation_id, unique_id, resource_type, status, execution_seconds, started_at,
       completed_at, message, failures, rows_affected, max_loaded_at, age_seconds
FROM node_runs WHERE unique_id = ?1 ORDER BY generated_at DESC, id DESC LIMIT ?2
)sql";

// One hop of the walk for a whole frontier (a JSON array of fqns), in the
// order the frontier lists them and then by edge id.
constexpr const char* kUpstreamEdges = R"sql(
SELECT e.id, e.upstream_fqn, e.downstream_fqn, e.upstream_column, e.downstream_column
FROM json_each(?1) f JOIN lineage_edges e ON e.downstream_fqn = f.value ORDER BY f.key, e.id
)sql";
constexpr const char* kDownstreamEdges = R"sql(
SELECT e.id, e.upstream_fqn, e.downstream_fqn, e.upstream_column, e.downstream_column
FROM json_each(?1) f JOIN lineage_edges e ON e.upstream_fqn = f.value ORDER BY f.key, e.id
)sql";
// Names and resource types of lineage vertices (a JSON array of fqns, each
// answered with its position): tables first, with the type of the dbt node
// that builds them, then table-less dbt nodes.
constexpr const char* kDescribeTables = R"sql(
SELECT f.key, t.name,
       coalesce((SELECT resource_type FROM dbt_nodes n WHERE n.fqn = t.fqn AND n.table_fqn = n.fqn
                 ORDER BY n.id LIMIT 1), 'table')
FROM json_each(?1) f JOIN tables t ON t.fqn = f.value
)sql";
constexpr const char* kDescribeNodes = R"sql(
SELECT f.key, n.name, n.resource_type
FROM json_each(?1) f
JOIN dbt_nodes n ON n.id = (SELECT b.id FROM dbt_nodes b WHERE b.fqn = f.value ORDER BY b.id LIMIT 1)
)sql";
// The root as Get finds it: a table, a dbt node by fqn, or by unique_id.
constexpr const char* kRootFqn = R"sql(
SELECT coalesce((SELECT fqn FROM tables WHERE fqn = ?1),
                (SELECT fqn FROM dbt_nodes WHERE fqn = ?1 ORDER BY id LIMIT 1),
                (SELECT n.fqn FROM dbt_nodes n JOIN services s ON s.id = n.service_id
                 WHERE n.unique_id = ?1 ORDER BY s.name, n.id LIMIT 1))
)sql";

constexpr const char* kCounts = R"sql(
SELECT (SELECT count(*) FROM services), (SELECT count(*) FROM tables),
       (SELECT count(*) FROM columns), (SELECT count(*) FROM dbt_nodes),
       (SELECT count(*) FROM lineage_edges), (SELECT count(*) FROM invocations),
       (SELECT count(*) FROM node_runs)
)sql";

// One statement, so the counts are of the same state as the fingerprint.
constexpr const char* kFindUnchanged = R"sql(
SELECT s.name,
       (SELECT count(*) FROM tables t WHERE t.service_id = st.service_id
        AND (t.origin = st.origin OR EXISTS (SELECT 1 FROM table_layers l
                                             WHERE l.table_id = t.id AND l.origin = st.origin))),
       (SELECT count(*) FROM dbt_nodes n
        WHERE n.service_id = st.service_id AND n.origin = st.origin),
       (SELECT count(*) FROM lineage_edges e
        WHERE e.service_id = st.service_id AND e.origin = st.origin)
FROM snapshot_state st JOIN services s ON s.id = st.service_id
WHERE st.artifact_fingerprint = ?1
ORDER BY s.name, st.origin LIMIT 1
)sql";

constexpr const char* kHoldsFingerprints =
    "SELECT EXISTS (SELECT 1 FROM snapshot_state WHERE artifact_fingerprint <> '')";

constexpr const char* kSelectInvocations = R"sql(
SELECT i.invocation_id, i.artifact, i.command, i.dbt_version, i.generated_at, i.elapsed_seconds,
       s.name, (SELECT count(*) FROM node_runs r WHERE r.invocation_id = i.invocation_id)
FROM invocations i JOIN services s ON s.id = i.service_id
ORDER BY i.generated_at DESC, i.id DESC LIMIT ?1 OFFSET ?2
)sql";
constexpr const char* kSelectInvocationRuns = R"sql(
SELECT invocation_id, unique_id, resource_type, status, execution_seconds, started_at,
       completed_at, message, failures, rows_affected, max_loaded_at, age_seconds
FROM node_runs WHERE invocation_id = ?1 ORDER BY id
)sql";

// An entity's own edits and its columns' ("fqn.column"): the range covers
// exactly the keys that start with "fqn." ('/' follows '.').
constexpr const char* kSelectEdits = R"sql(
SELECT target_fqn, field, value, edited_by, edited_at FROM edits
WHERE target_fqn = ?1 OR (target_fqn >= ?1 || '.' AND target_fqn < ?1 || '/')
ORDER BY target_fqn, field
)sql";
constexpr const char* kUpsertEdit = R"sql(
INSERT INTO edits(target_fqn, field, value, edited_by) VALUES (?1, ?2, ?3, ?4)
ON CONFLICT(target_fqn, field) DO UPDATE SET
  value = excluded.value, edited_by = excluded.edited_by,
  edited_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
)sql";
constexpr const char* kDeleteEdit = "DELETE FROM edits WHERE target_fqn = ?1 AND field = ?2";

NodeRun RunFromRow(const Statement& row) {
  return NodeRun{.invocation_id = row.String(0),
                 .unique_id = row.String(1),
                 .resource_type = row.String(2),
                 .status = row.String(3),
                 .execution_seconds = row.Double(4),
                 .started_at = row.String(5),
                 .completed_at = row.String(6),
                 .message = row.String(7),
                 .failures = row.OptionalInt64(8),
                 .rows_affected = row.OptionalInt64(9),
                 .max_loaded_at = row.String(10),
                 .age_seconds = row.OptionalDouble(11)};
}

DbtNode NodeFromRow(const Statement& row) {
  DbtNode node;
  int i = 0;
  for (std::string* text :
       {&node.fqn, &node.table_fqn, &node.unique_id, &node.resource_type, &node.name,
        &node.package_name, &node.original_file_path, &node.description}) {
    *text = row.String(i++);
  }
  node.tags = ParseJsonArray(row.Text(i++));
  node.owners = ParseJsonArray(row.Text(i++));
  for (std::string* text :
       {&node.meta_json, &node.materialized, &node.language, &node.raw_code, &node.compiled_code,
        &node.access, &node.group_name, &node.version, &node.latest_version}) {
    *text = row.String(i++);
  }
  node.contract_enforced = row.Int64(i++) != 0;
  node.constraints_json = row.String(i++);
  node.depends_on = ParseJsonArray(row.Text(i++));
  for (std::string* text : {&node.test_name, &node.test_column, &node.test_kwargs_json,
                            &node.severity, &node.source_name, &node.loader, &node.freshness_json,
                            &node.label, &node.exposure_type, &node.url, &node.maturity}) {
    *text = row.String(i++);
  }
  return node;
}

// The bulk page cache for one Apply (when `bulk`): the read-sized one is
// restored when Apply ends, however it ends.
class BulkCache {
 public:
  BulkCache(Connection& db, bool bulk) : db_(db), bulk_(bulk) {
    if (bulk_) db_.Exec(kBulkCacheSize);
  }
  ~BulkCache() {
    if (!bulk_) return;
    try {
      db_.Exec(kReadCacheSize);
    } catch (...) {  // only a cache size; never worth masking the outcome
    }
  }
  BulkCache(const BulkCache&) = delete;
  BulkCache& operator=(const BulkCache&) = delete;

 private:
  Connection& db_;
  bool bulk_;
};

}  // namespace

SqliteStore::SqliteStore(const std::string& path, const StoreOptions& options)
    : db_(std::make_unique<Connection>(path)) {
  // Writers queue behind one another: an Apply of a large project holds the
  // write lock for seconds, and whoever comes next should wait, not fail.
  sqlite3_busy_timeout(db_->handle(), kBusyTimeoutMs);
  // A new file's first Apply writes every page once into the file through a
  // rollback journal (which holds next to nothing: the file was empty)
  // instead of into the WAL and then again into the file at the
  // checkpoint (10k-model ingest: 0.2-0.3 s less). A failed Apply still
  // leaves the file byte for byte as it was. Everyone else gets WAL at once.
  rollback_journal_ = options.first_load && db_->QueryInt("PRAGMA page_count") == 0;
  // Larger pages pack dbt nodes (a kilobyte or more of SQL each) with less
  // waste; the size only takes effect on a new, empty file.
  db_->Exec("PRAGMA page_size = 8192");
  db_->Exec(rollback_journal_ ? "PRAGMA journal_mode = DELETE" : "PRAGMA journal_mode = WAL");
  db_->Exec("PRAGMA synchronous = NORMAL");
  db_->Exec("PRAGMA foreign_keys = ON");
  db_->Exec("PRAGMA temp_store = MEMORY");
  db_->Exec(kReadCacheSize);
  Migrate(*db_);
}

ApplyReport SqliteStore::Apply(const ServiceSnapshot& snapshot) {
  return Write(snapshot, nullptr);
}

ApplyReport SqliteStore::ApplyStaged(StagedSnapshot& staged) {
  // Nothing is opened before the first part is there: a source that fails
  // early (bad input) leaves not even a transaction behind.
  return Write(staged.Await(SnapshotPart::kTables), &staged);
}

ApplyReport SqliteStore::Write(const ServiceSnapshot& snapshot, StagedSnapshot* staged) {
  const std::string service = snapshot.service;  // a staged snapshot is freed before the end
  BulkCache cache(*db_, !rollback_journal_);
  db_->Exec("BEGIN IMMEDIATE");
  try {
    ApplyReport report = SnapshotWriter(*db_, snapshot, staged).Write();
    if (fail_next_apply_) {
      fail_next_apply_ = false;
      throw Error(ErrorCode::kStorage, "failure injected before commit (test hook)");
    }
    db_->Exec("COMMIT");
    if (rollback_journal_) SwitchToWal();
    NoteCommit();
    return report;
  } catch (const Error&) {
    db_->RollbackQuietly();
    throw;
  } catch (const std::exception& e) {
    db_->RollbackQuietly();
    throw Error(ErrorCode::kStorage,
                fmt::format("applying the snapshot of service {}: {}", service, e.what()));
  }
}

void SqliteStore::SwitchToWal() noexcept {
  try {
    db_->Exec("PRAGMA journal_mode = WAL");
    rollback_journal_ = false;
  } catch (const Error&) {  // the Apply has committed; WAL can wait for the next one
  }
}

SearchPage SqliteStore::Search(const SearchQuery& query) {
  return SearchIndex(*db_).Search(query);
}

std::optional<DbtNode> SqliteStore::ReadNode(const char* sql, std::string_view key,
                                             std::string& service) {
  StatementScope row(db_->Prepare(sql));
  row->Bind(1, key);
  if (!row->Next()) return std::nullopt;
  service = row->String(33);
  return NodeFromRow(*row);
}

std::optional<EntityDetail> SqliteStore::Get(std::string_view fqn_or_unique_id) {
  return ReadEntityDetail(*this, fqn_or_unique_id);
}

std::optional<Table> SqliteStore::TableRow(std::string_view fqn, std::string& service) {
  return ReadTableRow(*db_, fqn, &service);
}

std::optional<DbtNode> SqliteStore::BuilderNode(std::string_view fqn) {
  std::string service;
  return ReadNode(kSelectBuilderNode, fqn, service);
}

std::optional<DbtNode> SqliteStore::NodeByFqn(std::string_view fqn, std::string& service) {
  return ReadNode(kSelectNodeByFqn, fqn, service);
}

std::optional<DbtNode> SqliteStore::NodeByUniqueId(std::string_view unique_id,
                                                   std::string& service) {
  return ReadNode(kSelectNodeByUniqueId, unique_id, service);
}

std::vector<TestSummary> SqliteStore::TestsOn(std::string_view fqn) {
  std::vector<TestSummary> tests;
  StatementScope rows(db_->Prepare(kSelectTests));
  rows->Bind(1, fqn);
  while (rows->Next()) {
    tests.push_back(TestSummary{.unique_id = rows->String(0),
                                .fqn = rows->String(1),
                                .name = rows->String(2),
                                .test_name = rows->String(3),
                                .column = rows->String(4)});
  }
  return tests;
}

std::vector<Edit> SqliteStore::EditsOf(std::string_view fqn) {
  return ReadEdits(fqn);
}

std::vector<NodeRun> SqliteStore::Runs(std::string_view unique_id, int limit) {
  return RunHistory(unique_id, limit);
}

std::vector<Edit> SqliteStore::ReadEdits(std::string_view target_fqn) {
  std::vector<Edit> edits;
  StatementScope rows(db_->Prepare(kSelectEdits));
  rows->Bind(1, target_fqn);
  while (rows->Next()) {
    edits.push_back(Edit{.target_fqn = rows->String(0),
                         .field = rows->String(1),
                         .value_json = rows->String(2),
                         .edited_by = rows->String(3),
                         .edited_at = rows->String(4)});
  }
  return edits;
}

void SqliteStore::SaveEdits(const std::vector<Edit>& edits) {
  for (const Edit& edit : edits) ValidateEdit(edit);
  db_->Exec("BEGIN IMMEDIATE");
  try {
    for (const Edit& edit : edits) {
      if (edit.value_json.empty()) {
        db_->Prepare(kDeleteEdit)
            .Bind(1, std::string_view(edit.target_fqn))
            .Bind(2, std::string_view(edit.field))
            .Exec();
      } else {
        db_->Prepare(kUpsertEdit)
            .Bind(1, std::string_view(edit.target_fqn))
            .Bind(2, std::string_view(edit.field))
            .Bind(3, std::string_view(edit.value_json))
            .Bind(4, std::string_view(edit.edited_by))
            .Exec();
      }
    }
    db_->Exec("COMMIT");
    NoteCommit();
  } catch (...) {
    db_->RollbackQuietly();
    throw;
  }
}

std::vector<InvocationSummary> SqliteStore::Invocations(int limit, int offset) {
  std::vector<InvocationSummary> invocations;
  StatementScope rows(db_->Prepare(kSelectInvocations));
  rows->Bind(1, limit).Bind(2, offset);
  while (rows->Next()) {
    invocations.push_back(InvocationSummary{.invocation = {.invocation_id = rows->String(0),
                                                           .artifact = rows->String(1),
                                                           .command = rows->String(2),
                                                           .dbt_version = rows->String(3),
                                                           .generated_at = rows->String(4),
                                                           .elapsed_seconds = rows->Double(5)},
                                            .service = rows->String(6),
                                            .results = rows->Int64(7)});
  }
  return invocations;
}

std::vector<NodeRun> SqliteStore::InvocationRuns(std::string_view invocation_id) {
  std::vector<NodeRun> runs;
  StatementScope rows(db_->Prepare(kSelectInvocationRuns));
  rows->Bind(1, invocation_id);
  while (rows->Next()) runs.push_back(RunFromRow(*rows));
  return runs;
}

std::int64_t SqliteStore::ChangeCounter() {
  // data_version moves when another connection commits; this connection's
  // own commits move total_changes.
  StatementScope row(db_->Prepare("PRAGMA data_version"));
  std::int64_t data_version = row->Next() ? row->Int64(0) : 0;
  return data_version * (std::int64_t{1} << 32) +
         static_cast<std::int64_t>(sqlite3_total_changes64(db_->handle()));
}

void SqliteStore::Describe(std::vector<LineageNode>& nodes) {
  std::vector<bool> described(nodes.size(), false);
  auto describe = [&](const char* sql, const std::string& fqns) {
    StatementScope rows(db_->Prepare(sql));
    rows->Bind(1, std::string_view(fqns));
    while (rows->Next()) {
      auto at = static_cast<std::size_t>(rows->Int64(0));
      if (at >= nodes.size() || described[at]) continue;
      nodes[at].name = rows->String(1);
      nodes[at].resource_type = rows->String(2);
      described[at] = true;
    }
  };
  nlohmann::json fqns = nlohmann::json::array();
  for (const LineageNode& node : nodes) fqns.push_back(node.fqn);
  describe(kDescribeTables, fqns.dump());
  // Table-less vertices keep their positions in the second list: the others are null.
  bool rest = false;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (described[i]) {
      fqns[i] = nullptr;
    } else {
      rest = true;
    }
  }
  if (rest) describe(kDescribeNodes, fqns.dump());
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (!described[i]) nodes[i].name = LastFqnPart(nodes[i].fqn);
  }
}

void SqliteStore::AttachTestStatuses(LineageGraph& graph) {
  std::vector<std::string> fqns;
  fqns.reserve(graph.nodes.size());
  for (const LineageNode& node : graph.nodes) fqns.push_back(node.fqn);
  std::vector<std::string> statuses = SearchIndex(*db_).TestStatuses(fqns);
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    graph.nodes[i].test_status = std::move(statuses[i]);
  }
}

LineageGraph SqliteStore::Lineage(const LineageQuery& query) {
  LineageGraph graph;
  graph.root = query.fqn;
  {
    StatementScope row(db_->Prepare(kRootFqn));
    row->Bind(1, std::string_view(query.fqn));
    if (row->Next() && !row->IsNull(0)) {
      graph.root = row->String(0);
      graph.found = true;
    }
  }
  std::unordered_map<std::string, std::size_t> index_of;  // FqnKey -> nodes index
  graph.nodes.emplace_back().fqn = graph.root;
  index_of.emplace(FqnKey(graph.root), 0);
  std::unordered_set<std::int64_t> edge_ids;

  // Breadth first, one statement per hop for the whole frontier.
  auto walk = [&](bool upstream) {
    nlohmann::json frontier = nlohmann::json::array({graph.root});
    for (int distance = 1; distance <= query.depth && !frontier.empty(); ++distance) {
      nlohmann::json next = nlohmann::json::array();
      std::string fqns = frontier.dump();
      StatementScope rows(db_->Prepare(upstream ? kUpstreamEdges : kDownstreamEdges));
      rows->Bind(1, std::string_view(fqns));
      while (rows->Next()) {
        LineageEdge edge{.upstream_fqn = rows->String(1),
                         .downstream_fqn = rows->String(2),
                         .upstream_column = rows->String(3),
                         .downstream_column = rows->String(4)};
        const std::string& other = upstream ? edge.upstream_fqn : edge.downstream_fqn;
        if (index_of.emplace(FqnKey(other), graph.nodes.size()).second) {
          LineageNode& node = graph.nodes.emplace_back();
          node.fqn = other;
          node.distance = upstream ? -distance : distance;
          next.push_back(other);
        }
        if (edge_ids.insert(rows->Int64(0)).second) graph.edges.push_back(std::move(edge));
      }
      frontier = std::move(next);
    }
  };
  if (query.direction != LineageDirection::kDownstream) walk(true);
  if (query.direction != LineageDirection::kUpstream) walk(false);
  Describe(graph.nodes);
  AttachTestStatuses(graph);
  return graph;
}

std::vector<NodeRun> SqliteStore::RunHistory(std::string_view unique_id, int limit) {
  std::vector<NodeRun> runs;
  StatementScope rows(db_->Prepare(kSelectRuns));
  rows->Bind(1, unique_id).Bind(2, limit);
  while (rows->Next()) runs.push_back(RunFromRow(*rows));
  return runs;
}

std::optional<UnchangedService> SqliteStore::FindUnchanged(std::string_view artifact_fingerprint) {
  if (artifact_fingerprint.empty()) return std::nullopt;
  StatementScope row(db_->Prepare(kFindUnchanged));
  row->Bind(1, artifact_fingerprint);
  if (!row->Next()) return std::nullopt;
  UnchangedService found{.service = row->String(0)};
  found.stored.tables.unchanged = row->Int64(1);
  found.stored.nodes.unchanged = row->Int64(2);
  found.stored.lineage_edges = row->Int64(3);
  return found;
}

bool SqliteStore::HoldsArtifactFingerprints() {
  StatementScope row(db_->Prepare(kHoldsFingerprints));
  return row->Next() && row->Int64(0) != 0;
}

CatalogCounts SqliteStore::Counts() {
  StatementScope row(db_->Prepare(kCounts));
  if (!row->Next()) return {};
  return CatalogCounts{.services = row->Int64(0),
                       .tables = row->Int64(1),
                       .columns = row->Int64(2),
                       .nodes = row->Int64(3),
                       .lineage_edges = row->Int64(4),
                       .invocations = row->Int64(5),
                       .runs = row->Int64(6)};
}

int SqliteStore::SchemaVersion() {
  return static_cast<int>(db_->QueryInt("PRAGMA user_version"));
}

void SqliteStore::Checkpoint() {
  db_->Exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

}  // namespace cairn::catalog::sqlite
