// The home page: search as you type over names, descriptions and columns,
// with facets that narrow the results.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, type SearchParams } from "../api";
import { ErrorBox, StatusBadge, TypeBadge } from "../components/Badges";
import { formatCount } from "../format";
import { entityHref, href, navigate, type Route } from "../router";
import type { CatalogCounts, FacetName, SearchPage } from "../types";

const PAGE_SIZE = 25;

// Facet name → query parameter of /api/v1/search, and its heading.
const FACETS: { name: FacetName; param: keyof SearchParams; title: string }[] = [
  { name: "resource_type", param: "type", title: "Resource type" },
  { name: "test_status", param: "status", title: "Test status" },
  { name: "schema", param: "schema", title: "Schema" },
  { name: "tag", param: "tag", title: "Tag" },
  { name: "owner", param: "owner", title: "Owner" },
];

function paramsOf(route: Route): SearchParams {
  const get = (key: string) => route.params.get(key) ?? "";
  return {
    q: get("q"),
    type: get("type"),
    schema: get("schema"),
    tag: get("tag"),
    owner: get("owner"),
    status: get("status"),
    offset: Number(get("offset")) || 0,
    limit: PAGE_SIZE,
  };
}

function linkWith(params: SearchParams, changes: Partial<SearchParams>): string {
  const next = { ...params, offset: 0, ...changes };
  const out: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(next)) {
    if (key !== "limit" && value) out[key] = value as string | number;
  }
  return href("search", "", out);
}

export function Search({ route }: { route: Route }) {
  const params = paramsOf(route);
  const key = JSON.stringify(params);
  const [text, setText] = useState(params.q);
  const [page, setPage] = useState<SearchPage | null>(null);
  const [shownQuery, setShownQuery] = useState<string | null>(null);
  const [elapsed, setElapsed] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [counts, setCounts] = useState<CatalogCounts | null>(null);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    api.stats().then(setCounts, () => setCounts(null));
  }, []);

  // The URL is the state: typing rewrites it in place, and the search runs
  // for whatever it says. A newer search aborts the one in flight.
  useEffect(() => {
    const controller = new AbortController();
    const started = performance.now();
    api.search(params, controller.signal).then(
      (result) => {
        setPage(result);
        setShownQuery(params.q);
        setElapsed(performance.now() - started);
        setError(null);
      },
      (caught: unknown) => {
        if ((caught as Error).name !== "AbortError") setError(caught);
      },
    );
    return () => controller.abort();
  }, [key]);

  const onInput = (value: string) => {
    setText(value);
    navigate(linkWith(params, { q: value }), true);
  };

  const active = FACETS.filter((facet) => params[facet.param]);
  return (
    <div class="search-page">
      <section class="search-bar">
        <input
          ref={input}
          type="search"
          aria-label="Search the catalog"
          placeholder="Search models, sources, columns, descriptions…"
          value={text}
          onInput={(e) => onInput((e.target as HTMLInputElement).value)}
          autoFocus
        />
        {counts && (
          <p class="muted catalog-size">
            {formatCount(counts.tables)} tables · {formatCount(counts.nodes)} dbt resources ·{" "}
            {formatCount(counts.columns)} columns · {formatCount(counts.invocations)} invocations
          </p>
        )}
      </section>
      <div class="search-body">
        <aside class="facets" aria-label="Filters">
          {FACETS.map((facet) => {
            const values = page?.facets?.[facet.name] ?? [];
            const selected = params[facet.param] as string;
            if (values.length === 0 && !selected) return null;
            return (
              <div class="facet" key={facet.name} data-facet={facet.name}>
                <h3>{facet.title}</h3>
                <ul>
                  {values.map((value) => (
                    <li key={value.value}>
                      <a
                        class={selected === value.value ? "facet-value selected" : "facet-value"}
                        href={linkWith(params, {
                          [facet.param]: selected === value.value ? "" : value.value,
                        })}
                      >
                        <span>{value.value}</span>
                        <span class="count">{formatCount(value.count)}</span>
                      </a>
                    </li>
                  ))}
                </ul>
              </div>
            );
          })}
        </aside>
        <section class="results" aria-live="polite">
          {active.length > 0 && (
            <p class="active-filters">
              {active.map((facet) => (
                <a class="chip removable" href={linkWith(params, { [facet.param]: "" })} key={facet.param}>
                  {facet.title}: {params[facet.param]} ×
                </a>
              ))}
            </p>
          )}
          {error !== null && <ErrorBox error={error} />}
          {page && (
            <p class="muted result-count" data-query={shownQuery ?? ""}>
              {formatCount(page.total)} {page.total === 1 ? "result" : "results"}
              {elapsed !== null && <span> in {Math.round(elapsed)} ms</span>}
            </p>
          )}
          <ol class="hits">
            {page?.hits.map((hit) => (
              <li class="hit" key={hit.fqn}>
                <div class="hit-head">
                  <a class="hit-name" href={entityHref(hit.fqn)}>
                    {hit.name}
                  </a>
                  <TypeBadge type={hit.resource_type} />
                  {hit.test_status && hit.test_status !== "none" && (
                    <StatusBadge status={hit.test_status} label={`tests: ${hit.test_status}`} />
                  )}
                </div>
                <div class="fqn">{hit.fqn}</div>
                {hit.description && <p class="hit-description">{hit.description}</p>}
              </li>
            ))}
          </ol>
          {page && page.total > PAGE_SIZE && (
            <nav class="pager">
              {(params.offset ?? 0) > 0 && (
                <a href={linkWith(params, { offset: Math.max(0, (params.offset ?? 0) - PAGE_SIZE) })}>
                  ← Previous
                </a>
              )}
              <span class="muted">
                {(params.offset ?? 0) + 1}–{Math.min(page.total, (params.offset ?? 0) + PAGE_SIZE)} of{" "}
                {formatCount(page.total)}
              </span>
              {(params.offset ?? 0) + PAGE_SIZE < page.total && (
                <a href={linkWith(params, { offset: (params.offset ?? 0) + PAGE_SIZE })}>Next →</a>
              )}
            </nav>
          )}
        </section>
      </div>
    </div>
  );
}
