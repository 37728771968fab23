import { afterEach, describe, expect, it } from "vitest";
import { ExecutionState, NodeState } from "../../../proto/index.ts";
import { adminClient, finished, incTask, int, intOf, refNode, server, tempDir, TestWorker, workflowSpec } from "../harness.ts";
import type { RunningServer } from "../../../runtime/index.ts";

let srv: RunningServer | undefined;
const workers: TestWorker[] = [];
afterEach(async () => {
  for (const w of workers.splice(0)) w.close();
  await srv?.stop();
  srv = undefined;
});

describe("executions over gRPC", () => {
  it("runs a chain to the end and resolves the workflow outputs", async () => {
    const dir = tempDir();
    srv = await server(dir);
    const admin = adminClient(srv.address);
    const w = new TestWorker(srv.address);
    workers.push(w);
    await w.connect();
    const nodes = [refNode("a", "inc", { input: "x" })];
    for (let i = 1; i < 10; i++) nodes.push(refNode(`n${i}`, "inc", { node: i === 1 ? "a" : `n${i - 1}`, output: "y" }));
    const spec = workflowSpec("chain", nodes, [incTask()], { output: { node: "n9", output: "y" } });
    const reg = await admin.registerWorkflow({ spec });
    expect(reg.created).toBe(true);
    const { execution } = await admin.createExecution({ workflow: "chain", inputs: { literals: { x: int(5) } } });
    const done = await finished(admin, execution.id);
    expect(ExecutionState[done.state]).toBe("SUCCEEDED");
    expect(intOf(done.outputs.literals.result)).toBe(15);
    expect(done.nodes).toHaveLength(10);
    expect(done.nodes.every((n: { state: number }) => n.state === NodeState.SUCCEEDED)).toBe(true);
    const again = await admin.registerWorkflow({ spec });
    expect(again.created).toBe(false);
  });

  it("fans out and gathers", async () => {
    const dir = tempDir();
    srv = await server(dir);
    const admin = adminClient(srv.address);
    const w = new TestWorker(srv.address, undefined, { capacity: 16 });
    workers.push(w);
    await w.connect();
    const nodes = [refNode("root", "inc", { input: "x" })];
    for (let i = 0; i < 50; i++) nodes.push(refNode(`leaf${i}`, "inc", { node: "root", output: "y" }));
    await admin.registerWorkflow({ spec: workflowSpec("fan", nodes, [incTask()]) });
    const { execution } = await admin.createExecution({ workflow: "fan", inputs: { literals: { x: int(1) } } });
    const done = await finished(admin, execution.id);
    expect(ExecutionState[done.state]).toBe("SUCCEEDED");
    const leaf = done.nodes.find((n: { nodeId: string }) => n.nodeId === "leaf7");
    expect(intOf(leaf.outputs.literals.y)).toBe(3);
    expect(w.assigns).toHaveLength(51);
  });
});
