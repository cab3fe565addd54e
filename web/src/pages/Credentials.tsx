// Credential blocks (admins only): the dbt Cloud keys Cairn uses, as
// `cairn credentials` keeps them. A key is typed in a password field, sent
// once on create and shown only masked after.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import { ErrorBox } from "../components/Badges";
import { formatTime } from "../format";
import type { CredentialBlock } from "../types";

const EMPTY_FORM = { name: "", account_id: "", domain: "cloud.getdbt.com", api_key: "" };

export function Credentials() {
  const [blocks, setBlocks] = useState<CredentialBlock[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [form, setForm] = useState(EMPTY_FORM);

  const refresh = () => api.credentials().then((page) => setBlocks(page.items), setError);
  useEffect(() => {
    refresh();
  }, []);

  const field = (key: keyof typeof EMPTY_FORM) => ({
    value: form[key],
    onInput: (e: Event) => setForm({ ...form, [key]: (e.target as HTMLInputElement).value }),
  });

  const create = async (event: Event) => {
    event.preventDefault();
    try {
      await api.createCredential({ ...form, name: form.name.trim(), account_id: form.account_id.trim() });
      setForm(EMPTY_FORM); // the key leaves the page's state once sent
      setError(null);
      refresh();
    } catch (caught) {
      setError(caught);
    }
  };
  const remove = async (block: CredentialBlock) => {
    if (!window.confirm(`Delete "${block.name}"? Commands using it stop working.`)) return;
    try {
      await api.deleteCredential(block.name);
      refresh();
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <div class="credentials-page">
      <h1>Credentials</h1>
      <form class="card inline-form" onSubmit={create} aria-label="New credential block">
        <label for="credential-name">New dbt Cloud block</label>
        <input id="credential-name" placeholder="e.g. prod" required {...field("name")} />
        <input aria-label="Account id" placeholder="account id" inputMode="numeric" required {...field("account_id")} />
        <input aria-label="Domain" placeholder="cloud.getdbt.com" required {...field("domain")} />
        <input aria-label="API key" type="password" autoComplete="off" placeholder="API key" required {...field("api_key")} />
        <button type="submit" disabled={!form.name.trim() || !form.account_id.trim() || !form.api_key}>
          Create
        </button>
      </form>
      {error !== null && <ErrorBox error={error} />}
      {blocks && blocks.length === 0 && <p class="muted">No credential blocks yet.</p>}
      {blocks && blocks.length > 0 && (
        <table class="tokens" aria-label="Credential blocks">
          <thead>
            <tr>
              <th>Name</th>
              <th>Type</th>
              <th>Account</th>
              <th>Domain</th>
              <th>API key</th>
              <th>Created</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {blocks.map((block) => (
              <tr key={block.name} data-credential={block.name}>
                <td>{block.name}</td>
                <td class="mono">{block.type}</td>
                <td>{block.account_id}</td>
                <td class="mono">{block.domain}</td>
                <td class="mono">{block.api_key}</td>
                <td>{formatTime(block.created_at)}</td>
                <td>
                  <button class="danger" onClick={() => remove(block)} aria-label={`Delete ${block.name}`}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
