// Service tokens (admins only): create one (its secret is shown once), list
// them, revoke one. The API has dbt Cloud's v3 shape.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import { ErrorBox } from "../components/Badges";
import { formatTime } from "../format";
import { useSession } from "../session";
import type { ServiceToken } from "../types";

// The permission sets offered here; the API accepts all of dbt Cloud's.
const PERMISSION_SETS = [
  { value: "metadata_only", label: "Metadata read-only (metadata_only)" },
  { value: "job_admin", label: "Ingestion writer (job_admin)" },
  { value: "account_admin", label: "Account admin (account_admin)" },
];

export function Tokens() {
  const session = useSession();
  const [tokens, setTokens] = useState<ServiceToken[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [name, setName] = useState("");
  const [permission, setPermission] = useState(PERMISSION_SETS[0]!.value);
  const [created, setCreated] = useState<ServiceToken | null>(null);

  const refresh = () => api.tokens(session.account_id).then((page) => setTokens(page.data), setError);
  useEffect(() => {
    refresh();
  }, []);

  const create = async (event: Event) => {
    event.preventDefault();
    try {
      const answer = await api.createToken(session.account_id, name.trim(), permission);
      setCreated(answer.data);
      setName("");
      setError(null);
      refresh();
    } catch (caught) {
      setError(caught);
    }
  };
  const revoke = async (token: ServiceToken) => {
    if (!window.confirm(`Revoke "${token.name}"? Clients using it get 401 from now on.`)) return;
    try {
      await api.revokeToken(session.account_id, token.id);
      refresh();
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <div class="tokens-page">
      <h1>Service tokens</h1>
      <form class="card inline-form" onSubmit={create} aria-label="New service token">
        <label for="token-name">New token</label>
        <input
          id="token-name"
          placeholder="e.g. airflow-prod"
          value={name}
          onInput={(e) => setName((e.target as HTMLInputElement).value)}
          required
        />
        <select aria-label="Permission set" value={permission} onChange={(e) => setPermission((e.target as HTMLSelectElement).value)}>
          {PERMISSION_SETS.map((set) => (
            <option value={set.value} key={set.value}>
              {set.label}
            </option>
          ))}
        </select>
        <button type="submit" disabled={!name.trim()}>
          Create
        </button>
      </form>
      {created?.token_string && (
        <div class="card secret" role="status" aria-label="New token">
          <p>
            <strong>{created.name}</strong>: copy this token now. It is shown this once and cannot be recovered.
          </p>
          <code class="token-string">{created.token_string}</code>
          <div class="actions">
            <button class="secondary" onClick={() => navigator.clipboard?.writeText(created.token_string ?? "")}>
              Copy
            </button>
            <button class="secondary" onClick={() => setCreated(null)}>
              Done
            </button>
          </div>
        </div>
      )}
      {error !== null && <ErrorBox error={error} />}
      {tokens && (
        <table class="tokens" aria-label="Service tokens">
          <thead>
            <tr>
              <th>Name</th>
              <th>Permissions</th>
              <th>State</th>
              <th>Created</th>
              <th>Last used</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {tokens.map((token) => (
              <tr key={token.id} data-token={token.name} data-state={token.state}>
                <td>
                  {token.name}
                  {token.id === session.token_id && <span class="muted"> (this session)</span>}
                </td>
                <td class="mono">{token.permission_grants.map((g) => g.permission_set).join(", ") || "—"}</td>
                <td>
                  <span class={token.state === 1 ? "status ok" : "status none"}>{token.state === 1 ? "active" : "revoked"}</span>
                </td>
                <td>{formatTime(token.created_at)}</td>
                <td>{formatTime(token.last_used)}</td>
                <td>
                  {token.state === 1 && token.id !== session.token_id && (
                    <button class="danger" onClick={() => revoke(token)} aria-label={`Revoke ${token.name}`}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
