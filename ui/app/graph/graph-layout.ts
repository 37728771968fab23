// Positions for a graph, laid out by ELK's layered algorithm left to right, expanded subworkflows
// and branches as boxes around their nodes. elkjs's bundled build runs on the page's own thread
// (no worker file to fetch) and is loaded on first use, so pages without a graph never parse it.
import type { ElkNode } from "elkjs/lib/elk-api";
import type { SpecGraph } from "./spec-graph.ts";

export interface Placed {
  /** Relative to the box the node is drawn in (the page for top-level nodes). */
  x: number;
  y: number;
  width: number;
  height: number;
}

export const NODE_SIZE = Object.freeze({ width: 200, height: 84 });

const LAYOUT_OPTIONS = Object.freeze({
  "elk.algorithm": "layered",
  "elk.direction": "RIGHT",
  "elk.hierarchyHandling": "INCLUDE_CHILDREN",
  "elk.layered.spacing.nodeNodeBetweenLayers": "48",
  "elk.spacing.nodeNode": "24",
  "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
  "elk.edgeRouting": "ORTHOGONAL",
});

/** Room for a box's title bar. */
const BOX_PADDING = "[top=40,left=18,bottom=18,right=18]";

let elk: Promise<{ layout(graph: ElkNode): Promise<ElkNode> }> | undefined;

function loadElk() {
  elk ??= import("elkjs/lib/elk.bundled.js").then((m) => new m.default());
  return elk;
}

/** Starts loading ELK now (a page that will draw a graph once its data arrives). */
export function preloadLayout(): Promise<unknown> {
  return loadElk().catch(() => undefined);
}

export async function layoutGraph(graph: SpecGraph): Promise<Map<string, Placed>> {
  const byParent = new Map<string | undefined, string[]>();
  for (const n of graph.nodes) {
    const list = byParent.get(n.parent) ?? [];
    list.push(n.id);
    byParent.set(n.parent, list);
  }
  const boxes = new Set(graph.nodes.filter((n) => n.expanded).map((n) => n.id));
  const elkNode = (id: string): ElkNode =>
    boxes.has(id)
      ? { id, layoutOptions: { "elk.padding": BOX_PADDING }, children: (byParent.get(id) ?? []).map(elkNode) }
      : { id, width: NODE_SIZE.width, height: NODE_SIZE.height };
  const root: ElkNode = {
    id: "root",
    layoutOptions: { ...LAYOUT_OPTIONS },
    children: (byParent.get(undefined) ?? []).map(elkNode),
    edges: graph.edges.map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  };
  const laid = await (await loadElk()).layout(root);
  const placed = new Map<string, Placed>();
  const visit = (n: ElkNode) => {
    for (const c of n.children ?? []) {
      placed.set(c.id, { x: c.x ?? 0, y: c.y ?? 0, width: c.width ?? NODE_SIZE.width, height: c.height ?? NODE_SIZE.height });
      visit(c);
    }
  };
  visit(laid);
  return placed;
}
