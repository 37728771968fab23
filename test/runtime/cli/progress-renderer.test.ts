// The live progress of `weir run --follow`: a line per node state change, and a "retrying" line
// for every attempt after the first, even when the watch coalesced the retry away (a node seen
// running on attempt 1 and next as succeeded on attempt 2).
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { AttemptSchema, ExecutionEventSchema, NodeExecutionSchema, NodeState, type NodeExecution } from "../../../proto/index.ts";
import { ProgressRenderer } from "../../../runtime/cli/render.ts";

const failed = { number: 1, state: NodeState.FAILED, error: { code: "TASK_FAILED", message: "boom\nstack" } };
const node = (state: NodeState, attempts: Array<{ number: number; state: NodeState; error?: { code: string; message: string } }>): NodeExecution =>
  create(NodeExecutionSchema, { nodeId: "flaky", state, attempts: attempts.map((a) => create(AttemptSchema, a)) });

function render(nodes: NodeExecution[]): string[] {
  const lines: string[] = [];
  const renderer = new ProgressRenderer((l) => lines.push(l));
  for (const n of nodes) renderer.onEvent(create(ExecutionEventSchema, { nodes: [n] }));
  return lines;
}

describe("ProgressRenderer", () => {
  it("prints each state once, the retry where the node was requeued", () => {
    const lines = render([
      node(NodeState.RUNNING, [{ number: 1, state: NodeState.RUNNING }]),
      node(NodeState.QUEUED, [failed]),
      node(NodeState.RUNNING, [failed, { number: 2, state: NodeState.RUNNING }]),
      node(NodeState.SUCCEEDED, [failed, { number: 2, state: NodeState.SUCCEEDED }]),
    ]);
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/↻ flaky\s+retrying \(attempt 2\)\s+\[TASK_FAILED\] boom$/);
    expect(lines[2]).toMatch(/running \(attempt 2\)/);
    expect(lines[3]).toMatch(/✓ flaky\s+succeeded/);
  });

  it("prints the retries a coalesced event skipped over, in order, before the node's state", () => {
    const lines = render([
      node(NodeState.RUNNING, [{ number: 1, state: NodeState.RUNNING }]),
      node(NodeState.SUCCEEDED, [
        failed,
        { number: 2, state: NodeState.FAILED, error: { code: "TIMEOUT", message: "late" } },
        { number: 3, state: NodeState.SUCCEEDED },
      ]),
    ]);
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/retrying \(attempt 2\)\s+\[TASK_FAILED\] boom$/);
    expect(lines[2]).toMatch(/retrying \(attempt 3\)\s+\[TIMEOUT\] late$/);
    expect(lines[3]).toMatch(/succeeded/);
  });

  it("shows a first attempt that waits for a slot or a GPU as queued, not as a retry", () => {
    const lines = render([
      node(NodeState.QUEUED, [{ number: 1, state: NodeState.QUEUED }]),
      node(NodeState.RUNNING, [{ number: 1, state: NodeState.RUNNING }]),
      node(NodeState.SUCCEEDED, [{ number: 1, state: NodeState.SUCCEEDED }]),
    ]);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/flaky\s+queued$/);
    expect(lines.join("\n")).not.toContain("retrying");
  });

  it("announces a retry whose next attempt is already queued once, with the last attempt's error", () => {
    const lines = render([
      node(NodeState.RUNNING, [{ number: 1, state: NodeState.RUNNING }]),
      node(NodeState.QUEUED, [failed, { number: 2, state: NodeState.QUEUED }]),
      node(NodeState.RUNNING, [failed, { number: 2, state: NodeState.RUNNING }]),
    ]);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/retrying \(attempt 2\)\s+\[TASK_FAILED\] boom$/);
    expect(lines[2]).toMatch(/running \(attempt 2\)/);
  });
});
