// What the execution page derives from WatchExecution: the live node set, a map's items counted by
// state, the states shown, and a node's inputs read back from what the execution recorded.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { describe, expect, test } from "vitest";
import {
  ExecutionEventSchema,
  ExecutionSchema,
  ExecutionState,
  type Literal,
  LiteralSchema,
  type NodeExecution,
  NodeExecutionSchema,
  NodeState,
} from "../../proto/index.ts";
import { applyEvent, shownExecutionState } from "../../ui/app/execution/live-execution.ts";
import { gatherMapItems, itemOf } from "../../ui/app/execution/map-items.ts";
import { nodeInputs } from "../../ui/app/execution/node-inputs.ts";
import { timelineRows } from "../../ui/app/execution/timeline.tsx";
import { placeNodes } from "../../ui/app/graph/spec-scopes.ts";
import { nodeState } from "../../ui/app/states/display-state.ts";
import { demoSpec } from "./spec-fixtures.ts";

const int = (n: number): Literal => create(LiteralSchema, { value: { case: "scalar", value: { value: { case: "integer", value: BigInt(n) } } } });
const json = (v: unknown): Literal => create(LiteralSchema, { value: { case: "scalar", value: { value: { case: "json", value: JSON.stringify(v) } } } });
const n = (nodeId: string, state: NodeState, extra: MessageInitShape<typeof NodeExecutionSchema> = {}): NodeExecution =>
  create(NodeExecutionSchema, { nodeId, state, ...extra });
const attempt = (number: number, state: NodeState, at: number) => ({
  number,
  state,
  queuedAt: timestampFromMs(at),
  startedAt: timestampFromMs(at + 10),
  finishedAt: timestampFromMs(at + 50),
});

describe("the live execution", () => {
  test("a snapshot, then node events laid over it; running is shown once a node started", () => {
    const snapshot = create(ExecutionSchema, { id: "e", state: ExecutionState.QUEUED, nodes: [n("a", NodeState.PENDING), n("b", NodeState.PENDING)] });
    let live = applyEvent(undefined, create(ExecutionEventSchema, { snapshot }))!;
    expect(shownExecutionState(live)).toBe(ExecutionState.QUEUED);
    live = applyEvent(live, create(ExecutionEventSchema, { nodes: [n("a", NodeState.RUNNING)] }))!;
    expect(live.version).toBe(2);
    expect(live.nodes.get("a")?.state).toBe(NodeState.RUNNING);
    expect(shownExecutionState(live)).toBe(ExecutionState.RUNNING);
    // An event before any snapshot is nothing to lay over.
    expect(applyEvent(undefined, create(ExecutionEventSchema, { nodes: [n("a", NodeState.RUNNING)] }))).toBeUndefined();
  });

  test("a map's items gathered under it in index order and counted by state, the most urgent first", () => {
    const nodes = [
      n("fan", NodeState.RUNNING, { target: "map" }),
      ...Array.from({ length: 12 }, (_, i) => n(`fan[${i}]`, i < 9 ? NodeState.SUCCEEDED : i === 9 ? NodeState.FAILED : NodeState.RUNNING)),
      // A retry waiting: queued after a failed attempt.
      n("fan[12]", NodeState.QUEUED, { attempts: [attempt(1, NodeState.FAILED, 0)] }),
      n("other[1]", NodeState.SUCCEEDED),
    ];
    const items = gatherMapItems(nodes, new Set(["fan"])).get("fan")!;
    expect(items.items.map((x) => x.nodeId).slice(0, 3)).toEqual(["fan[0]", "fan[1]", "fan[2]"]);
    expect(items.items).toHaveLength(13);
    expect(items.counts).toEqual([
      ["failed", 1],
      ["retrying", 1],
      ["running", 2],
      ["succeeded", 9],
    ]);
    expect(itemOf("sub.fan[10]")).toEqual({ map: "sub.fan", index: 10 });
    expect(itemOf("fan")).toBeUndefined();
    expect(nodeState(n("x", NodeState.QUEUED))).toBe("queued");
  });

  test("a node's inputs read back: a struct field of an upstream output, a workflow input, a subworkflow's caller, a map item's element", () => {
    const spec = demoSpec();
    const placed = placeNodes(spec.workflow!, spec.subworkflows);
    const tasks = new Map(spec.tasks.map((t) => [t.name, t]));
    const execution = create(ExecutionSchema, { id: "e", inputs: { literals: { day: int(1) } } });
    const nodes = new Map(
      [
        n("load", NodeState.SUCCEEDED, { outputs: { literals: { stats: json({ rows: 12 }) } } }),
        n("use", NodeState.SUCCEEDED, { outputs: { literals: { out: int(5) } } }),
        n("nums", NodeState.SUCCEEDED, {
          outputs: { literals: { items: create(LiteralSchema, { value: { case: "collection", value: { items: [int(10), int(20)] } } }) } },
        }),
      ].map((x) => [x.nodeId, x]),
    );
    const ctx = { execution, nodes, placed };
    const shown = (id: string) =>
      nodeInputs(ctx, id, tasks).map((i) => [i.name, i.from, i.literal?.value.case === "scalar" ? i.literal.value.value.value.value : undefined]);
    expect(shown("use")).toEqual([
      ["t", "load.table", undefined],
      ["n", "load.stats.rows", "12"],
    ]);
    expect(shown("load")).toEqual([["day", "workflow input day", 1n]]);
    expect(shown("sub.a")).toEqual([["x", "sub input v ← use.out", 5n]]);
    expect(shown("fan[1]")).toEqual([["x", "nums.items[1]", 20n]]);
    expect(shown("later")).toEqual([["x", "literal", 7n]]);
  });

  test("timeline rows: each attempt as its time queued and its time running, a retry as a second bar", () => {
    const rows = timelineRows(
      [n("b", NodeState.PENDING), n("a", NodeState.SUCCEEDED, { attempts: [attempt(1, NodeState.FAILED, 1_000), attempt(2, NodeState.SUCCEEDED, 2_000)] })],
      5_000,
    );
    expect(rows.map((r) => r.nodeId)).toEqual(["a", "b"]);
    expect(rows[0]!.bars.map((b) => [b.className, b.from, b.to])).toEqual([
      ["seg-queued", 1_000, 1_010],
      ["state-failed", 1_010, 1_050],
      ["seg-queued", 2_000, 2_010],
      ["state-succeeded", 2_010, 2_050],
    ]);
    expect(rows[1]!.bars).toEqual([]);
  });
});
