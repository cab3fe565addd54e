// The lineage graph of one entity: upstream on the left, downstream on the
// right, laid out by ELK's layered algorithm and drawn by Cytoscape. This
// module and its libraries load only when the page opens.
import cytoscape from "cytoscape";
import ELK from "elkjs/lib/elk.bundled.js";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api } from "../api";
import { ErrorBox, StatusBadge, TypeBadge } from "../components/Badges";
import { LineageModel, type LineageView, type ViewNode } from "../lineage_graph";
import { entityHref, href, navigate, type Route } from "../router";
import type { LineageGraph, LineageNode } from "../types";

const elk = new ELK();

const COLORS: Record<string, string> = {
  model: "#3056d3",
  source: "#2f8f46",
  seed: "#8a5cd0",
  snapshot: "#b5651d",
  exposure: "#d04a8a",
  metric: "#0f8b8d",
  semantic_model: "#0f8b8d",
  table: "#5f6b7a",
};

function nodeWidth(label: string): number {
  return Math.min(260, Math.max(90, label.length * 7.2 + 28));
}

async function layout(view: LineageView): Promise<Map<string, { x: number; y: number }>> {
  const result = await elk.layout({
    id: "lineage",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": "RIGHT",
      "elk.layered.spacing.nodeNodeBetweenLayers": "70",
      "elk.spacing.nodeNode": "18",
      "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
    },
    children: view.nodes.map((n) => ({ id: n.id, width: nodeWidth(n.label), height: 34 })),
    edges: view.edges.map((e, i) => ({ id: `e${i}`, sources: [e.source], targets: [e.target] })),
  });
  const positions = new Map<string, { x: number; y: number }>();
  for (const child of result.children ?? []) {
    positions.set(child.id, {
      x: (child.x ?? 0) + (child.width ?? 0) / 2,
      y: (child.y ?? 0) + (child.height ?? 0) / 2,
    });
  }
  return positions;
}

function elementsOf(view: LineageView, rootKey: string): cytoscape.ElementDefinition[] {
  const nodes = view.nodes.map((n: ViewNode) => ({
    data: {
      id: n.id,
      label: n.expandable ? `${n.label}  +` : n.label,
      width: nodeWidth(n.label),
      color: n.more ? "#8892a0" : (COLORS[n.node?.resource_type ?? ""] ?? "#5f6b7a"),
      status: n.node?.test_status ?? "none",
    },
    classes: [n.more ? "more" : "", n.id === rootKey ? "root" : "", `status-${n.node?.test_status ?? "none"}`]
      .filter(Boolean)
      .join(" "),
  }));
  const edges = view.edges.map((e, i) => ({ data: { id: `e${i}`, source: e.source, target: e.target } }));
  return [...nodes, ...edges];
}

const STYLE: cytoscape.StylesheetJson = [
  {
    selector: "node",
    style: {
      shape: "round-rectangle",
      width: "data(width)",
      height: 34,
      "background-color": "#fff",
      "border-width": 2,
      "border-color": "data(color)",
      label: "data(label)",
      "font-size": 12,
      "text-valign": "center",
      "text-halign": "center",
      color: "#1d2530",
    },
  },
  { selector: "node.root", style: { "background-color": "#e8eefc", "border-width": 3 } },
  { selector: "node.more", style: { "border-style": "dashed", color: "#5f6b7a" } },
  { selector: "node.status-fail, node.status-error", style: { "border-color": "#c62f2f", "background-color": "#fdecec", "border-width": 3 } },
  { selector: "node.status-warn", style: { "border-color": "#c98a04", "background-color": "#fff6e0" } },
  { selector: "node:selected", style: { "overlay-color": "#3056d3", "overlay-opacity": 0.15 } },
  {
    selector: "edge",
    style: {
      width: 1.5,
      "line-color": "#b7c0cc",
      "target-arrow-color": "#b7c0cc",
      "target-arrow-shape": "triangle",
      "curve-style": "bezier",
    },
  },
];

function NodeList({ title, nodes }: { title: string; nodes: LineageNode[] }) {
  return (
    <section class="card lineage-list" aria-label={title}>
      <h2>
        {title} ({nodes.length})
      </h2>
      <ul class="plain">
        {nodes.map((node) => (
          <li key={node.fqn}>
            <a href={entityHref(node.fqn)}>{node.name}</a> <TypeBadge type={node.resource_type} />{" "}
            {node.test_status && node.test_status !== "none" && node.test_status !== "pass" && (
              <StatusBadge status={node.test_status} />
            )}
            <span class="muted"> {Math.abs(node.distance)} hop{Math.abs(node.distance) === 1 ? "" : "s"}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function Lineage({ route }: { route: Route }) {
  const fqn = route.arg;
  const depth = Math.min(5, Math.max(1, Number(route.params.get("depth")) || 2));
  const [graph, setGraph] = useState<LineageGraph | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const [uncapped, setUncapped] = useState<Set<string>>(new Set());
  const [selected, setSelected] = useState<string | null>(null);
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const controller = new AbortController();
    setGraph(null);
    setError(null);
    setSelected(null);
    api.lineage(fqn, depth, "both", controller.signal).then(
      (result) => {
        setGraph(result);
        setExpanded(new Set([result.root.toLowerCase()]));
        setUncapped(new Set());
      },
      (caught: unknown) => {
        if ((caught as Error).name !== "AbortError") setError(caught);
      },
    );
    return () => controller.abort();
  }, [fqn, depth]);

  const model = useMemo(() => (graph ? new LineageModel(graph) : null), [graph]);
  const view = useMemo(() => model?.view(expanded, uncapped) ?? null, [model, expanded, uncapped]);

  // Draws the view; a click selects a node (or opens a "+N more"), a
  // double click opens its page.
  useEffect(() => {
    const element = box.current;
    if (!element || !view || !model) return undefined;
    let cy: cytoscape.Core | null = null;
    let cancelled = false;
    layout(view).then((positions) => {
      if (cancelled) return;
      cy = cytoscape({
        container: element,
        elements: elementsOf(view, model.rootKey),
        style: STYLE,
        layout: { name: "preset", positions: (node: cytoscape.NodeSingular) => positions.get(node.id()) ?? { x: 0, y: 0 } } as cytoscape.LayoutOptions,
        wheelSensitivity: 0.3,
        maxZoom: 2,
        minZoom: 0.1,
      });
      cy.fit(undefined, 24);
      if (cy.zoom() > 1.2) cy.zoom({ level: 1.2, renderedPosition: { x: element.clientWidth / 2, y: element.clientHeight / 2 } });
      cy.on("tap", "node", (event) => {
        const id = event.target.id() as string;
        const more = view.nodes.find((n) => n.id === id)?.more;
        if (more) {
          setUncapped((old) => new Set(old).add(`${more.parent}:${more.side}`));
        } else {
          setSelected(id);
        }
      });
      cy.on("dbltap", "node", (event) => {
        const node = model.node(event.target.id() as string);
        if (node) navigate(entityHref(node.fqn));
      });
      // For the browser tests: where each node is drawn.
      (element as HTMLElement & { cairnGraph?: cytoscape.Core }).cairnGraph = cy;
      element.dataset.nodes = String(view.nodes.length);
    });
    return () => {
      cancelled = true;
      cy?.destroy();
    };
  }, [view]);

  if (error !== null) return <ErrorBox error={error} />;
  if (!graph || !model) return <p class="muted">Loading lineage…</p>;
  const root = model.node(model.rootKey);
  const chosen = selected ? model.node(selected) : undefined;
  const toggle = (key: string) =>
    setExpanded((old) => {
      const next = new Set(old);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  return (
    <div class="lineage-page">
      <header class="entity-head">
        <h1>Lineage of {root?.name ?? fqn}</h1>
        <a class="button secondary" href={entityHref(fqn)}>
          Back to the page
        </a>
        <label class="depth">
          Depth{" "}
          <select
            aria-label="Depth"
            value={depth}
            onChange={(e) => navigate(href("lineage", fqn, { depth: (e.target as HTMLSelectElement).value }), true)}
          >
            {[1, 2, 3, 4, 5].map((d) => (
              <option value={d} key={d}>
                {d}
              </option>
            ))}
          </select>
        </label>
        <button class="secondary" onClick={() => setExpanded(new Set(graph.nodes.map((n) => n.fqn.toLowerCase())))}>
          Expand all
        </button>
        <button class="secondary" onClick={() => setExpanded(new Set([model.rootKey]))}>
          Collapse
        </button>
      </header>
      <p class="muted">
        {graph.nodes.length} nodes and {graph.edges.length} edges within {depth} hop{depth === 1 ? "" : "s"}; showing{" "}
        {view?.nodes.length}. Nodes marked + have more lineage: select one and expand it. Red borders are failing tests.
        Double-click a node to open its page.
      </p>
      <div class="lineage-layout">
        <div class="lineage-graph" ref={box} role="img" aria-label="Lineage graph" />
        <aside class="lineage-side">
          {chosen && (
            <section class="card selected-node" aria-label="Selected node">
              <h2>{chosen.name}</h2>
              <p>
                <TypeBadge type={chosen.resource_type} />{" "}
                {chosen.test_status && chosen.test_status !== "none" && <StatusBadge status={chosen.test_status} />}
              </p>
              <p class="fqn">{chosen.fqn}</p>
              <div class="actions">
                <a class="button" href={entityHref(chosen.fqn)}>
                  Open page
                </a>
                <button class="secondary" onClick={() => toggle(chosen.fqn.toLowerCase())}>
                  {expanded.has(chosen.fqn.toLowerCase()) ? "Collapse" : "Expand"}
                </button>
                <a class="button secondary" href={href("lineage", chosen.fqn, { depth })}>
                  Center here
                </a>
              </div>
            </section>
          )}
          <NodeList title="Upstream" nodes={model.listed("up")} />
          <NodeList title="Downstream" nodes={model.listed("down")} />
        </aside>
      </div>
    </div>
  );
}
