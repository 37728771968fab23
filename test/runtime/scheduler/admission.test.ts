// Max active runs bound every kind of run of a workflow: manual runs as well as scheduled ones.
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { ExecutionState, LiteralSetSchema } from "../../../proto/index.ts";
import { adminClient, finished, incTask, int, refNode, runtimePerTest, server, tempDir, TestWorker, waitFor, workflowSpec } from "../harness.ts";

const rt = runtimePerTest();

describe("admission", () => {
  it("maxActiveRuns bounds manual runs: the third waits QUEUED and starts when one ends", async () => {
    const release = new Map<string, () => void>();
    rt.srv = await server(tempDir());
    const admin = adminClient(rt.srv.address);
    const w = new TestWorker(
      rt.srv.address,
      async (a) => {
        await new Promise<void>((ok) => release.set(a.executionId, ok));
        return create(LiteralSetSchema, { literals: { y: int(1) } });
      },
      { capacity: 8 },
    );
    rt.workers.push(w);
    await w.connect();
    // A daily cron whose next tick is hours away: the ticker creates nothing during the test.
    const spec = workflowSpec("bounded", [refNode("a", "inc", { input: "x" })], [incTask()], {
      schedule: { trigger: { case: "cron", value: "0 0 1 1 *" }, maxActiveRuns: 2 },
    });
    await admin.registerWorkflow({ spec });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await admin.createExecution({ workflow: "bounded", inputs: { literals: { x: int(i) } } })).execution.id);
    await waitFor(() => release.size === 2 || undefined, 10_000, "two runs to start");
    const states = async () => Promise.all(ids.map(async (id) => ExecutionState[(await admin.getExecution({ id })).execution.state]));
    expect(await states()).toEqual(["RUNNING", "RUNNING", "QUEUED"]);
    expect(w.assigns.map((a) => a.executionId).sort()).toEqual(ids.slice(0, 2).sort());
    release.get(ids[0]!)!();
    await finished(admin, ids[0]!);
    await waitFor(() => release.has(ids[2]!) || undefined, 10_000, "the queued run to start");
    for (const id of ids.slice(1)) release.get(id)!();
    for (const id of ids) expect(ExecutionState[(await finished(admin, id)).state]).toBe("SUCCEEDED");
    admin.raw.close();
  });
});
