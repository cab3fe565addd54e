// dbt integrations: create one (fed by uploads, synced from a bucket or from
// dbt Cloud jobs), upload its artifacts through a file picker, test it, sync
// it, and follow its extraction runs.
import { useCallback, useEffect, useState } from "preact/hooks";
import { api, uploadArtifact, type ArtifactKind } from "../api";
import { ErrorBox, StatusBadge } from "../components/Badges";
import { formatBytes, formatTime } from "../format";
import { href } from "../router";
import type { ConnectionTest, ExtractionRun, Integration, IntegrationSettings } from "../types";
import {
  BucketFields,
  BucketSummary,
  bucketSettings,
  EMPTY_BUCKET_FORM,
  TestResult,
  type BucketForm,
  type Source,
} from "./BucketIntegration";
import { DbtCloudFields, DbtCloudSummary, dbtCloudSettings, EMPTY_DBT_CLOUD_FORM, type DbtCloudForm } from "./DbtCloudIntegration";

const ARTIFACTS: { kind: ArtifactKind; file: string }[] = [
  { kind: "manifest", file: "manifest.json" },
  { kind: "run_results", file: "run_results.json" },
  { kind: "catalog", file: "catalog.json" },
  { kind: "sources", file: "sources.json" },
];

const POLL_MS = 1000;

function CreateIntegration({ onCreated }: { onCreated: (integration: Integration) => void }) {
  const [name, setName] = useState("");
  const [source, setSource] = useState<Source>("upload");
  const [bucket, setBucket] = useState<BucketForm>(EMPTY_BUCKET_FORM);
  const [cloud, setCloud] = useState<DbtCloudForm>(EMPTY_DBT_CLOUD_FORM);
  const [test, setTest] = useState<ConnectionTest | null>(null);
  const [error, setError] = useState<unknown>(null);
  const settings = (): IntegrationSettings =>
    source === "upload"
      ? {}
      : source === "dbt_cloud"
        ? { dbt_cloud: dbtCloudSettings(cloud) }
        : { bucket: bucketSettings(source, bucket) };
  const isBucket = source === "s3" || source === "gcs";
  const attempt = async (action: () => Promise<void>) => {
    setError(null);
    try {
      await action();
    } catch (caught) {
      setError(caught);
    }
  };
  const submit = (event: Event) => {
    event.preventDefault();
    return attempt(async () => {
      onCreated(await api.createIntegration(name.trim(), settings()));
      setName("");
      setBucket(EMPTY_BUCKET_FORM);
      setCloud(EMPTY_DBT_CLOUD_FORM);
      setTest(null);
    });
  };
  return (
    <form class="card inline-form" onSubmit={submit} aria-label="New integration">
      <label for="integration-name">New dbt integration</label>
      <input
        id="integration-name"
        placeholder="e.g. analytics (dbt Core)"
        value={name}
        onInput={(e) => setName((e.target as HTMLInputElement).value)}
        required
      />
      <label for="integration-source">Artifacts from</label>
      <select
        id="integration-source"
        value={source}
        onChange={(e) => (setSource((e.target as HTMLSelectElement).value as Source), setTest(null))}
      >
        <option value="upload">Uploads (this page or CI)</option>
        <option value="s3">Amazon S3 bucket</option>
        <option value="gcs">Google Cloud Storage bucket</option>
        <option value="dbt_cloud">dbt Cloud jobs (latest successful run)</option>
      </select>
      {isBucket && <BucketFields source={source} form={bucket} onChange={setBucket} />}
      {source === "dbt_cloud" && <DbtCloudFields form={cloud} onChange={setCloud} />}
      {isBucket && (
        <button
          type="button"
          class="secondary"
          onClick={() => attempt(async () => setTest(await api.testSettings(settings())))}
        >
          Test connection
        </button>
      )}
      <button type="submit" disabled={!name.trim()}>
        Create
      </button>
      {test && <TestResult test={test} />}
      {error !== null && <ErrorBox error={error} />}
    </form>
  );
}

// What a bucket sync fetched, before the ingestion's counts.
function syncCounts(counts: Record<string, unknown>): string[] {
  const sync = counts.sync as { nothing_changed?: boolean; get_requests?: number; bytes_downloaded?: number } | undefined;
  if (!sync) return [];
  if (sync.nothing_changed) return ["nothing changed (no download)"];
  return [`downloaded ${sync.get_requests ?? 0} (${formatBytes(sync.bytes_downloaded ?? 0)})`];
}

function Counts({ counts }: { counts: Record<string, unknown> }) {
  const entries = Object.entries(counts).filter(([, value]) => typeof value !== "object");
  const show = (value: unknown) =>
    typeof value === "number" && !Number.isInteger(value) ? value.toFixed(2) : String(value);
  const parts = [...syncCounts(counts), ...entries.map(([key, value]) => `${key.replace(/_/g, " ")} ${show(value)}`)];
  if (parts.length === 0) return <span class="muted">—</span>;
  return <span class="mono">{parts.join(" · ")}</span>;
}

function RunDetail({ integrationId, run }: { integrationId: string; run: ExtractionRun }) {
  const [detail, setDetail] = useState<ExtractionRun | null>(null);
  useEffect(() => {
    api.run(integrationId, run.id).then(setDetail, () => setDetail(null));
  }, [integrationId, run.id, run.status]);
  return (
    <div class="run-log" aria-label={`Log of run ${run.id}`}>
      {run.error && <p class="error-text">{run.error}</p>}
      <pre>
        {(detail?.log ?? []).map((line) => `${formatTime(line.time)}  ${line.level.padEnd(5)}  ${line.message}\n`).join("")}
      </pre>
    </div>
  );
}

function Runs({ integration, runs }: { integration: Integration; runs: ExtractionRun[] }) {
  const [open, setOpen] = useState<number | null>(null);
  if (runs.length === 0) return <p class="muted">No extraction runs yet.</p>;
  return (
    <table class="runs" aria-label="Extraction runs">
      <thead>
        <tr>
          <th>Run</th>
          <th>Trigger</th>
          <th>Status</th>
          <th>Created</th>
          <th>Finished</th>
          <th>Counts</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => (
          <>
            <tr key={run.id} data-run={run.id} data-status={run.status} class="clickable" onClick={() => setOpen(open === run.id ? null : run.id)}>
              <td>#{run.id}</td>
              <td class="mono">{run.trigger}</td>
              <td>
                <StatusBadge status={run.status} />
              </td>
              <td>{formatTime(run.created_at)}</td>
              <td>{formatTime(run.finished_at)}</td>
              <td>
                <Counts counts={run.counts} />
              </td>
            </tr>
            {open === run.id && (
              <tr key={`${run.id}-log`}>
                <td colSpan={6}>
                  <RunDetail integrationId={integration.id} run={run} />
                </td>
              </tr>
            )}
          </>
        ))}
      </tbody>
    </table>
  );
}

function Upload({ integration, onStarted }: { integration: Integration; onStarted: () => void }) {
  const [progress, setProgress] = useState<Record<string, number>>({});
  const [message, setMessage] = useState<string>("");
  const [error, setError] = useState<unknown>(null);
  const upload = async (kind: ArtifactKind, input: HTMLInputElement) => {
    const file = input.files?.[0];
    if (!file) return;
    setError(null);
    setMessage("");
    try {
      const answer = await uploadArtifact(integration.id, kind, file, (fraction) =>
        setProgress((old) => ({ ...old, [kind]: fraction })),
      );
      setMessage(`${file.name} (${formatBytes(file.size)}) uploaded: run #${answer.run.id} ${answer.run.status}`);
      onStarted();
    } catch (caught) {
      setError(caught);
    } finally {
      setProgress((old) => ({ ...old, [kind]: 0 }));
      input.value = "";
    }
  };
  return (
    <div class="uploads">
      {ARTIFACTS.map(({ kind, file }) => (
        <label class="upload" key={kind}>
          <span>{file}</span>
          <input
            type="file"
            accept=".json,application/json"
            aria-label={`Upload ${file}`}
            data-kind={kind}
            onChange={(e) => upload(kind, e.target as HTMLInputElement)}
          />
          {(progress[kind] ?? 0) > 0 && <progress value={progress[kind]} max={1} />}
        </label>
      ))}
      {message && (
        <p class="ok-text" role="status">
          {message}
        </p>
      )}
      {error !== null && <ErrorBox error={error} />}
    </div>
  );
}

function IntegrationDetail({ integration }: { integration: Integration }) {
  const bucket = integration.settings.bucket;
  const cloud = integration.settings.dbt_cloud;
  const synced = bucket !== undefined || cloud !== undefined;
  const [runs, setRuns] = useState<ExtractionRun[]>([]);
  const [test, setTest] = useState<ConnectionTest | null>(null);
  const [error, setError] = useState<unknown>(null);
  const refresh = useCallback(() => {
    api.runs(integration.id).then((page) => setRuns(page.items), setError);
  }, [integration.id]);

  useEffect(refresh, [refresh]);
  // Poll while a run is queued or running, and while a new synced
  // integration waits for its first sync (the scheduler starts it at once).
  const busy = runs.some((run) => run.status === "queued" || run.status === "running") || (synced && runs.length === 0);
  useEffect(() => {
    if (!busy) return undefined;
    const timer = window.setInterval(refresh, POLL_MS);
    return () => window.clearInterval(timer);
  }, [busy, refresh]);

  const run = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <section class="card integration" aria-label={integration.name}>
      <div class="section-head">
        <h2>{integration.name}</h2>
        <span class="muted mono">
          {integration.type} · {integration.id}
        </span>
      </div>
      {bucket ? (
        <BucketSummary bucket={bucket} runs={runs} />
      ) : cloud ? (
        <DbtCloudSummary settings={cloud} runs={runs} />
      ) : (
        <Upload integration={integration} onStarted={refresh} />
      )}
      <div class="actions">
        <button class="secondary" onClick={() => run(async () => setTest(await api.testConnection(integration.id)))}>
          Test connection
        </button>
        <button onClick={() => run(async () => (await api.sync(integration.id), refresh()))}>
          {synced ? "Sync now" : "Run sync"}
        </button>
      </div>
      {test && <TestResult test={test} />}
      {error !== null && <ErrorBox error={error} />}
      <h3>Extraction runs</h3>
      <Runs integration={integration} runs={runs} />
    </section>
  );
}

export function Integrations({ selectedId }: { selectedId: string }) {
  const [items, setItems] = useState<Integration[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api.integrations().then((page) => setItems(page.items), setError);
  }, []);
  if (error !== null) return <ErrorBox error={error} />;
  if (!items) return <p class="muted">Loading…</p>;
  const selected = items.find((i) => i.id === selectedId) ?? items[0];
  return (
    <div class="integrations-page">
      <h1>Integrations</h1>
      <p class="muted">
        dbt Core projects push their <code>target/</code> artifacts here, from this page or from CI with the
        Secoda-compatible upload API (<code>POST /integration/dbt/manifest/</code>), or Cairn syncs them from the
        S3 or GCS bucket CI copies them to, or from the latest successful run of dbt Cloud jobs.
      </p>
      <CreateIntegration onCreated={(created) => (setItems([...items, created]), (location.hash = href("integrations", created.id)))} />
      {items.length > 0 && (
        <nav class="tabs" aria-label="Integrations">
          {items.map((integration) => (
            <a
              href={href("integrations", integration.id)}
              class={integration.id === selected?.id ? "tab active" : "tab"}
              key={integration.id}
            >
              {integration.name}
            </a>
          ))}
        </nav>
      )}
      {selected && <IntegrationDetail integration={selected} key={selected.id} />}
    </div>
  );
}
