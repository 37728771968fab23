import { create, equals } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import {
  ExecutionSchema,
  ExecutionState,
  LiteralSetSchema,
  NodeExecutionSchema,
  NodeState,
  type Execution,
  type ExecutionEvent,
  type NodeExecution,
} from "../../../proto/index.ts";
import { followExecution } from "../../../runtime/cli/follow.ts";
import { connectAdmin } from "../../../runtime/client.ts";
import { WATCH_DEFAULTS } from "../../../runtime/server/execution-watch.ts";
import { adminClient, finished, incTask, int, intOf, refNode, runtimePerTest, server, tempDir, TestWorker, workflowSpec, type Behaviour } from "../harness.ts";

const rt = runtimePerTest();

/** A server, a worker with 16 slots, and a root → `leaves` fan-out registered as "fan". */
async function fanOut(leaves: number, behaviour?: Behaviour) {
  rt.srv = await server(tempDir());
  const admin = adminClient(rt.srv.address);
  const w = new TestWorker(rt.srv.address, behaviour, { capacity: 16 });
  rt.workers.push(w);
  await w.connect();
  const nodes = [refNode("root", "inc", { input: "x" })];
  for (let i = 0; i < leaves; i++) nodes.push(refNode(`leaf${i}`, "inc", { node: "root", output: "y" }));
  nodes.push(refNode("after3", "inc", { node: "leaf3", output: "y" }));
  await admin.registerWorkflow({ spec: workflowSpec("fan", nodes, [incTask()]) });
  rt.client = connectAdmin(rt.srv.address);
  return { admin, client: rt.client };
}

/** Leaves take 0-20 ms, so changes spread over many commits. */
const jittered: Behaviour = async (a) => {
  await new Promise((r) => setTimeout(r, Math.random() * 20));
  return create(LiteralSetSchema, { literals: { y: int(intOf(a.inputs!.literals.x) + 1) } });
};

async function collect(events: AsyncIterable<ExecutionEvent>): Promise<ExecutionEvent[]> {
  const out: ExecutionEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

const byId = (nodes: readonly NodeExecution[]) => [...nodes].sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));

describe("WatchExecution", () => {
  it("end only: the execution's header at the start and its final state at the end, and no node events", async () => {
    const { admin, client } = await fanOut(100, jittered);
    const { execution } = await admin.createExecution({ workflow: "fan", inputs: { literals: { x: int(1) } } });
    const events = await collect(client.watchExecution({ id: execution.id, endOnly: true }));
    expect(events).toHaveLength(2);
    expect(events.every((e) => e.snapshot && e.snapshot.nodes.length === 0 && e.nodes.length === 0)).toBe(true);
    expect(events[0]!.snapshot!.id).toBe(execution.id);
    expect(ExecutionState[events[1]!.snapshot!.state]).toBe("SUCCEEDED");
    expect(events[1]!.snapshot!.finishedAt).toBeDefined();
    // Once ended, the same watch answers at once with the final header from the store.
    const later = await collect(client.watchExecution({ id: execution.id, endOnly: true }));
    expect(later).toHaveLength(1);
    expect(ExecutionState[later[0]!.snapshot!.state]).toBe("SUCCEEDED");
    expect(later[0]!.snapshot!.nodes).toHaveLength(0);
    // followExecution waits the same way and prints nothing.
    const lines: string[] = [];
    const final = await followExecution(client, execution.id, { endOnly: true, write: (l) => lines.push(l) });
    expect(ExecutionState[final.state]).toBe("SUCCEEDED");
    expect(lines).toEqual([]);
  });

  it("a follower of a fan-out sees every node's final state through coalesced node events", async () => {
    const { admin, client } = await fanOut(200, jittered);
    const { execution } = await admin.createExecution({ workflow: "fan", inputs: { literals: { x: int(1) } } });
    const events: ExecutionEvent[] = [];
    const lines: string[] = [];
    const started = Date.now();
    const final = await followExecution(client, execution.id, { onEvent: (e) => events.push(e), write: (l) => lines.push(l) });
    const elapsed = Date.now() - started;
    expect(ExecutionState[final.state]).toBe("SUCCEEDED");
    expect(events[0]!.snapshot).toBeDefined();
    expect(events.at(-1)!.snapshot).toBe(final);
    // The first snapshot, then only node events (not the final snapshot): each node ends as stored.
    const seen = new Map(events[0]!.snapshot!.nodes.map((n) => [n.nodeId, n]));
    const changes = events.slice(1, -1);
    for (const e of changes) {
      expect(e.snapshot).toBeUndefined();
      expect(new Set(e.nodes.map((n) => n.nodeId)).size).toBe(e.nodes.length);
      for (const n of e.nodes) seen.set(n.nodeId, n);
    }
    const stored = (await admin.getExecution({ id: execution.id })).execution as Execution;
    expect(stored.nodes).toHaveLength(202);
    for (const n of stored.nodes) expect(equals(NodeExecutionSchema, seen.get(n.nodeId)!, n), n.nodeId).toBe(true);
    // Coalesced: at most one event per window (plus the last, sent with the end), not one per commit.
    expect(changes.length).toBeLessThanOrEqual(Math.ceil(elapsed / WATCH_DEFAULTS.coalesceMs) + 1);
    // `weir run --follow` still prints a line per node with its state and duration.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: an ANSI colour code may follow the state.
    const succeeded = /succeeded(\u001b\[\d+m)?\s+\d/;
    for (const n of stored.nodes)
      expect(
        lines.some((l) => l.includes(` ${n.nodeId} `) && succeeded.test(l)),
        n.nodeId,
      ).toBe(true);
  });

  it("the final snapshot, built from memory, equals GetExecution's from the store", async () => {
    const failLeaf3: Behaviour = async (a, w) => (a.nodeId === "leaf3" ? { code: "TASK_FAILED", message: "leaf3 broke" } : jittered(a, w));
    const { admin, client } = await fanOut(30, failLeaf3);
    const { execution } = await admin.createExecution({ workflow: "fan", inputs: { literals: { x: int(1) } } });
    const events = await collect(client.watchExecution({ id: execution.id }));
    const fromMemory = events.at(-1)!.snapshot!;
    const fromStore = (await finished(admin, execution.id)) as Execution;
    expect(ExecutionState[fromStore.state]).toBe("FAILED");
    expect(fromStore.nodes.find((n) => n.nodeId === "after3")!.state).toBe(NodeState.SKIPPED);
    expect(fromMemory.nodes).toHaveLength(fromStore.nodes.length);
    // The store lists nodes by id, memory in graph order: the same nodes, the same bytes otherwise.
    const sorted = (e: Execution): Execution => ({ ...e, nodes: byId(e.nodes) });
    expect(equals(ExecutionSchema, sorted(fromMemory), sorted(fromStore))).toBe(true);
  });
});
