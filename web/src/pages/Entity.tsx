// One table or dbt resource: what it is, its columns and tests, its run and
// test history, its code, and the edits people made to it.
import { useEffect, useMemo, useState } from "preact/hooks";
import { api } from "../api";
import { Chips, ErrorBox, StatusBadge, TypeBadge } from "../components/Badges";
import { EditableList } from "../components/EditableList";
import { HistoryChart, invocationPoints } from "../components/HistoryChart";
import { Markdown } from "../components/Markdown";
import { SqlBlock } from "../components/SqlBlock";
import { formatSeconds, formatTime, statusClass } from "../format";
import { entityHref, href } from "../router";
import { allows, useSession } from "../session";
import type { Entity as EntityData, TestStatus, TestSummary } from "../types";

const SEVERITY: TestStatus[] = ["error", "fail", "warn", "pass"];

export function worstStatus(tests: TestSummary[]): TestStatus {
  const statuses = new Set(tests.map((t) => t.latest_status ?? ""));
  return SEVERITY.find((status) => statuses.has(status)) ?? "none";
}

function editedBy(entity: EntityData, target: string, field: string): string | undefined {
  const edit = entity.edits.find((e) => e.target.toLowerCase() === target.toLowerCase() && e.field === field);
  return edit ? `${edit.edited_by || "someone"} on ${formatTime(edit.edited_at)}` : undefined;
}

function Description({
  entity,
  fqn,
  editable,
  onSave,
}: {
  entity: EntityData;
  fqn: string;
  editable: boolean;
  onSave: (text: string) => Promise<void>;
}) {
  const text = entity.table?.description || entity.dbt?.description || "";
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(text);
  const [error, setError] = useState("");
  const edited = editedBy(entity, fqn, "description");
  const save = async (event: Event) => {
    event.preventDefault();
    try {
      await onSave(draft);
      setEditing(false);
      setError("");
    } catch (caught) {
      setError((caught as Error).message);
    }
  };
  return (
    <section class="card description" aria-label="Description">
      <div class="section-head">
        <h2>Description</h2>
        {edited && <span class="muted edited">edited by {edited}</span>}
        {editable && !editing && (
          <button class="link-button" onClick={() => (setDraft(text), setEditing(true))}>
            Edit
          </button>
        )}
      </div>
      {editing ? (
        <form onSubmit={save}>
          <textarea
            aria-label="Description (Markdown)"
            rows={6}
            value={draft}
            onInput={(e) => setDraft((e.target as HTMLTextAreaElement).value)}
          />
          <div class="actions">
            <button type="submit">Save</button>
            <button type="button" class="secondary" onClick={() => setEditing(false)}>
              Cancel
            </button>
            {error && <span class="error-text">{error}</span>}
          </div>
        </form>
      ) : (
        <Markdown text={text} />
      )}
    </section>
  );
}

function Properties({ entity }: { entity: EntityData }) {
  const node = entity.dbt;
  const table = entity.table;
  const rows: [string, string | null | undefined][] = [
    ["Service", entity.service],
    ["Relation", table ? `${table.database}.${table.schema}.${table.name}` : null],
    ["Table type", table?.table_type],
    ["Materialized", node?.materialized],
    ["Language", node?.language],
    ["Access", node?.access],
    ["Group", node?.group],
    ["Version", node?.version ? `${node.version}${node.latest_version ? ` (latest ${node.latest_version})` : ""}` : null],
    ["Contract", node ? (node.contract_enforced ? "enforced" : "not enforced") : null],
    ["Package", node?.package_name],
    ["File", node?.original_file_path],
    ["Source", node?.source ? `${node.source.source_name}${node.source.loader ? ` (loaded by ${node.source.loader})` : ""}` : null],
    ["Exposure", node?.exposure ? [node.exposure.type, node.exposure.maturity, node.exposure.url].filter(Boolean).join(" · ") : null],
    ["unique_id", node?.unique_id],
  ];
  return (
    <section class="card properties" aria-label="Properties">
      <h2>Properties</h2>
      <dl>
        {rows
          .filter(([, value]) => value)
          .map(([label, value]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
      </dl>
    </section>
  );
}

function Columns({ entity }: { entity: EntityData }) {
  const columns = entity.table?.columns ?? [];
  const byColumn = useMemo(() => {
    const map = new Map<string, TestSummary[]>();
    for (const test of entity.tests) {
      if (!test.column) continue;
      const key = test.column.toLowerCase();
      map.set(key, [...(map.get(key) ?? []), test]);
    }
    return map;
  }, [entity]);
  if (columns.length === 0) return null;
  return (
    <section class="card" aria-label="Columns">
      <h2>Columns ({columns.length})</h2>
      <table class="columns">
        <thead>
          <tr>
            <th>Name</th>
            <th>Type</th>
            <th>Description</th>
            <th>Tests</th>
          </tr>
        </thead>
        <tbody>
          {columns.map((column) => (
            <tr key={column.name} data-column={column.name}>
              <td class="mono">{column.name}</td>
              <td class="mono muted">{column.data_type ?? "—"}</td>
              <td>
                {column.description ? <Markdown text={column.description} /> : <span class="muted">—</span>}
                {column.tags.length > 0 && <Chips values={column.tags} />}
              </td>
              <td>
                {(byColumn.get(column.name.toLowerCase()) ?? []).map((test) => (
                  <a href={entityHref(test.fqn)} key={test.unique_id} class="test-link">
                    <StatusBadge status={test.latest_status ?? "none"} label={test.test_name || test.name} />
                  </a>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Tests({ tests }: { tests: TestSummary[] }) {
  if (tests.length === 0) return null;
  return (
    <section class="card" aria-label="Tests">
      <h2>Tests ({tests.length})</h2>
      <table class="tests">
        <thead>
          <tr>
            <th>Test</th>
            <th>Column</th>
            <th>Latest</th>
            <th>History (oldest → newest)</th>
          </tr>
        </thead>
        <tbody>
          {tests.map((test) => (
            <tr key={test.unique_id} data-test={test.name}>
              <td>
                <a href={entityHref(test.fqn)}>{test.test_name || test.name}</a>
              </td>
              <td class="mono">{test.column ?? "—"}</td>
              <td>
                <StatusBadge status={test.latest_status ?? "none"} label={test.latest_status ?? "not run"} />
              </td>
              <td class="history-dots">
                {[...test.history].reverse().map((run) => (
                  <span
                    class={`dot ${statusClass(run.status)}`}
                    title={`${run.status} · ${formatTime(run.completed_at)}${run.failures ? ` · ${run.failures} failing rows` : ""}`}
                    key={run.invocation_id}
                  />
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Runs({ entity }: { entity: EntityData }) {
  const points = useMemo(() => invocationPoints(entity.runs, entity.tests), [entity]);
  return (
    <section class="card" aria-label="History">
      <h2>History</h2>
      <HistoryChart points={points} />
      {entity.runs.length > 0 && (
        <table class="runs">
          <thead>
            <tr>
              <th>Completed</th>
              <th>Status</th>
              <th>Duration</th>
              <th>Rows</th>
              <th>Message</th>
            </tr>
          </thead>
          <tbody>
            {entity.runs.slice(0, 10).map((run) => (
              <tr key={run.invocation_id}>
                <td>{formatTime(run.completed_at)}</td>
                <td>
                  <StatusBadge status={run.status} />
                </td>
                <td>{formatSeconds(run.execution_seconds)}</td>
                <td>{run.rows_affected ?? "—"}</td>
                <td class="muted">{run.message ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function Entity({ fqn }: { fqn: string }) {
  const session = useSession();
  const [entity, setEntity] = useState<EntityData | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const controller = new AbortController();
    setEntity(null);
    setError(null);
    api.entity(fqn, controller.signal).then(setEntity, (caught: unknown) => {
      if ((caught as Error).name !== "AbortError") setError(caught);
    });
    return () => controller.abort();
  }, [fqn]);

  if (error !== null) return <ErrorBox error={error} />;
  if (!entity) return <p class="muted">Loading…</p>;

  const name = entity.dbt?.name ?? entity.table?.name ?? fqn;
  const type = entity.dbt?.resource_type ?? "table";
  const ownFqn = entity.table?.fqn ?? entity.dbt?.fqn ?? fqn;
  const editable = allows(session, "ingest");
  const edit = async (changes: Record<string, unknown>) => setEntity(await api.editEntity(ownFqn, changes));
  const status = worstStatus(entity.tests);
  return (
    <article class="entity" data-fqn={ownFqn}>
      <header class="entity-head">
        <h1>{name}</h1>
        <TypeBadge type={type} />
        {entity.tests.length > 0 && <StatusBadge status={status} label={`tests: ${status}`} />}
        <a class="button secondary" href={href("lineage", ownFqn)}>
          Lineage
        </a>
      </header>
      <p class="fqn">{ownFqn}</p>
      {entity.table?.deleted_at && (
        <p class="notice" role="status">
          Deleted: gone from the warehouse since {entity.table.deleted_at}. Kept with its history.
        </p>
      )}
      <div class="meta-row">
        <EditableList
          label="Tags"
          values={entity.table?.tags ?? entity.dbt?.tags ?? []}
          editable={editable}
          edited={editedBy(entity, ownFqn, "tags")}
          onSave={(tags) => edit({ tags })}
        />
        <EditableList
          label="Owners"
          values={entity.table?.owners ?? entity.dbt?.owners ?? []}
          editable={editable}
          edited={editedBy(entity, ownFqn, "owners")}
          onSave={(owners) => edit({ owners })}
        />
      </div>
      <div class="entity-grid">
        <div class="main-column">
          <Description entity={entity} fqn={ownFqn} editable={editable} onSave={(description) => edit({ description })} />
          <Columns entity={entity} />
          <Tests tests={entity.tests} />
          <Runs entity={entity} />
          {entity.dbt && (entity.dbt.raw_code || entity.dbt.compiled_code) && (
            <section class="card" aria-label="Code">
              <h2>Code</h2>
              <SqlBlock raw={entity.dbt.raw_code} compiled={entity.dbt.compiled_code} language={entity.dbt.language} />
            </section>
          )}
          {!entity.dbt && entity.table?.definition && (
            <section class="card" aria-label="Definition">
              <h2>Definition</h2>
              <SqlBlock raw={entity.table.definition} compiled={null} language="sql" />
            </section>
          )}
        </div>
        <div class="side-column">
          <Properties entity={entity} />
          {entity.dbt && entity.dbt.depends_on.length > 0 && (
            <section class="card" aria-label="Depends on">
              <h2>Depends on</h2>
              <ul class="plain">
                {entity.dbt.depends_on.map((id) => (
                  <li key={id}>
                    <a href={entityHref(id)} class="mono">
                      {id}
                    </a>
                  </li>
                ))}
              </ul>
            </section>
          )}
        </div>
      </div>
    </article>
  );
}
