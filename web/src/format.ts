// Small formatting helpers shared by the pages.

export function formatCount(value: number): string {
  return value.toLocaleString("en-US");
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function formatSeconds(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

// "2026-12-02T18:54:08.123Z" → "2026-12-02 18:54" (UTC, as the server stores it).
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return match ? `${match[1]} ${match[2]}` : iso;
}

// Status vocabulary of dbt results and Cairn's runs, to one of a few styles.
export function statusClass(status: string | null | undefined): string {
  switch (status) {
    case "pass":
    case "success":
    case "succeeded":
      return "ok";
    case "warn":
    case "running":
    case "queued":
      return "warn";
    case "fail":
    case "error":
    case "failed":
    case "runtime error":
      return "bad";
    default:
      return "none";
  }
}
