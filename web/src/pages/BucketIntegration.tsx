// The bucket half of a dbt Core integration: the fields of a new one (S3 by
// access key or assumed role, GCS by HMAC key), what a saved one syncs from,
// its last sync (shared with dbt Cloud integrations), and the result of a
// connection test.
import { formatBytes, formatTime } from "../format";
import { StatusBadge } from "../components/Badges";
import type { BucketSettings, ConnectionTest, ExtractionRun } from "../types";

export type Source = "upload" | "s3" | "gcs" | "dbt_cloud";

export interface BucketForm {
  auth: "access_key" | "assume_role";
  bucket: string;
  prefix: string;
  region: string;
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  roleArn: string;
  interval: string;
}

export const EMPTY_BUCKET_FORM: BucketForm = {
  auth: "access_key",
  bucket: "",
  prefix: "",
  region: "us-east-1",
  endpoint: "",
  accessKeyId: "",
  secretAccessKey: "",
  roleArn: "",
  interval: "1440",
};

// The settings.bucket the API takes; empty optional fields are left out so
// that the server's defaults apply.
export function bucketSettings(source: "s3" | "gcs", form: BucketForm): BucketSettings {
  const role = source === "s3" && form.auth === "assume_role";
  const settings: BucketSettings = {
    provider: source,
    auth: source === "gcs" ? "hmac" : form.auth,
    bucket: form.bucket.trim(),
    prefix: form.prefix.trim(),
    sync_interval_minutes: Number(form.interval),
  };
  if (source === "s3" && form.region.trim()) settings.region = form.region.trim();
  if (form.endpoint.trim()) settings.endpoint = form.endpoint.trim();
  if (form.accessKeyId.trim() || !role) settings.access_key_id = form.accessKeyId.trim();
  if (form.secretAccessKey || !role) settings.secret_access_key = form.secretAccessKey;
  if (role) {
    settings.role_arn = form.roleArn.trim();
    if (form.endpoint.trim()) settings.sts_endpoint = form.endpoint.trim();
  }
  return settings;
}

export function Field(props: {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  type?: string;
  placeholder?: string;
  required?: boolean;
}) {
  return (
    <label class="field" for={props.id}>
      <span>{props.label}</span>
      <input
        id={props.id}
        type={props.type ?? "text"}
        value={props.value}
        placeholder={props.placeholder}
        required={props.required}
        autocomplete="off"
        onInput={(e) => props.onInput((e.target as HTMLInputElement).value)}
      />
    </label>
  );
}

export function BucketFields({
  source,
  form,
  onChange,
}: {
  source: "s3" | "gcs";
  form: BucketForm;
  onChange: (form: BucketForm) => void;
}) {
  const set = (key: keyof BucketForm) => (value: string) => onChange({ ...form, [key]: value });
  const role = source === "s3" && form.auth === "assume_role";
  const keyLabel = source === "gcs" ? "HMAC access id" : role ? "Base access key id (optional)" : "Access key id";
  const secretLabel = source === "gcs" ? "HMAC secret" : role ? "Base secret access key (optional)" : "Secret access key";
  return (
    <div class="bucket-fields" aria-label="Bucket settings">
      {source === "s3" && (
        <label class="field" for="bucket-auth">
          <span>Authentication</span>
          <select id="bucket-auth" value={form.auth} onChange={(e) => set("auth")((e.target as HTMLSelectElement).value)}>
            <option value="access_key">Access key</option>
            <option value="assume_role">IAM role (assumed with an external id)</option>
          </select>
        </label>
      )}
      <Field id="bucket-name" label="Bucket" value={form.bucket} onInput={set("bucket")} required />
      <Field id="bucket-prefix" label="Prefix" value={form.prefix} onInput={set("prefix")} placeholder="e.g. dbt/prod/" />
      {source === "s3" && <Field id="bucket-region" label="Region" value={form.region} onInput={set("region")} />}
      <Field
        id="bucket-endpoint"
        label="Endpoint (optional)"
        value={form.endpoint}
        onInput={set("endpoint")}
        placeholder={source === "gcs" ? "https://storage.googleapis.com" : "MinIO, a VPC endpoint…"}
      />
      {role && <Field id="bucket-role" label="Role ARN" value={form.roleArn} onInput={set("roleArn")} required placeholder="arn:aws:iam::ACCOUNT:role/NAME" />}
      <Field id="bucket-key" label={keyLabel} value={form.accessKeyId} onInput={set("accessKeyId")} required={!role} />
      <Field id="bucket-secret" label={secretLabel} type="password" value={form.secretAccessKey} onInput={set("secretAccessKey")} required={!role} />
      <Field id="bucket-interval" label="Sync every (minutes, at least 5)" type="number" value={form.interval} onInput={set("interval")} />
      {role && (
        <p class="muted">
          Cairn generates an external id when you create the integration and shows it here; require it in the role's
          trust policy (<code>sts:ExternalId</code>).
        </p>
      )}
    </div>
  );
}

export function TestResult({ test }: { test: ConnectionTest }) {
  return (
    <div class={test.ok ? "ok-text" : "warn-text"} role="status" aria-label="Connection test">
      <p>{test.message}</p>
      <ul class="plain">
        {(test.artifacts ?? []).map((artifact) => (
          <li key={artifact.kind} class="mono">
            {artifact.key ?? artifact.file}: {formatBytes(artifact.bytes)}, {formatTime(artifact.last_modified ?? artifact.modified ?? null)}
            {artifact.staged ? " (staged)" : ""}
          </li>
        ))}
      </ul>
      {(test.warnings ?? []).map((warning) => (
        <p class="muted" key={warning}>
          {warning}
        </p>
      ))}
    </div>
  );
}

function where(bucket: BucketSettings): string {
  return `${bucket.provider === "gcs" ? "gs" : "s3"}://${bucket.bucket}/${bucket.prefix ?? ""}`;
}

function syncSummary(run: ExtractionRun): string {
  const sync = run.counts.sync as
    | { nothing_changed?: boolean; changed?: string[]; dbt_cloud_run?: number }
    | undefined;
  if (run.status === "failed") return run.error ?? "failed";
  if (!sync) return run.status;
  const source = sync.dbt_cloud_run ? ` (dbt Cloud run ${sync.dbt_cloud_run})` : "";
  if (sync.nothing_changed) return `nothing changed${source}`;
  if (sync.dbt_cloud_run) return `read the artifacts of dbt Cloud run ${sync.dbt_cloud_run}`;
  return `read ${(sync.changed ?? []).join(", ")}`;
}

export function BucketSummary({ bucket, runs }: { bucket: BucketSettings; runs: ExtractionRun[] }) {
  const last = runs.find((run) => run.trigger.startsWith("bucket_sync"));
  const minutes = bucket.sync_interval_minutes ?? 1440;
  return (
    <div class="bucket-summary" aria-label="Bucket">
      <p>
        Syncs <code>{where(bucket)}</code> every {minutes % 60 === 0 ? `${minutes / 60} h` : `${minutes} min`} (
        {bucket.provider === "gcs" ? "HMAC key" : bucket.auth === "assume_role" ? `role ${bucket.role_arn}` : "access key"}
        {bucket.access_key_id ? ` ${bucket.access_key_id}` : ""}
        {bucket.secret_access_key_set ? ", secret set" : ""}).
      </p>
      {bucket.external_id && (
        <p>
          External id for the role's trust policy: <code aria-label="External id">{bucket.external_id}</code>
        </p>
      )}
      <LastSync run={last} />
    </div>
  );
}

// The newest sync of an integration (a bucket's or dbt Cloud's), or "not yet".
export function LastSync({ run }: { run: ExtractionRun | undefined }) {
  return (
    <p aria-label="Last sync">
      Last sync:{" "}
      {run ? (
        <>
          <StatusBadge status={run.status} /> {syncSummary(run)} · {formatTime(run.finished_at ?? run.created_at)}
        </>
      ) : (
        <span class="muted">not yet</span>
      )}
    </p>
  );
}
