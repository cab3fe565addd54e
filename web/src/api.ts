// Cairn's REST API, called with the service token the user logged in with.
// The token lives in sessionStorage only: it is gone when the tab closes and
// is never written to a cookie, localStorage or a URL.
import type {
  CatalogCounts,
  ConnectionTest,
  CredentialBlock,
  Entity,
  ExtractionRun,
  Integration,
  IntegrationSettings,
  LineageGraph,
  SearchPage,
  ServiceToken,
  Session,
} from "./types";

const TOKEN_KEY = "cairn.token";

export const LOGGED_OUT_EVENT = "cairn:logged-out";

export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

// Both error shapes Cairn answers with: its own {"error": {...}} and, under
// /api/v3/, dbt Cloud's {"status": {"user_message", "developer_message"}}.
function errorMessage(body: unknown, status: number): string {
  const value = body as {
    error?: { message?: string };
    status?: { developer_message?: string; user_message?: string };
  } | null;
  return (
    value?.error?.message ||
    value?.status?.developer_message ||
    value?.status?.user_message ||
    `the server answered ${status}`
  );
}

interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal;
  token?: string;
}

async function call<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const token = options.token ?? storedToken();
  const headers: Record<string, string> = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  let body: BodyInit | undefined;
  if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  const response = await fetch(path, { method, headers, body, signal: options.signal });
  const text = await response.text();
  const parsed: unknown = text ? JSON.parse(text) : null;
  if (!response.ok) {
    if (response.status === 401 && options.token === undefined) {
      forgetToken();
      window.dispatchEvent(new Event(LOGGED_OUT_EVENT));
    }
    throw new ApiError(response.status, errorMessage(parsed, response.status));
  }
  return parsed as T;
}

function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

const entityPath = (fqn: string) => `/api/v1/entities/${encodeURIComponent(fqn)}`;

export interface SearchParams {
  q: string;
  type?: string;
  schema?: string;
  tag?: string;
  owner?: string;
  status?: string;
  limit?: number;
  offset?: number;
}

export type ArtifactKind = "manifest" | "run_results" | "catalog" | "sources";

export const api = {
  session: (token?: string) => call<Session>("GET", "/api/v1/session", { token }),
  stats: () => call<CatalogCounts>("GET", "/api/v1/stats"),

  search: (params: SearchParams, signal?: AbortSignal) =>
    call<SearchPage>("GET", `/api/v1/search${query({ ...params, facets: 1 })}`, { signal }),

  entity: (fqn: string, signal?: AbortSignal) => call<Entity>("GET", entityPath(fqn), { signal }),
  editEntity: (fqn: string, edits: Record<string, unknown>) =>
    call<Entity>("PATCH", entityPath(fqn), { body: edits }),

  lineage: (fqn: string, depth: number, direction: string, signal?: AbortSignal) =>
    call<LineageGraph>(
      "GET",
      `/api/v1/lineage/${encodeURIComponent(fqn)}${query({ depth, direction })}`,
      { signal },
    ),

  integrations: () => call<{ items: Integration[] }>("GET", "/api/v1/integrations"),
  createIntegration: (name: string, settings: IntegrationSettings = {}) =>
    call<Integration>("POST", "/api/v1/integrations", {
      body: { name, type: settings.dbt_cloud ? "dbt_cloud" : "dbt_core", settings },
    }),
  testSettings: (settings: IntegrationSettings) =>
    call<ConnectionTest>("POST", "/api/v1/integrations/test", { body: { settings } }),
  runs: (id: string) =>
    call<{ items: ExtractionRun[]; total: number }>(
      "GET",
      `/api/v1/integrations/${encodeURIComponent(id)}/runs?limit=20`,
    ),
  run: (id: string, runId: number) =>
    call<ExtractionRun>("GET", `/api/v1/integrations/${encodeURIComponent(id)}/runs/${runId}`),
  testConnection: (id: string) =>
    call<ConnectionTest>("POST", `/api/v1/integrations/${encodeURIComponent(id)}/test`),
  sync: (id: string) =>
    call<{ message: string; run: ExtractionRun }>(
      "POST",
      `/api/v1/integrations/${encodeURIComponent(id)}/sync`,
    ),

  tokens: (account: number) =>
    call<{ data: ServiceToken[] }>("GET", `/api/v3/accounts/${account}/service-tokens/`),
  createToken: (account: number, name: string, permissionSet: string) =>
    call<{ data: ServiceToken }>("POST", `/api/v3/accounts/${account}/service-tokens/`, {
      body: { name, permission_grants: [{ permission_set: permissionSet }] },
    }),
  revokeToken: (account: number, id: number) =>
    call<{ data: ServiceToken }>("DELETE", `/api/v3/accounts/${account}/service-tokens/${id}/`),

  credentials: () => call<{ items: CredentialBlock[] }>("GET", "/api/v1/credentials"),
  createCredential: (block: { name: string; account_id: string; domain: string; api_key: string }) =>
    call<CredentialBlock>("POST", "/api/v1/credentials", { body: { type: "dbt-cloud", ...block } }),
  deleteCredential: (name: string) =>
    call<null>("DELETE", `/api/v1/credentials/${encodeURIComponent(name)}`),
};

// Uploads one artifact as the raw request body. XMLHttpRequest rather than
// fetch because it reports upload progress, which a 200 MB manifest needs;
// the browser streams the file from disk either way.
export function uploadArtifact(
  integrationId: string,
  kind: ArtifactKind,
  file: File,
  onProgress: (fraction: number) => void,
): Promise<{ message: string; run: ExtractionRun }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/v1/integrations/${encodeURIComponent(integrationId)}/artifacts/${kind}`);
    const token = storedToken();
    if (token) xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.setRequestHeader("Content-Type", "application/json");
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(body as { message: string; run: ExtractionRun });
      } else {
        reject(new ApiError(xhr.status, errorMessage(body, xhr.status)));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, "the upload was interrupted (network error)"));
    xhr.send(file);
  });
}
