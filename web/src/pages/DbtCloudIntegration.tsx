// The dbt Cloud half of the integrations page: the fields of a new dbt_cloud
// integration (a credential block and the jobs whose latest successful run
// is synced) and what a saved one syncs from.
import type { DbtCloudSyncSettings, ExtractionRun } from "../types";
import { Field, LastSync } from "./BucketIntegration";

export interface DbtCloudForm {
  credentials: string;
  jobIds: string; // comma- or space-separated
  interval: string;
}

export const EMPTY_DBT_CLOUD_FORM: DbtCloudForm = { credentials: "", jobIds: "", interval: "1440" };

// The settings.dbt_cloud the API takes; the server checks the ids and the
// interval and names the field it refuses.
export function dbtCloudSettings(form: DbtCloudForm): DbtCloudSyncSettings {
  return {
    credentials: form.credentials.trim(),
    job_ids: form.jobIds
      .split(/[\s,]+/)
      .filter((id) => id !== "")
      .map(Number),
    sync_interval_minutes: Number(form.interval),
  };
}

export function DbtCloudFields({ form, onChange }: { form: DbtCloudForm; onChange: (form: DbtCloudForm) => void }) {
  const set = (key: keyof DbtCloudForm) => (value: string) => onChange({ ...form, [key]: value });
  return (
    <div class="bucket-fields" aria-label="dbt Cloud settings">
      <Field
        id="dbt-cloud-credentials"
        label="Credential block"
        value={form.credentials}
        onInput={set("credentials")}
        placeholder="made on the Credentials page"
        required
      />
      <Field id="dbt-cloud-jobs" label="Job ids" value={form.jobIds} onInput={set("jobIds")} placeholder="e.g. 460298, 460301" required />
      <Field id="dbt-cloud-interval" label="Sync every (minutes, at least 5)" type="number" value={form.interval} onInput={set("interval")} />
      <p class="muted">Each sync reads the artifacts of the latest successful run of these jobs, and nothing when it is the run read last.</p>
    </div>
  );
}

export function DbtCloudSummary({ settings, runs }: { settings: DbtCloudSyncSettings; runs: ExtractionRun[] }) {
  const last = runs.find((run) => run.trigger.startsWith("dbt_cloud_sync"));
  const minutes = settings.sync_interval_minutes ?? 1440;
  const jobs = settings.job_ids.join(", ");
  return (
    <div class="bucket-summary" aria-label="dbt Cloud">
      <p>
        Syncs the latest successful run of job{settings.job_ids.length === 1 ? "" : "s"} {jobs} every{" "}
        {minutes % 60 === 0 ? `${minutes / 60} h` : `${minutes} min`} (credential block <code>{settings.credentials}</code>
        {settings.project_id ? `, project ${settings.project_id}` : ""}).
      </p>
      <LastSync run={last} />
    </div>
  );
}
