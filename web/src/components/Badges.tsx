import { statusClass } from "../format";

export function TypeBadge({ type }: { type: string }) {
  return <span class={`type-badge type-${type}`}>{type.replace("_", " ")}</span>;
}

export function StatusBadge({ status, label }: { status: string | null | undefined; label?: string }) {
  if (!status || status === "none") return <span class="status none">{label ?? "no tests"}</span>;
  return (
    <span class={`status ${statusClass(status)}`} data-status={status}>
      {label ?? status}
    </span>
  );
}

export function Chips({ values, empty }: { values: string[]; empty?: string }) {
  if (values.length === 0) return <span class="muted">{empty ?? "none"}</span>;
  return (
    <span class="chips">
      {values.map((value) => (
        <span class="chip" key={value}>
          {value}
        </span>
      ))}
    </span>
  );
}

export function ErrorBox({ error }: { error: unknown }) {
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div class="error-box" role="alert">
      {message}
    </div>
  );
}
