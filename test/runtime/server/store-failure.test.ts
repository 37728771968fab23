// A commit that fails (disk full, an I/O error; here the store is closed under the engine) leaves
// memory ahead of the store. The runtime must not act on that state: every watch ends with the
// store's error, nothing more is committed, and the server stops.
import { describe, expect, it } from "vitest";
import { followExecution } from "../../../runtime/cli/follow.ts";
import { connectAdmin } from "../../../runtime/client.ts";
import { adminClient, incTask, increment, int, refNode, runtimePerTest, server, tempDir, TestWorker, waitFor, workflowSpec } from "../harness.ts";

const rt = runtimePerTest();

describe("a failed store commit", () => {
  it("ends every watch with the store's error and stops the runtime", async () => {
    rt.srv = await server(tempDir());
    const admin = adminClient(rt.srv.address);
    // The attempt finishes when the test says so: its result is what the engine then fails to commit.
    let finish: () => void = () => {};
    const finished = new Promise<void>((ok) => (finish = ok));
    const w = new TestWorker(rt.srv.address, async (a, self) => {
      await finished;
      return increment(a, self);
    });
    rt.workers.push(w);
    await w.connect();
    await admin.registerWorkflow({ spec: workflowSpec("one", [refNode("a", "inc", { input: "x" })], [incTask()]) });
    const { execution } = await admin.createExecution({ workflow: "one", inputs: { literals: { x: int(1) } } });
    await waitFor(() => w.assigns.length === 1, 5_000, "the attempt to start");
    rt.client = connectAdmin(rt.srv.address);
    const lines: string[] = [];
    const watching = followExecution(rt.client, execution.id, { write: (l) => lines.push(l) }).then(
      () => undefined,
      (err: Error & { code?: string }) => err,
    );
    await waitFor(() => lines.some((l) => l.includes("running")), 5_000, "the watch to see the attempt running");

    await rt.srv.store.close();
    finish();
    const ended = await watching;
    expect(ended?.code, String(ended)).toBe("INTERNAL");
    expect(ended?.message).toContain("the store could not commit");
    const failure = await rt.srv.failed;
    expect(failure.message).toContain("the store could not commit");
    // Stopped: the port no longer answers.
    const probe = connectAdmin(rt.srv.address, { deadlineMs: 1_000 });
    await expect(probe.listWorkers({})).rejects.toThrow();
    probe.close();
  }, 20_000);
});
