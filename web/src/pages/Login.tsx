import { useState } from "preact/hooks";
import { api, storeToken } from "../api";
import { ErrorBox } from "../components/Badges";
import type { Session } from "../types";

// Asks for a service token, checks it against /api/v1/session and keeps it
// in this browser tab's session storage.
export function Login({ onLogin, reason }: { onLogin: (session: Session) => void; reason?: string }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const session = await api.session(token.trim());
      storeToken(token.trim());
      onLogin(session);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login">
      <h1 class="brand">Cairn</h1>
      <p class="muted">The catalog of your dbt projects.</p>
      <form onSubmit={submit} class="card">
        <label for="token">Service token</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="off"
          placeholder="cairn_…"
          value={token}
          onInput={(e) => setToken((e.target as HTMLInputElement).value)}
          autoFocus
          required
        />
        <p class="hint">
          The token is kept in this tab only. <code>cairn serve</code> prints an admin token on its
          first start; admins create more on the Tokens page.
        </p>
        {reason && <p class="hint">{reason}</p>}
        {error !== null && <ErrorBox error={error} />}
        <button type="submit" disabled={busy || !token.trim()}>
          {busy ? "Checking…" : "Log in"}
        </button>
      </form>
    </main>
  );
}
