// A commit that fails (disk full, an I/O error; here the store is closed under the engine) leaves
// memory ahead of the store. The runtime must not act on that state: every watch ends with the
// store's error, nothing more is committed, and the server stops.
import { afterEach, describe, expect, it } from "vitest";
import { followExecution } from "../../../runtime/cli/follow.ts";
import { connectAdmin, type AdminClient } from "../../../runtime/client.ts";
import type { RunningServer } from "../../../runtime/index.ts";
import { adminClient, incTask, increment, int, refNode, server, tempDir, TestWorker, waitFor, workflowSpec } from "../harness.ts";

let srv: RunningServer | undefined;
let client: AdminClient | undefined;
const workers: TestWorker[] = [];
afterEach(async () => {
  client?.close();
  client = undefined;
  for (const w of workers.splice(0)) w.close();
  await srv?.stop();
  srv = undefined;
});

describe("a failed store commit", () => {
  it("ends every watch with the store's error and stops the runtime", async () => {
    srv = await server(tempDir());
    const admin = adminClient(srv.address);
    // The attempt finishes when the test says so: its result is what the engine then fails to commit.
    let finish: () => void = () => {};
    const finished = new Promise<void>((ok) => (finish = ok));
    const w = new TestWorker(srv.address, async (a, self) => (await finished, increment(a, self)));
    workers.push(w);
    await w.connect();
    await admin.registerWorkflow({ spec: workflowSpec("one", [refNode("a", "inc", { input: "x" })], [incTask()]) });
    const { execution } = await admin.createExecution({ workflow: "one", inputs: { literals: { x: int(1) } } });
    await waitFor(() => w.assigns.length === 1, 5_000, "the attempt to start");
    client = connectAdmin(srv.address);
    const lines: string[] = [];
    const watching = followExecution(client, execution.id, { write: (l) => lines.push(l) }).then(
      () => undefined,
      (err: Error & { code?: string }) => err,
    );
    await waitFor(() => lines.some((l) => l.includes("running")), 5_000, "the watch to see the attempt running");

    await srv.store.close();
    finish();
    const ended = await watching;
    expect(ended?.code, String(ended)).toBe("INTERNAL");
    expect(ended?.message).toContain("the store could not commit");
    const failure = await srv.failed;
    expect(failure.message).toContain("the store could not commit");
    // Stopped: the port no longer answers.
    const probe = connectAdmin(srv.address, { deadlineMs: 1_000 });
    await expect(probe.listWorkers({})).rejects.toThrow();
    probe.close();
  }, 20_000);
});
