// What the lineage page shows of a fetched lineage graph. Hubs have hundreds
// of neighbours, so the view starts collapsed: the root's direct neighbours
// only, at most FAN_OUT of them per node (failing ones first) behind a
// "+N more" node; each node opens one level further when expanded.
import type { LineageGraph, LineageNode } from "./types";

export const FAN_OUT = 12;

export interface ViewNode {
  id: string; // the fqn, or "more:<fqn>:<side>" for a "+N more" node
  label: string;
  node?: LineageNode;
  more?: { parent: string; side: "up" | "down"; hidden: number };
  expandable: boolean; // has neighbours further out that are not shown
}

export interface ViewEdge {
  source: string;
  target: string;
}

export interface LineageView {
  nodes: ViewNode[];
  edges: ViewEdge[];
}

const RANK: Record<string, number> = { error: 0, fail: 0, warn: 1 };

function ordered(nodes: LineageNode[]): LineageNode[] {
  return [...nodes].sort(
    (a, b) =>
      (RANK[a.test_status ?? ""] ?? 2) - (RANK[b.test_status ?? ""] ?? 2) || a.name.localeCompare(b.name),
  );
}

export class LineageModel {
  private readonly byFqn = new Map<string, LineageNode>();
  private readonly upstreamOf = new Map<string, string[]>();
  private readonly downstreamOf = new Map<string, string[]>();

  constructor(readonly graph: LineageGraph) {
    for (const node of graph.nodes) this.byFqn.set(node.fqn.toLowerCase(), node);
    for (const edge of graph.edges) {
      const up = edge.upstream.toLowerCase();
      const down = edge.downstream.toLowerCase();
      if (!this.byFqn.has(up) || !this.byFqn.has(down)) continue;
      const downs = this.downstreamOf.get(up) ?? [];
      if (!downs.includes(down)) downs.push(down);
      this.downstreamOf.set(up, downs);
      const ups = this.upstreamOf.get(down) ?? [];
      if (!ups.includes(up)) ups.push(up);
      this.upstreamOf.set(down, ups);
    }
  }

  get rootKey(): string {
    return this.graph.root.toLowerCase();
  }

  node(key: string): LineageNode | undefined {
    return this.byFqn.get(key.toLowerCase());
  }

  // Neighbours away from the root: upstream of upstream nodes, downstream of
  // downstream ones, both of the root.
  private neighbours(key: string): { side: "up" | "down"; keys: string[] }[] {
    const node = this.byFqn.get(key);
    const distance = node?.distance ?? 0;
    const sides: { side: "up" | "down"; keys: string[] }[] = [];
    if (distance <= 0) {
      sides.push({
        side: "up",
        keys: (this.upstreamOf.get(key) ?? []).filter((k) => (this.byFqn.get(k)?.distance ?? 0) < distance),
      });
    }
    if (distance >= 0) {
      sides.push({
        side: "down",
        keys: (this.downstreamOf.get(key) ?? []).filter((k) => (this.byFqn.get(k)?.distance ?? 0) > distance),
      });
    }
    return sides;
  }

  // expanded: nodes whose neighbours are shown; uncapped: "parent:side" whose
  // "+N more" was opened.
  view(expanded: Set<string>, uncapped: Set<string>): LineageView {
    const shown = new Map<string, ViewNode>();
    const edges: ViewEdge[] = [];
    const queue = [this.rootKey];
    const show = (key: string) => {
      if (shown.has(key)) return;
      const node = this.byFqn.get(key)!;
      shown.set(key, { id: key, label: node.name, node, expandable: false });
    };
    show(this.rootKey);
    while (queue.length > 0) {
      const key = queue.shift()!;
      for (const { side, keys } of this.neighbours(key)) {
        if (keys.length === 0) continue;
        if (!expanded.has(key)) {
          shown.get(key)!.expandable = true;
          continue;
        }
        const list = ordered(keys.map((k) => this.byFqn.get(k)!));
        const cap = uncapped.has(`${key}:${side}`) ? list.length : FAN_OUT;
        for (const neighbour of list.slice(0, cap)) {
          const neighbourKey = neighbour.fqn.toLowerCase();
          const isNew = !shown.has(neighbourKey);
          show(neighbourKey);
          if (isNew) queue.push(neighbourKey);
        }
        if (list.length > cap) {
          const id = `more:${key}:${side}`;
          shown.set(id, {
            id,
            label: `+${list.length - cap} more`,
            more: { parent: key, side, hidden: list.length - cap },
            expandable: false,
          });
          edges.push(side === "up" ? { source: id, target: key } : { source: key, target: id });
        }
      }
    }
    for (const [up, downs] of this.downstreamOf) {
      if (!shown.has(up)) continue;
      for (const down of downs) if (shown.has(down)) edges.push({ source: up, target: down });
    }
    return { nodes: [...shown.values()], edges };
  }

  // The root's neighbours on one side, nearest first, for the list beside the graph.
  listed(side: "up" | "down"): LineageNode[] {
    return this.graph.nodes
      .filter((n) => (side === "up" ? n.distance < 0 : n.distance > 0))
      .sort((a, b) => Math.abs(a.distance) - Math.abs(b.distance) || a.name.localeCompare(b.name));
  }
}
