// Hash routes, so that the server serves one page and any link can be
// bookmarked or reloaded:
//   #/                          search (the home page), ?q=&type=&schema=&tag=&owner=&status=
//   #/entity/FQN                an entity page
//   #/lineage/FQN?depth=&direction=
//   #/integrations, #/integrations/ID
//   #/tokens
import { useEffect, useState } from "preact/hooks";

export interface Route {
  page: string; // "search", "entity", "lineage", "integrations", "tokens"
  arg: string; // the decoded path after the page ("" when none)
  params: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const text = hash.replace(/^#\/?/, "");
  const [path, queryText = ""] = text.split("?", 2) as [string, string?];
  const slash = path.indexOf("/");
  const page = (slash < 0 ? path : path.slice(0, slash)) || "search";
  const arg = slash < 0 ? "" : decodeURIComponent(path.slice(slash + 1));
  return { page, arg, params: new URLSearchParams(queryText) };
}

export function href(page: string, arg = "", params?: Record<string, string | number>): string {
  let link = `#/${page}`;
  if (arg) link += `/${encodeURIComponent(arg)}`;
  if (params) {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      if (value !== "" && value !== undefined) search.set(key, String(value));
    }
    const text = search.toString();
    if (text) link += `?${text}`;
  }
  return link;
}

export const entityHref = (fqn: string) => href("entity", fqn);

export function navigate(link: string, replace = false): void {
  if (replace) {
    history.replaceState(null, "", link);
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  } else {
    location.hash = link;
  }
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}
