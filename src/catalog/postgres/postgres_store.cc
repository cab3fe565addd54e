#include "catalog/postgres/postgres_store.h"

#include <fmt/format.h>

#include <unordered_map>
#include <unordered_set>

#include "catalog/commit_counter.h"
#include "catalog/entity_detail.h"
#include "catalog/entity_edits.h"
#include "catalog/fqn_key.h"
#include "catalog/json_text.h"
#include "catalog/postgres/bulk.h"
#include "catalog/postgres/migrations.h"
#include "catalog/postgres/search_index.h"
#include "catalog/postgres/snapshot_writer.h"
#include "catalog/postgres/table_rows.h"
#include "catalog/staged_snapshot.h"
#include "core/error.h"

namespace cairn::catalog::postgres {
namespace {

#define CAIRN_SELECT_NODE                                                                       \
  "SELECT n.fqn, n.table_fqn, n.unique_id, n.resource_type, n.name, n.package_name,"            \
  " n.original_file_path, n.description, n.tags, n.owners, n.meta, n.materialized, n.language," \
  " n.raw_code, n.compiled_code, n.access, n.group_name, n.version, n.latest_version,"          \
  " n.contract_enforced, n.constraints_json, n.depends_on, n.test_name, n.test_column,"         \
  " n.test_kwargs, n.severity, n.source_name, n.loader, n.freshness, n.label, n.exposure_type," \
  " n.url, n.maturity, s.name FROM dbt_nodes n JOIN services s ON s.id = n.service_id "

constexpr const char* kSelectBuilderNode = CAIRN_SELECT_NODE
    "WHERE n.fqn_key = cairn_fold($1) AND n.table_fqn_key = n.fqn_key ORDER BY n.id LIMIT 1";
constexpr const char* kSelectNodeByFqn =
    CAIRN_SELECT_NODE "WHERE n.fqn_key = cairn_fold($1) ORDER BY n.id LIMIT 1";
constexpr const char* kSelectNodeByUniqueId =
    CAIRN_SELECT_NODE "WHERE n.unique_id = $1 ORDER BY s.name COLLATE \"C\", n.id LIMIT 1";

#undef CAIRN_SELECT_NODE

constexpr const char* kSelectTests = R"sql(
SELECT unique_id, fqn, name, test_name, test_column FROM dbt_nodes
WHERE table_fqn_key = cairn_fold($1) AND resource_type IN ('test', 'unit_test')
ORDER BY name COLLATE "C", unique_id COLLATE "C"
)sql";

#define CAIRN_SELECT_RUNS                                                       \
  "SELECT invocation_id, unique_id, resource_type, status, execution_seconds,"  \
  " started_at, completed_at, message, failures, rows_affected, max_loaded_at," \
  " age_seconds FROM node_runs "
constexpr const char* kSelectRuns = CAIRN_SELECT_RUNS
    "WHERE unique_id = $1 ORDER BY generated_at COLLATE \"C\" DESC, id DESC LIMIT $2";
constexpr const char* kSelectInvocationRuns =
    CAIRN_SELECT_RUNS "WHERE invocation_id = $1 ORDER BY id";
#undef CAIRN_SELECT_RUNS

// One hop of the walk for a whole frontier, in the order the frontier lists
// them and then by edge id.
constexpr const char* kUpstreamEdges = R"sql(
SELECT e.id, e.upstream_fqn, e.downstream_fqn, e.upstream_column, e.downstream_column
FROM unnest($1::text[]) WITH ORDINALITY f(fqn, pos)
JOIN lineage_edges e ON e.downstream_key = cairn_fold(f.fqn) ORDER BY f.pos, e.id
)sql";
constexpr const char* kDownstreamEdges = R"sql(
SELECT e.id, e.upstream_fqn, e.downstream_fqn, e.upstream_column, e.downstream_column
FROM unnest($1::text[]) WITH ORDINALITY f(fqn, pos)
JOIN lineage_edges e ON e.upstream_key = cairn_fold(f.fqn) ORDER BY f.pos, e.id
)sql";
// Names and resource types of lineage vertices, each answered with its
// position: tables, with the type of the dbt node that builds them, and
// table-less dbt nodes.
constexpr const char* kDescribe = R"sql(
SELECT f.pos - 1, coalesce(t.name, n.name),
       coalesce(CASE WHEN t.id IS NOT NULL THEN
                  coalesce((SELECT b.resource_type FROM dbt_nodes b
                            WHERE b.fqn_key = t.fqn_key AND b.table_fqn_key = b.fqn_key
                            ORDER BY b.id LIMIT 1), 'table') END,
                n.resource_type)
FROM unnest($1::text[]) WITH ORDINALITY f(fqn, pos)
LEFT JOIN tables t ON t.fqn_key = cairn_fold(f.fqn)
LEFT JOIN LATERAL (SELECT b.name, b.resource_type FROM dbt_nodes b
                   WHERE t.id IS NULL AND b.fqn_key = cairn_fold(f.fqn)
                   ORDER BY b.id LIMIT 1) n ON true
WHERE t.id IS NOT NULL OR n.name IS NOT NULL
)sql";
// The root as Get finds it: a table, a dbt node by fqn, or by unique_id.
constexpr const char* kRootFqn = R"sql(
SELECT coalesce((SELECT fqn FROM tables WHERE fqn_key = cairn_fold($1)),
                (SELECT fqn FROM dbt_nodes WHERE fqn_key = cairn_fold($1) ORDER BY id LIMIT 1),
                (SELECT n.fqn FROM dbt_nodes n JOIN services s ON s.id = n.service_id
                 WHERE n.unique_id = $1 ORDER BY s.name COLLATE "C", n.id LIMIT 1))
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
WHERE st.artifact_fingerprint = $1
ORDER BY s.name COLLATE "C", st.origin COLLATE "C" LIMIT 1
)sql";
constexpr const char* kHoldsFingerprints =
    "SELECT EXISTS (SELECT 1 FROM snapshot_state WHERE artifact_fingerprint <> '')";

constexpr const char* kSelectInvocations = R"sql(
SELECT i.invocation_id, i.artifact, i.command, i.dbt_version, i.generated_at, i.elapsed_seconds,
       s.name, (SELECT count(*) FROM node_runs r WHERE r.invocation_id = i.invocation_id)
FROM invocations i JOIN services s ON s.id = i.service_id
ORDER BY i.generated_at COLLATE "C" DESC, i.id DESC LIMIT $1 OFFSET $2
)sql";

// An entity's own edits and its columns' ("fqn.column"): the range covers
// exactly the keys that start with "fqn." ('/' follows '.').
constexpr const char* kSelectEdits = R"sql(
SELECT target_fqn, field, value, edited_by, edited_at FROM edits
WHERE target_key = cairn_fold($1)
   OR (target_key >= cairn_fold($1) || '.' AND target_key < cairn_fold($1) || '/')
ORDER BY target_key, field COLLATE "C"
)sql";
constexpr const char* kUpsertEdit = R"sql(
INSERT INTO edits(target_fqn, field, value, edited_by) VALUES ($1, $2, $3, $4)
ON CONFLICT(target_key, field) DO UPDATE SET
  value = excluded.value, edited_by = excluded.edited_by, edited_at = excluded.edited_at
)sql";
constexpr const char* kDeleteEdit =
    "DELETE FROM edits WHERE target_key = cairn_fold($1) AND field = $2";

constexpr const char* kCountChange = "UPDATE catalog_changes SET counter = counter + 1";
constexpr const char* kChangeCounter = "SELECT counter FROM catalog_changes";

NodeRun RunFromRow(const Rows& rows, int i) {
  return NodeRun{.invocation_id = rows.String(i, 0),
                 .unique_id = rows.String(i, 1),
                 .resource_type = rows.String(i, 2),
                 .status = rows.String(i, 3),
                 .execution_seconds = rows.Double(i, 4),
                 .started_at = rows.String(i, 5),
                 .completed_at = rows.String(i, 6),
                 .message = rows.String(i, 7),
                 .failures = rows.OptionalInt64(i, 8),
                 .rows_affected = rows.OptionalInt64(i, 9),
                 .max_loaded_at = rows.String(i, 10),
                 .age_seconds = rows.OptionalDouble(i, 11)};
}

std::vector<NodeRun> RunsFromRows(const Rows& rows) {
  std::vector<NodeRun> runs;
  runs.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) runs.push_back(RunFromRow(rows, i));
  return runs;
}

DbtNode NodeFromRow(const Rows& row) {
  DbtNode node;
  int i = 0;
  for (std::string* text :
       {&node.fqn, &node.table_fqn, &node.unique_id, &node.resource_type, &node.name,
        &node.package_name, &node.original_file_path, &node.description}) {
    *text = row.String(0, i++);
  }
  node.tags = ParseJsonArray(row.Text(0, i++));
  node.owners = ParseJsonArray(row.Text(0, i++));
  for (std::string* text :
       {&node.meta_json, &node.materialized, &node.language, &node.raw_code, &node.compiled_code,
        &node.access, &node.group_name, &node.version, &node.latest_version}) {
    *text = row.String(0, i++);
  }
  node.contract_enforced = row.Bool(0, i++);
  node.constraints_json = row.String(0, i++);
  node.depends_on = ParseJsonArray(row.Text(0, i++));
  for (std::string* text : {&node.test_name, &node.test_column, &node.test_kwargs_json,
                            &node.severity, &node.source_name, &node.loader, &node.freshness_json,
                            &node.label, &node.exposure_type, &node.url, &node.maturity}) {
    *text = row.String(0, i++);
  }
  return node;
}

}  // namespace

PostgresStore::PostgresStore(const std::string& url) : db_(std::make_unique<Connection>(url)) {
  // The catalog's statements are short or bulk-simple: compiling them
  // (JIT) costs more than it saves.
  db_->Exec("SET jit = off");
  Migrate(*db_);
}

void PostgresStore::CountChange() {
  db_->Query(kCountChange);
}

ApplyReport PostgresStore::Apply(const ServiceSnapshot& snapshot) {
  return Write(snapshot, nullptr);
}

ApplyReport PostgresStore::ApplyStaged(StagedSnapshot& staged) {
  // Nothing is opened before the first part is there: a source that fails
  // early (bad input) leaves not even a transaction behind.
  return Write(staged.Await(SnapshotPart::kTables), &staged);
}

ApplyReport PostgresStore::Write(const ServiceSnapshot& snapshot, StagedSnapshot* staged) {
  const std::string service = snapshot.service;  // a staged snapshot is freed before the end
  try {
    Transaction transaction(*db_);
    ApplyReport report = SnapshotWriter(*db_, snapshot, staged).Write();
    CountChange();
    if (fail_next_apply_) {
      fail_next_apply_ = false;
      throw Error(ErrorCode::kStorage, "failure injected before commit (test hook)");
    }
    transaction.Commit();
    NoteCommit();
    return report;
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kStorage,
                fmt::format("applying the snapshot of service {}: {}", service, e.what()));
  }
}

SearchPage PostgresStore::Search(const SearchQuery& query) {
  return SearchIndex(*db_).Search(query);
}

std::optional<DbtNode> PostgresStore::ReadNode(const char* sql, std::string_view key,
                                               std::string& service) {
  Rows row = db_->Query(sql, Params().Add(key));
  if (row.empty()) return std::nullopt;
  service = row.String(0, 33);
  return NodeFromRow(row);
}

std::optional<EntityDetail> PostgresStore::Get(std::string_view fqn_or_unique_id) {
  return ReadEntityDetail(*this, fqn_or_unique_id);
}

std::optional<Table> PostgresStore::TableRow(std::string_view fqn, std::string& service) {
  return ReadTableRow(*db_, fqn, &service);
}

std::optional<DbtNode> PostgresStore::BuilderNode(std::string_view fqn) {
  std::string service;
  return ReadNode(kSelectBuilderNode, fqn, service);
}

std::optional<DbtNode> PostgresStore::NodeByFqn(std::string_view fqn, std::string& service) {
  return ReadNode(kSelectNodeByFqn, fqn, service);
}

std::optional<DbtNode> PostgresStore::NodeByUniqueId(std::string_view unique_id,
                                                     std::string& service) {
  return ReadNode(kSelectNodeByUniqueId, unique_id, service);
}

std::vector<TestSummary> PostgresStore::TestsOn(std::string_view fqn) {
  std::vector<TestSummary> tests;
  Rows rows = db_->Query(kSelectTests, Params().Add(fqn));
  tests.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    tests.push_back(TestSummary{.unique_id = rows.String(i, 0),
                                .fqn = rows.String(i, 1),
                                .name = rows.String(i, 2),
                                .test_name = rows.String(i, 3),
                                .column = rows.String(i, 4)});
  }
  return tests;
}

std::vector<Edit> PostgresStore::EditsOf(std::string_view fqn) {
  return ReadEdits(fqn);
}

std::vector<NodeRun> PostgresStore::Runs(std::string_view unique_id, int limit) {
  return RunHistory(unique_id, limit);
}

std::vector<Edit> PostgresStore::ReadEdits(std::string_view target_fqn) {
  std::vector<Edit> edits;
  Rows rows = db_->Query(kSelectEdits, Params().Add(target_fqn));
  edits.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    edits.push_back(Edit{.target_fqn = rows.String(i, 0),
                         .field = rows.String(i, 1),
                         .value_json = rows.String(i, 2),
                         .edited_by = rows.String(i, 3),
                         .edited_at = rows.String(i, 4)});
  }
  return edits;
}

void PostgresStore::SaveEdits(const std::vector<Edit>& edits) {
  for (const Edit& edit : edits) ValidateEdit(edit);
  Transaction transaction(*db_);
  for (const Edit& edit : edits) {
    if (edit.value_json.empty()) {
      db_->Query(kDeleteEdit, Params().Add(edit.target_fqn).Add(edit.field));
    } else {
      db_->Query(
          kUpsertEdit,
          Params().Add(edit.target_fqn).Add(edit.field).Add(edit.value_json).Add(edit.edited_by));
    }
  }
  CountChange();
  transaction.Commit();
  NoteCommit();
}

std::vector<InvocationSummary> PostgresStore::Invocations(int limit, int offset) {
  std::vector<InvocationSummary> invocations;
  Rows rows = db_->Query(kSelectInvocations, Params().Add(limit).Add(offset));
  invocations.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    invocations.push_back(InvocationSummary{.invocation = {.invocation_id = rows.String(i, 0),
                                                           .artifact = rows.String(i, 1),
                                                           .command = rows.String(i, 2),
                                                           .dbt_version = rows.String(i, 3),
                                                           .generated_at = rows.String(i, 4),
                                                           .elapsed_seconds = rows.Double(i, 5)},
                                            .service = rows.String(i, 6),
                                            .results = rows.Int64(i, 7)});
  }
  return invocations;
}

std::vector<NodeRun> PostgresStore::InvocationRuns(std::string_view invocation_id) {
  return RunsFromRows(db_->Query(kSelectInvocationRuns, Params().Add(invocation_id)));
}

std::vector<NodeRun> PostgresStore::RunHistory(std::string_view unique_id, int limit) {
  return RunsFromRows(db_->Query(kSelectRuns, Params().Add(unique_id).Add(limit)));
}

std::int64_t PostgresStore::ChangeCounter() {
  return db_->Query(kChangeCounter).Int64(0, 0);
}

void PostgresStore::Describe(std::vector<LineageNode>& nodes) {
  std::vector<std::string_view> fqns;
  fqns.reserve(nodes.size());
  for (const LineageNode& node : nodes) fqns.push_back(node.fqn);
  std::vector<bool> described(nodes.size(), false);
  Rows rows = db_->Query(kDescribe, Params().Add(ArrayLiteral(fqns)));
  for (int i = 0; i < rows.size(); ++i) {
    auto at = static_cast<std::size_t>(rows.Int64(i, 0));
    if (at >= nodes.size()) continue;
    nodes[at].name = rows.String(i, 1);
    nodes[at].resource_type = rows.String(i, 2);
    described[at] = true;
  }
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (!described[i]) nodes[i].name = LastFqnPart(nodes[i].fqn);
  }
}

LineageGraph PostgresStore::Lineage(const LineageQuery& query) {
  LineageGraph graph;
  graph.root = query.fqn;
  if (Rows row = db_->Query(kRootFqn, Params().Add(query.fqn)); !row.IsNull(0, 0)) {
    graph.root = row.String(0, 0);
    graph.found = true;
  }
  std::unordered_map<std::string, std::size_t> index_of;  // FqnKey -> nodes index
  graph.nodes.emplace_back().fqn = graph.root;
  index_of.emplace(FqnKey(graph.root), 0);
  std::unordered_set<std::int64_t> edge_ids;

  // Breadth first, one statement per hop for the whole frontier.
  auto walk = [&](bool upstream) {
    std::vector<std::string> frontier = {graph.root};
    for (int distance = 1; distance <= query.depth && !frontier.empty(); ++distance) {
      std::vector<std::string> next;
      std::vector<std::string_view> fqns(frontier.begin(), frontier.end());
      Rows rows = db_->Query(upstream ? kUpstreamEdges : kDownstreamEdges,
                             Params().Add(ArrayLiteral(fqns)));
      for (int i = 0; i < rows.size(); ++i) {
        LineageEdge edge{.upstream_fqn = rows.String(i, 1),
                         .downstream_fqn = rows.String(i, 2),
                         .upstream_column = rows.String(i, 3),
                         .downstream_column = rows.String(i, 4)};
        const std::string& other = upstream ? edge.upstream_fqn : edge.downstream_fqn;
        if (index_of.emplace(FqnKey(other), graph.nodes.size()).second) {
          LineageNode& node = graph.nodes.emplace_back();
          node.fqn = other;
          node.distance = upstream ? -distance : distance;
          next.push_back(other);
        }
        if (edge_ids.insert(rows.Int64(i, 0)).second) graph.edges.push_back(std::move(edge));
      }
      frontier = std::move(next);
    }
  };
  if (query.direction != LineageDirection::kDownstream) walk(true);
  if (query.direction != LineageDirection::kUpstream) walk(false);
  Describe(graph.nodes);
  std::vector<std::string> fqns;
  fqns.reserve(graph.nodes.size());
  for (const LineageNode& node : graph.nodes) fqns.push_back(node.fqn);
  std::vector<std::string> statuses = SearchIndex(*db_).TestStatuses(fqns);
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    graph.nodes[i].test_status = std::move(statuses[i]);
  }
  return graph;
}

std::optional<UnchangedService> PostgresStore::FindUnchanged(
    std::string_view artifact_fingerprint) {
  if (artifact_fingerprint.empty()) return std::nullopt;
  Rows row = db_->Query(kFindUnchanged, Params().Add(artifact_fingerprint));
  if (row.empty()) return std::nullopt;
  UnchangedService found{.service = row.String(0, 0)};
  found.stored.tables.unchanged = row.Int64(0, 1);
  found.stored.nodes.unchanged = row.Int64(0, 2);
  found.stored.lineage_edges = row.Int64(0, 3);
  return found;
}

bool PostgresStore::HoldsArtifactFingerprints() {
  return db_->Query(kHoldsFingerprints).Bool(0, 0);
}

CatalogCounts PostgresStore::Counts() {
  Rows row = db_->Query(kCounts);
  return CatalogCounts{.services = row.Int64(0, 0),
                       .tables = row.Int64(0, 1),
                       .columns = row.Int64(0, 2),
                       .nodes = row.Int64(0, 3),
                       .lineage_edges = row.Int64(0, 4),
                       .invocations = row.Int64(0, 5),
                       .runs = row.Int64(0, 6)};
}

int PostgresStore::SchemaVersion() {
  return SchemaVersionOf(*db_);
}

}  // namespace cairn::catalog::postgres
