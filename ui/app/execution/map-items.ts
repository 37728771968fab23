// A map's items ("score[0]" … "score[9999]") gathered under their map and counted by state, so a
// wide map is drawn as one node with its counts and listed item by item only when opened.
import type { NodeExecution } from "../../../proto/messages.ts";
import { type DisplayState, nodeState, STATE_ORDER } from "../states/display-state.ts";

export interface MapItems {
  /** In index order. */
  items: NodeExecution[];
  counts: Array<readonly [DisplayState, number]>;
}

/** The map a node id is an item of ("score" for "score[12]"), or undefined. */
export function itemOf(nodeId: string): { map: string; index: number } | undefined {
  if (!nodeId.endsWith("]")) return undefined;
  const open = nodeId.lastIndexOf("[");
  if (open <= 0) return undefined;
  const index = Number(nodeId.slice(open + 1, -1));
  return Number.isInteger(index) ? { map: nodeId.slice(0, open), index } : undefined;
}

export function gatherMapItems(nodes: Iterable<NodeExecution>, maps: ReadonlySet<string>): Map<string, MapItems> {
  const byMap = new Map<string, Array<{ index: number; node: NodeExecution }>>();
  for (const n of nodes) {
    const item = itemOf(n.nodeId);
    if (!item || !maps.has(item.map)) continue;
    let list = byMap.get(item.map);
    if (!list) byMap.set(item.map, (list = []));
    list.push({ index: item.index, node: n });
  }
  const out = new Map<string, MapItems>();
  for (const map of maps) {
    const list = byMap.get(map) ?? [];
    list.sort((a, b) => a.index - b.index);
    const tally = new Map<DisplayState, number>();
    for (const { node } of list) {
      const s = nodeState(node);
      tally.set(s, (tally.get(s) ?? 0) + 1);
    }
    out.set(map, {
      items: list.map((x) => x.node),
      counts: STATE_ORDER.filter((s) => tally.has(s)).map((s) => [s, tally.get(s)!] as const),
    });
  }
  return out;
}

/**
 * One pass over an execution's nodes: its maps (known from the snapshot itself, a node whose target
 * is "map", so a wide map is grouped on the first paint, before the spec arrives), their items,
 * and every other node.
 */
export function splitMaps(nodes: Iterable<NodeExecution>): { maps: Set<string>; items: Map<string, MapItems>; outer: NodeExecution[] } {
  const all = [...nodes];
  const maps = new Set(all.filter((n) => n.target === "map").map((n) => n.nodeId));
  const outer: NodeExecution[] = [];
  const inMaps: NodeExecution[] = [];
  for (const n of all) {
    const item = maps.size > 0 ? itemOf(n.nodeId) : undefined;
    if (item && maps.has(item.map)) inMaps.push(n);
    else outer.push(n);
  }
  return { maps, items: gatherMapItems(inMaps, maps), outer };
}
