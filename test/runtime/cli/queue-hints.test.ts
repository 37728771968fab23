// `weir run --follow` and `weir status` explain a task stuck queued when no connected worker could
// ever take it, and stay quiet when one could (it is only busy).
import { describe, expect, it } from "vitest";
import { ExecutionState, NodeState } from "../../../proto/index.ts";
import { followExecution } from "../../../runtime/cli/follow.ts";
import { connectAdmin } from "../../../runtime/client.ts";
import { runCli } from "../../e2e/harness.ts";
import { adminClient, incTask, int, refNode, runtimePerTest, server, tempDir, TestWorker, waitFor, workflowSpec } from "../harness.ts";

const rt = runtimePerTest();

const tasks = [incTask("prep"), incTask("train", { resources: { pool: "gpu", gpu: 1, gpuType: "h100" } }), incTask("load", { resources: { pool: "etl" } })];
const spec = workflowSpec(
  "stuck",
  [refNode("prep", "prep", { input: "x" }), refNode("train", "train", { input: "x" }), refNode("load", "load", { input: "x" })],
  tasks,
);

/** Follows an execution of "stuck" until `until` matches a line, then terminates it; returns every line. */
async function follow(until: RegExp): Promise<string[]> {
  const admin = adminClient(rt.srv!.address);
  await admin.registerWorkflow({ spec });
  rt.client = connectAdmin(rt.srv!.address);
  const { execution } = await admin.createExecution({ workflow: "stuck", inputs: { literals: { x: int(1) } } });
  const lines: string[] = [];
  const followed = followExecution(rt.client, execution.id, { spec, write: (l) => lines.push(l), queuedHintMs: 150 });
  await waitFor(() => lines.some((l) => until.test(l)), 10_000, `a line matching ${until}`);
  await new Promise((r) => setTimeout(r, 300)); // any other note would come in this time
  await admin.terminateExecution({ id: execution.id });
  expect((await followed).state).toBe(ExecutionState.TERMINATED);
  return lines;
}

describe("queued-task notes in weir run --follow", () => {
  it("names the pool no worker serves, and the GPU type no worker of the pool has", async () => {
    rt.srv = await server(tempDir());
    const cpu = new TestWorker(rt.srv.address, undefined, { pools: ["cpu"] });
    const a100 = new TestWorker(rt.srv.address, undefined, { pools: ["gpu"], gpus: ["NVIDIA A100-SXM4-80GB"] });
    rt.workers.push(cpu, a100);
    await cpu.connect();
    await a100.connect();
    const lines = await follow(/load waits/);
    const notes = lines.filter((l) => l.includes("note"));
    expect(notes).toHaveLength(2);
    expect(notes).toContainEqual(
      expect.stringMatching(
        /train waits: no connected worker of pool "gpu" has 1 GPU of type h100; start one: weir worker --server <host:port> --pool gpu --gpus auto$/,
      ),
    );
    expect(notes).toContainEqual(
      expect.stringMatching(/load waits: no connected worker serves pool "etl"; start one: weir worker --server <host:port> --pool etl$/),
    );
    expect(lines.some((l) => /prep\s+succeeded/.test(l))).toBe(true);
  });

  it("says nothing of a task that a connected worker could take once it has room", async () => {
    rt.srv = await server(tempDir());
    // Every pool served, with the right GPU, but the GPU worker's one slot is taken by a task that hangs.
    const h100 = new TestWorker(rt.srv.address, async () => "hang", { pools: ["gpu", "etl", "cpu"], gpus: ["NVIDIA H100 80GB HBM3"], capacity: 1 });
    rt.workers.push(h100);
    await h100.connect();
    const lines = await follow(/running/);
    expect(lines.filter((l) => l.includes("note"))).toEqual([]);
    expect(lines.filter((l) => /queued$/.test(l)).length).toBeGreaterThan(0);
  });

  it("weir status prints the same notes for the nodes queued when it looks", async () => {
    rt.srv = await server(tempDir());
    const cpu = new TestWorker(rt.srv.address, undefined, { pools: ["cpu"] });
    rt.workers.push(cpu);
    await cpu.connect();
    const admin = adminClient(rt.srv.address);
    await admin.registerWorkflow({ spec });
    const { execution } = await admin.createExecution({ workflow: "stuck", inputs: { literals: { x: int(1) } } });
    await waitFor(
      async () =>
        (await admin.getExecution({ id: execution.id })).execution.nodes.find((n: { nodeId: string }) => n.nodeId === "prep")?.state === NodeState.SUCCEEDED,
      5_000,
      "prep to succeed",
    );
    const status = await runCli(["status", execution.id, "--server", rt.srv.address], tempDir());
    expect(status.code, status.stderr).toBe(0);
    const notes = status.stdout.split("\n").filter((l) => l.includes("note"));
    expect(notes.sort()).toEqual([
      '  note      load waits: no connected worker serves pool "etl"; start one: weir worker --server <host:port> --pool etl',
      '  note      train waits: no connected worker serves pool "gpu"; start one: weir worker --server <host:port> --pool gpu --gpus auto',
    ]);
    await admin.terminateExecution({ id: execution.id });
  });
});
