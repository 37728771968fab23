// The grid of tasks × runs: oldest run at the left, a cell per node, retries marked, flaky rows flagged.
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { expect, test } from "vitest";
import { ExecutionSchema, NodeExecutionSchema, NodeState } from "../../proto/index.ts";
import { runGrid } from "../../ui/app/runs/run-grid.ts";

const run = (id: string, at: number, nodes: Array<[string, NodeState, NodeState[]?]>) =>
  create(ExecutionSchema, {
    id,
    createdAt: timestampFromMs(at),
    nodes: nodes.map(([nodeId, state, attempts]) =>
      create(NodeExecutionSchema, { nodeId, state, attempts: (attempts ?? [state]).map((s, i) => ({ number: i + 1, state: s })) }),
    ),
  });

test("runs oldest first, rows in the newest run's order, retries and flaky tasks marked", () => {
  const grid = runGrid([
    run("new", 3, [
      ["ingest", NodeState.SUCCEEDED, [NodeState.LOST, NodeState.SUCCEEDED]],
      ["train", NodeState.SUCCEEDED],
      ["fan", NodeState.SUCCEEDED],
      ["fan[0]", NodeState.SUCCEEDED, [NodeState.FAILED, NodeState.SUCCEEDED]],
    ]),
    run("old", 1, [
      ["ingest", NodeState.SUCCEEDED],
      ["train", NodeState.FAILED],
      ["gone", NodeState.SUCCEEDED],
    ]),
  ]);
  expect(grid.runs.map((r) => r.id)).toEqual(["old", "new"]);
  expect(grid.rows.map((r) => r.nodeId)).toEqual(["ingest", "train", "fan", "gone"]);
  const row = (id: string) => grid.rows.find((r) => r.nodeId === id)!;
  expect(row("ingest").cells.map((c) => c && [c.state, c.attempts, c.retried])).toEqual([
    ["succeeded", 1, false],
    ["succeeded", 2, true],
  ]);
  expect(row("ingest").retriedRuns).toBe(1);
  expect(row("train").flaky).toBe(true);
  expect(row("ingest").flaky).toBe(false);
  // A map whose item retried is marked on the map's row; items get no rows of their own.
  expect(row("fan").cells[1]?.retried).toBe(true);
  expect(row("gone").cells[1]).toBeUndefined();
});
