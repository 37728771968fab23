import { rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { create } from "@bufbuild/protobuf";
import { afterEach, describe, expect, it } from "vitest";
import { BlobKind, ExecutionState, LiteralSchema, LiteralSetSchema, NodeState } from "../../../proto/index.ts";
import { LocalArtifactStore } from "../../../runtime/artifacts/index.ts";
import type { RunningServer } from "../../../runtime/index.ts";
import { adminClient, finished, incTask, int, intOf, refNode, server, tempDir, TestWorker, waitFor, workflowSpec } from "../harness.ts";

let servers: RunningServer[] = [];
const workers: TestWorker[] = [];
afterEach(async () => {
  for (const w of workers.splice(0)) w.close();
  for (const s of servers.splice(0)) await s.stop();
});

describe("durability and caching", () => {
  it("finishes an execution across a runtime restart without rerunning succeeded nodes", async () => {
    const dir = tempDir();
    const nodes = [refNode("a", "inc", { input: "x" }), refNode("b", "inc", { node: "a", output: "y" }), refNode("c", "inc", { node: "b", output: "y" })];
    const spec = workflowSpec("restart", nodes, [incTask()], { output: { node: "c", output: "y" } });
    let srv = await server(dir);
    servers.push(srv);
    let admin = adminClient(srv.address);
    const w1 = new TestWorker(
      srv.address,
      async (a) => (a.nodeId === "b" ? "hang" : create(LiteralSetSchema, { literals: { y: int(intOf(a.inputs!.literals.x) + 1) } })),
      { id: "w1" },
    );
    workers.push(w1);
    await w1.connect();
    await admin.registerWorkflow({ spec });
    const { execution } = await admin.createExecution({ workflow: "restart", inputs: { literals: { x: int(1) } } });
    await waitFor(() => w1.assigns.some((a) => a.nodeId === "b") || undefined);
    w1.kill();
    await srv.stop();
    servers = [];
    admin.raw.close();

    srv = await server(dir);
    servers.push(srv);
    admin = adminClient(srv.address);
    const w2 = new TestWorker(srv.address, undefined, { id: "w2" });
    workers.push(w2);
    await w2.connect();
    const done = await finished(admin, execution.id);
    expect(ExecutionState[done.state]).toBe("SUCCEEDED");
    expect(intOf(done.outputs.literals.result)).toBe(4);
    expect(w2.assigns.map((a) => a.nodeId)).toEqual(["b", "c"]);
    const b = done.nodes.find((n: { nodeId: string }) => n.nodeId === "b");
    expect(b.attempts.map((a: { state: number }) => NodeState[a.state])).toEqual(["LOST", "SUCCEEDED"]);
    expect(w2.assigns[0].leaseToken).toBeGreaterThan(w1.assigns.at(-1)!.leaseToken);
  });

  it("hits the cache on a rerun, misses after a version change or when an artifact is gone", async () => {
    const dir = tempDir();
    const srv = await server(dir);
    servers.push(srv);
    const admin = adminClient(srv.address);
    // Outputs are refs into the runtime's artifact store, as a real worker writes them.
    const artifacts = new LocalArtifactStore(join(dir, ".weir", "artifacts"));
    let artifact = "";
    const w = new TestWorker(srv.address, async (a) => {
      const stored = await artifacts.put(new TextEncoder().encode("weights"));
      artifact = fileURLToPath(stored.uri);
      const blob = create(LiteralSchema, { value: { case: "blob", value: { uri: stored.uri, sha256: stored.sha256, kind: BlobKind.FILE } } });
      return create(LiteralSetSchema, { literals: { y: int(intOf(a.inputs!.literals.x) + 1), model: blob } });
    });
    workers.push(w);
    await w.connect();
    const cached = (version: string) => ({
      ...incTask("train", { cache: { enabled: true }, version }),
      interface: {
        inputs: [{ name: "x", type: { type: { case: "simple" as const, value: 1 } } }],
        outputs: [
          { name: "y", type: { type: { case: "simple" as const, value: 1 } } },
          { name: "model", type: { type: { case: "blob" as const, value: { kind: BlobKind.FILE } } } },
        ],
      },
    });
    const run = async (version: string) => {
      await admin.registerWorkflow({ spec: workflowSpec("cached", [refNode("t", "train", { input: "x" })], [cached(version)]) });
      const { execution } = await admin.createExecution({ workflow: "cached", inputs: { literals: { x: int(1) } } });
      const done = await finished(admin, execution.id);
      return NodeState[done.nodes[0].state];
    };
    expect(await run("code-1")).toBe("SUCCEEDED");
    expect(await run("code-1")).toBe("CACHED");
    expect(w.assigns).toHaveLength(1);
    expect(await run("code-2")).toBe("SUCCEEDED");
    rmSync(artifact);
    expect(await run("code-2")).toBe("SUCCEEDED");
    expect(w.assigns).toHaveLength(3);
  });

  it("streams a snapshot, node events and a final snapshot on WatchExecution", async () => {
    const srv = await server(tempDir());
    servers.push(srv);
    const admin = adminClient(srv.address);
    const w = new TestWorker(srv.address, async (a) => {
      await new Promise((r) => setTimeout(r, 30));
      return create(LiteralSetSchema, { literals: { y: int(intOf(a.inputs!.literals.x) + 1) } });
    });
    workers.push(w);
    await w.connect();
    await admin.registerWorkflow({
      spec: workflowSpec("watched", [refNode("a", "inc", { input: "x" }), refNode("b", "inc", { node: "a", output: "y" })], [incTask()]),
    });
    const { execution } = await admin.createExecution({ workflow: "watched", inputs: { literals: { x: int(1) } } });
    const events = await admin.watch(execution.id);
    expect(events[0].snapshot.id).toBe(execution.id);
    expect(ExecutionState[events.at(-1).snapshot.state]).toBe("SUCCEEDED");
    const changed = events.flatMap((e: { nodes: Array<{ nodeId: string; state: number }> }) => e.nodes);
    expect(changed.some((n: { nodeId: string; state: number }) => n.nodeId === "b" && n.state === NodeState.SUCCEEDED)).toBe(true);
  });
});
