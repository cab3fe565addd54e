import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, forgetToken, LOGGED_OUT_EVENT, storedToken } from "./api";
import { ErrorBox } from "./components/Badges";
import { Credentials } from "./pages/Credentials";
import { Integrations } from "./pages/Integrations";
import { Login } from "./pages/Login";
import { Search } from "./pages/Search";
import { Tokens } from "./pages/Tokens";
import { href, useRoute, type Route } from "./router";
import { allows, SessionContext } from "./session";
import type { Session } from "./types";
import "./style.css";

// Pages that bring large libraries load the first time they open, so that
// the home page (search) renders without them: the entity page brings
// Markdown, sanitising, highlighting and charts; lineage brings Cytoscape
// and ELK (most of the UI's bytes).
function useModule<T>(load: () => Promise<T>): { module: T | null; error: unknown } {
  const [module, setModule] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    load().then(setModule, setError);
  }, []);
  return { module, error };
}

function LazyEntity({ fqn }: { fqn: string }) {
  const { module, error } = useModule(() => import("./pages/Entity"));
  if (error !== null) return <ErrorBox error={error} />;
  if (!module) return <p class="muted">Loading…</p>;
  return <module.Entity fqn={fqn} key={fqn} />;
}

function LazyLineage({ route }: { route: Route }) {
  const { module, error } = useModule(() => import("./pages/Lineage"));
  if (error !== null) return <ErrorBox error={error} />;
  if (!module) return <p class="muted">Loading lineage…</p>;
  return <module.Lineage route={route} />;
}

function Page({ route, session }: { route: Route; session: Session }) {
  switch (route.page) {
    case "search":
      return <Search route={route} />;
    case "entity":
      return <LazyEntity fqn={route.arg} />;
    case "lineage":
      return <LazyLineage route={route} />;
    case "integrations":
      return allows(session, "ingest") ? <Integrations selectedId={route.arg} /> : <Forbidden what="integrations" />;
    case "tokens":
      return allows(session, "admin") ? <Tokens /> : <Forbidden what="service tokens" />;
    case "credentials":
      return allows(session, "admin") ? <Credentials /> : <Forbidden what="credentials" />;
    default:
      return <ErrorBox error={`No page '${route.page}'.`} />;
  }
}

function Forbidden({ what }: { what: string }) {
  return <ErrorBox error={`This token may not manage ${what}.`} />;
}

function Shell({ session, onLogout }: { session: Session; onLogout: () => void }) {
  const route = useRoute();
  const tab = (page: string, label: string) => (
    <a href={href(page)} class={route.page === page ? "nav-link active" : "nav-link"}>
      {label}
    </a>
  );
  return (
    <SessionContext.Provider value={session}>
      <header class="topbar">
        <a class="brand" href={href("search")}>
          Cairn
        </a>
        <nav>
          {tab("search", "Search")}
          {allows(session, "ingest") && tab("integrations", "Integrations")}
          {allows(session, "admin") && tab("tokens", "Tokens")}
          {allows(session, "admin") && tab("credentials", "Credentials")}
        </nav>
        <span class="who muted" title={`access: ${session.access}`}>
          {session.name}
        </span>
        <button class="link-button" onClick={onLogout}>
          Log out
        </button>
      </header>
      <main class="content">
        <Page route={route} session={session} />
      </main>
    </SessionContext.Provider>
  );
}

function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [checking, setChecking] = useState(storedToken() !== null);
  const [reason, setReason] = useState("");

  useEffect(() => {
    if (storedToken() !== null) {
      api.session().then(setSession, () => setSession(null)).finally(() => setChecking(false));
    }
    const onLoggedOut = () => {
      setSession(null);
      setReason("The server no longer accepts that token (revoked or expired): log in again.");
    };
    window.addEventListener(LOGGED_OUT_EVENT, onLoggedOut);
    return () => window.removeEventListener(LOGGED_OUT_EVENT, onLoggedOut);
  }, []);

  if (checking) return <p class="muted content">Loading…</p>;
  if (!session) return <Login onLogin={(s) => (setReason(""), setSession(s))} reason={reason} />;
  return (
    <Shell
      session={session}
      onLogout={() => {
        forgetToken();
        setSession(null);
      }}
    />
  );
}

render(<App />, document.getElementById("app")!);
