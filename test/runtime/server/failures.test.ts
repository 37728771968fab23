import { create } from "@bufbuild/protobuf";
import { afterEach, describe, expect, it } from "vitest";
import { ErrorKind, ExecutionState, LiteralSetSchema, NodeState } from "../../../proto/index.ts";
import type { RunningServer } from "../../../runtime/index.ts";
import { adminClient, durationFromMs, finished, incTask, int, intOf, refNode, server, tempDir, TestWorker, waitFor, workflowSpec } from "../harness.ts";

let srv: RunningServer | undefined;
const workers: TestWorker[] = [];
afterEach(async () => {
  for (const w of workers.splice(0)) w.close();
  await srv?.stop();
  srv = undefined;
});

async function setup(spec: ReturnType<typeof workflowSpec>, opts: ConstructorParameters<typeof TestWorker>[2] = {}) {
  srv = await server(tempDir());
  const admin = adminClient(srv.address);
  const w = new TestWorker(srv.address, undefined, opts);
  workers.push(w);
  await w.connect();
  await admin.registerWorkflow({ spec });
  return { admin, w };
}

const node = (e: { nodes: Array<{ nodeId: string }> }, id: string) => e.nodes.find((n) => n.nodeId === id) as any;
const retrying = incTask("inc", { retries: { attempts: 2, backoff: durationFromMs(10) } });

describe("failures, retries and fencing", () => {
  it("retries a user error and then succeeds", async () => {
    const { admin, w } = await setup(workflowSpec("retry", [refNode("a", "inc", { input: "x" })], [retrying], { output: { node: "a", output: "y" } }));
    let calls = 0;
    w.setBehaviour(async (a) =>
      ++calls < 3 ? { code: "TASK_FAILED", message: "flaky" } : create(LiteralSetSchema, { literals: { y: int(intOf(a.inputs!.literals.x) * 10) } }),
    );
    const { execution } = await admin.createExecution({ workflow: "retry", inputs: { literals: { x: int(4) } } });
    const done = await finished(admin, execution.id);
    expect(ExecutionState[done.state]).toBe("SUCCEEDED");
    expect(intOf(done.outputs.literals.result)).toBe(40);
    expect(node(done, "a").attempts.map((a: { state: number }) => NodeState[a.state])).toEqual(["FAILED", "FAILED", "SUCCEEDED"]);
    expect(new Set(w.assigns.map((a) => a.leaseToken)).size).toBe(3);
  });

  it("fails permanently, skips downstream, and still runs independent nodes", async () => {
    const nodes = [
      refNode("a", "inc", { input: "x" }),
      refNode("b", "inc", { node: "a", output: "y" }),
      refNode("c", "inc", { node: "b", output: "y" }),
      refNode("side", "inc", { input: "x" }),
    ];
    const { admin, w } = await setup(workflowSpec("perm", nodes, [incTask()]));
    w.setBehaviour(async (a) =>
      a.nodeId === "a" ? { code: "CODE_HASH_MISMATCH", message: "worker code differs" } : create(LiteralSetSchema, { literals: { y: int(1) } }),
    );
    const { execution } = await admin.createExecution({ workflow: "perm", inputs: { literals: { x: int(1) } } });
    const done = await finished(admin, execution.id);
    expect(ExecutionState[done.state]).toBe("FAILED");
    expect(done.error.code).toBe("CODE_HASH_MISMATCH");
    expect(done.error.nodeId).toBe("a");
    expect(NodeState[node(done, "b").state]).toBe("SKIPPED");
    expect(NodeState[node(done, "c").state]).toBe("SKIPPED");
    expect(NodeState[node(done, "side").state]).toBe("SUCCEEDED");
    expect(w.assigns.filter((a) => a.nodeId === "a")).toHaveLength(1);
  });

  it("times an attempt out, cancels it on the worker, and fails without retries", async () => {
    const slow = incTask("inc", { timeout: durationFromMs(150) });
    const { admin, w } = await setup(workflowSpec("slow", [refNode("a", "inc", { input: "x" })], [slow]));
    w.setBehaviour(async () => "hang");
    const { execution } = await admin.createExecution({ workflow: "slow", inputs: { literals: { x: int(1) } } });
    const done = await finished(admin, execution.id);
    expect(NodeState[node(done, "a").state]).toBe("TIMED_OUT");
    expect(done.error.code).toBe("TIMED_OUT");
    expect(w.cancels).toEqual([w.assigns[0].leaseToken]);
    expect(w.assigns[0].deadline).toBeDefined();
  });

  it("rejects a result whose lease is stale and changes nothing", async () => {
    const { admin, w } = await setup(workflowSpec("fence", [refNode("a", "inc", { input: "x" })], [retrying], { output: { node: "a", output: "y" } }));
    let first: bigint | undefined;
    w.setBehaviour(async (a) => {
      if (first === undefined) {
        first = a.leaseToken;
        return { code: "TASK_FAILED" };
      }
      // The zombie of attempt 1 reports success with its old lease first: it must be ignored.
      w.send({ case: "result", value: { leaseToken: first, outcome: { case: "outputs", value: { literals: { y: int(999) } } } } });
      await new Promise((r) => setTimeout(r, 50));
      return create(LiteralSetSchema, { literals: { y: int(7) } });
    });
    const { execution } = await admin.createExecution({ workflow: "fence", inputs: { literals: { x: int(1) } } });
    const done = await finished(admin, execution.id);
    expect(intOf(done.outputs.literals.result)).toBe(7);
    expect(node(done, "a").attempts.map((a: { state: number }) => NodeState[a.state])).toEqual(["FAILED", "SUCCEEDED"]);
  });

  it("declares a silent worker lost and retries its attempt on another within timeout + 1 s", async () => {
    const { admin, w } = await setup(workflowSpec("lost", [refNode("a", "inc", { input: "x" })], [incTask()], { output: { node: "a", output: "y" } }));
    w.setBehaviour(async () => "hang");
    const { execution } = await admin.createExecution({ workflow: "lost", inputs: { literals: { x: int(1) } } });
    await waitFor(() => w.assigns.length > 0 || undefined);
    const killedAt = Date.now();
    w.kill();
    const rescuer = new TestWorker(srv!.address);
    workers.push(rescuer);
    await rescuer.connect();
    const done = await finished(admin, execution.id);
    const retriedAfter = rescuer.assigns[0] ? Date.now() - killedAt : Infinity;
    expect(ExecutionState[done.state]).toBe("SUCCEEDED");
    expect(intOf(done.outputs.literals.result)).toBe(2);
    expect(retriedAfter).toBeLessThan(1000 + 1000);
    const a = node(done, "a");
    expect(NodeState[a.attempts[0].state]).toBe("LOST");
    expect(a.attempts[0].error.kind).toBe(ErrorKind.SYSTEM);
  });

  it("terminates: cancels running attempts, the rest CANCELLED, execution TERMINATED", async () => {
    const nodes = [refNode("a", "inc", { input: "x" }), refNode("b", "inc", { node: "a", output: "y" })];
    const { admin, w } = await setup(workflowSpec("term", nodes, [incTask()]));
    w.setBehaviour(async () => "hang");
    const { execution } = await admin.createExecution({ workflow: "term", inputs: { literals: { x: int(1) } } });
    await waitFor(() => w.assigns.length > 0 || undefined);
    const res = await admin.terminateExecution({ id: execution.id, reason: "operator said so" });
    expect(ExecutionState[res.execution.state]).toBe("TERMINATED");
    expect(NodeState[node(res.execution, "a").state]).toBe("CANCELLED");
    expect(NodeState[node(res.execution, "b").state]).toBe("CANCELLED");
    await waitFor(() => w.cancels.length > 0 || undefined);
    expect(w.cancels).toEqual([w.assigns[0].leaseToken]);
  });
});
