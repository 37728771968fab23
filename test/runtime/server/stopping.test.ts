// A graceful stop with work in flight: worker streams end with OK (the worker may reconnect to the
// next runtime), watches end with UNAVAILABLE, new calls are refused, and the store is released
// for the next runtime, which carries the execution on from what was committed.
import * as grpc from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { ExecutionState, NodeState, WatchExecutionRequestSchema } from "../../../proto/index.ts";
import { create } from "@bufbuild/protobuf";
import { adminClient, finished, incTask, int, intOf, refNode, runtimePerTest, server, tempDir, TestWorker, waitFor, workflowSpec } from "../harness.ts";

const rt = runtimePerTest();

describe("stopping the runtime", () => {
  it("ends worker streams and watches, refuses new calls, and hands the store to the next runtime", async () => {
    const dir = tempDir();
    rt.srv = await server(dir);
    const admin = adminClient(rt.srv.address);
    const spec = workflowSpec("two", [refNode("a", "inc", { input: "x" }), refNode("b", "inc", { node: "a", output: "y" })], [incTask()], {
      output: { node: "b", output: "y" },
    });
    await admin.registerWorkflow({ spec });
    // "a" finishes when the test says so; "b" is left for the next runtime.
    let release: () => void = () => {};
    const released = new Promise<void>((ok) => (release = ok));
    const w = new TestWorker(
      rt.srv.address,
      async (a) => {
        if (a.nodeId !== "a") return "hang";
        await released;
        return { literals: { y: int(intOf(a.inputs!.literals.x) + 1) } } as never;
      },
      { id: "w1" },
    );
    await w.connect();
    const workerEnded = new Promise<grpc.StatusObject>((ok) => (w as unknown as { stream: grpc.ClientDuplexStream<unknown, unknown> }).stream.on("status", ok));
    const { execution } = await admin.createExecution({ workflow: "two", inputs: { literals: { x: int(1) } } });
    await waitFor(() => w.assigns.length === 1 || undefined, 5_000, "a's attempt");
    const watchEnded = new Promise<grpc.ServiceError>((ok) => {
      const stream = (admin.raw as unknown as Record<string, Function>).watchExecution!.call(
        admin.raw,
        create(WatchExecutionRequestSchema, { id: execution.id }),
      ) as grpc.ClientReadableStream<unknown>;
      stream.on("data", () => {});
      stream.on("error", ok);
    });

    release();
    await waitFor(() => w.assigns.length === 2 || undefined, 5_000, "b's attempt, after a's success");
    const stopped = rt.srv.stop();
    expect((await workerEnded).code).toBe(grpc.status.OK);
    const watchError = await watchEnded;
    expect(watchError.code).toBe(grpc.status.UNAVAILABLE);
    expect(watchError.details).toMatch(/stopping; watch again/);
    await stopped;
    // No new calls.
    const late = await admin.listWorkflows({}).then(
      () => undefined,
      (e: grpc.ServiceError) => e,
    );
    expect(late?.code).toBe(grpc.status.UNAVAILABLE);
    admin.raw.close();
    w.close();

    // The next runtime on the same store: "a" succeeded before the stop; "b", whose worker does not
    // come back, is lost once the restart grace is over and runs again.
    rt.srv = await server(dir, { restartGraceMs: 300 });
    const next = adminClient(rt.srv.address);
    const w2 = new TestWorker(rt.srv.address, undefined, { id: "w2" });
    rt.workers.push(w2);
    await w2.connect();
    const done = await finished(next, execution.id, 20_000);
    expect(ExecutionState[done.state], done.error?.message).toBe("SUCCEEDED");
    expect(intOf(done.outputs.literals.result)).toBe(3);
    const node = (id: string) => done.nodes.find((n: { nodeId: string }) => n.nodeId === id);
    expect(node("a").attempts.map((a: { state: number }) => NodeState[a.state])).toEqual(["SUCCEEDED"]);
    expect(node("b").attempts.map((a: { state: number }) => NodeState[a.state])).toEqual(["LOST", "SUCCEEDED"]);
    expect(w2.assigns.map((a) => a.nodeId)).toEqual(["b"]);
    next.raw.close();
  }, 40_000);
});
