// Airflow's grid: tasks down, recent runs across (oldest at the left), each cell the node's state in
// that run, marked when it took more than one attempt. A row whose runs both failed and succeeded,
// or needed retries, is flagged: a flaky task stands out at a glance.
import { timestampMs } from "@bufbuild/protobuf/wkt";
import type { Execution, NodeExecution } from "../../../proto/messages.ts";
import { type DisplayState, isFailure, nodeState } from "../states/display-state.ts";
import { itemOf } from "../execution/map-items.ts";

export interface GridCell {
  state: DisplayState;
  attempts: number;
  /** Map items (or attempts) that failed before the node's end: a retry happened in this run. */
  retried: boolean;
}

export interface GridRow {
  nodeId: string;
  cells: Array<GridCell | undefined>;
  /** Runs in which this node retried. */
  retriedRuns: number;
  /** Failed in some runs and succeeded in others. */
  flaky: boolean;
}

export interface GridModel {
  runs: Execution[];
  rows: GridRow[];
}

export function runGrid(executions: readonly Execution[]): GridModel {
  const runs = [...executions].sort((a, b) => created(a) - created(b));
  const order: string[] = [];
  const seen = new Set<string>();
  // Newest run first: its node order (the spec's) wins; nodes only older runs had come after.
  for (const e of [...runs].reverse()) {
    for (const n of e.nodes) {
      if (seen.has(n.nodeId) || itemOf(n.nodeId)) continue;
      seen.add(n.nodeId);
      order.push(n.nodeId);
    }
  }
  const itemsRetried = runs.map((e) => retriedMaps(e.nodes));
  const byRun = runs.map((e) => new Map(e.nodes.map((n) => [n.nodeId, n])));
  const rows = order.map((nodeId): GridRow => {
    const cells = byRun.map((nodes, i): GridCell | undefined => {
      const n = nodes.get(nodeId);
      if (!n) return undefined;
      const retried = n.attempts.slice(0, -1).some((a) => isFailure(a.state)) || itemsRetried[i]!.has(nodeId);
      return { state: nodeState(n), attempts: n.attempts.length, retried };
    });
    const states = new Set(cells.map((c) => c?.state));
    const failed = states.has("failed") || states.has("timed-out") || states.has("lost");
    const succeeded = states.has("succeeded") || states.has("cached");
    return { nodeId, cells, retriedRuns: cells.filter((c) => c?.retried).length, flaky: failed && succeeded };
  });
  return { runs, rows };
}

function created(e: Execution): number {
  return e.createdAt ? timestampMs(e.createdAt) : 0;
}

/** Maps any of whose items retried. */
function retriedMaps(nodes: readonly NodeExecution[]): Set<string> {
  const out = new Set<string>();
  for (const n of nodes) {
    const item = itemOf(n.nodeId);
    if (item && n.attempts.slice(0, -1).some((a) => isFailure(a.state))) out.add(item.map);
  }
  return out;
}
