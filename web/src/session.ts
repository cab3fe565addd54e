import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Access, Session } from "./types";

const LEVELS: Access[] = ["none", "read", "ingest", "admin"];

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside a logged-in page");
  return session;
}

// Whether the session may do what needs `level` (the server checks again).
export function allows(session: Session, level: Access): boolean {
  return LEVELS.indexOf(session.access) >= LEVELS.indexOf(level);
}
