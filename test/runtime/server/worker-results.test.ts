// A worker cannot kill (or mislead) the runtime with what it sends: a Result on a live lease whose
// outputs nest 100,000 deep, or refer to a file outside the artifact store, fails that attempt with
// OUTPUT_INVALID; the stream and the server go on. A record that cannot be encoded does not break
// the store either.
import { create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import {
  encodeResult,
  BlobKind,
  ExecutionState,
  LiteralSchema,
  LiteralSetSchema,
  NodeState,
  WorkerMessageSchema,
  WorkerService,
  grpcServiceDefinition,
  type Assign,
  type Literal,
  type ServerMessage,
  type WorkerMessage,
} from "../../../proto/index.ts";
import { adminClient, finished, incTask, int, intOf, refNode, runtimePerTest, server, tempDir, waitFor, workflowSpec } from "../harness.ts";
import { deepLiteralSetBytes } from "./deep-literals.ts";

const rt = runtimePerTest();

type Stream = grpc.ClientDuplexStream<WorkerMessage | Buffer, ServerMessage>;

/** A worker speaking the Connect stream with bytes of its choosing. */
async function rawWorker(address: string): Promise<{ stream: Stream; assigns: Assign[]; ended: Promise<grpc.StatusObject>; close(): void }> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const def = grpcServiceDefinition(WorkerService).connect;
  const serialize = (v: WorkerMessage | Buffer) => (v instanceof Uint8Array ? Buffer.from(v) : def.requestSerialize(v));
  const stream = client.makeBidiStreamRequest(def.path, serialize, def.responseDeserialize as (b: Buffer) => ServerMessage) as Stream;
  const assigns: Assign[] = [];
  let registered = false;
  stream.on("data", (m: ServerMessage) => {
    if (m.msg.case === "registered") registered = true;
    if (m.msg.case === "assign") assigns.push(m.msg.value);
  });
  stream.on("error", () => undefined);
  const ended = new Promise<grpc.StatusObject>((ok) => stream.on("status", ok));
  stream.write(create(WorkerMessageSchema, { msg: { case: "register", value: { hostname: "test", pools: ["cpu"], capacity: 4 } } }));
  await waitFor(() => registered || undefined, 5_000, "Registered");
  return {
    stream,
    assigns,
    ended,
    close: () => {
      stream.cancel();
      client.close();
    },
  };
}

const chain = workflowSpec("chain", [refNode("a", "inc", { input: "x" }), refNode("b", "inc", { node: "a", output: "y" })], [incTask()]);

describe("what a worker sends cannot kill the runtime", () => {
  it("a Result nested 100,000 deep fails its attempt with OUTPUT_INVALID; the stream and the server go on", async () => {
    rt.srv = await server(tempDir());
    const admin = adminClient(rt.srv.address);
    await admin.registerWorkflow({ spec: chain });
    const w = await rawWorker(rt.srv.address);
    for (const depth of [100_000, 70]) {
      const { execution } = await admin.createExecution({ workflow: "chain", inputs: { literals: { x: int(1) } } });
      const a = await waitFor(() => w.assigns.find((x) => x.executionId === execution.id), 5_000, "the assign");
      w.stream.write(Buffer.from(encodeResult(a.leaseToken, Date.now(), Date.now(), { outputs: deepLiteralSetBytes("y", depth) })));
      const done = await finished(admin, execution.id);
      expect(ExecutionState[done.state]).toBe("FAILED");
      const node = done.nodes.find((n: { nodeId: string }) => n.nodeId === "a");
      expect(node.attempts.map((x: { state: number }) => NodeState[x.state])).toEqual(["FAILED"]);
      expect(node.attempts[0].error.code).toBe("OUTPUT_INVALID");
      expect(node.attempts[0].error.message).toMatch(/deeper than 32 levels/);
    }
    // The same stream still works: a good result on a live lease succeeds.
    const { execution } = await admin.createExecution({ workflow: "chain", inputs: { literals: { x: int(1) } } });
    for (const nodeId of ["a", "b"]) {
      const a = await waitFor(() => w.assigns.find((x) => x.executionId === execution.id && x.nodeId === nodeId), 5_000, `the assign of ${nodeId}`);
      w.stream.write(
        create(WorkerMessageSchema, {
          msg: {
            case: "result",
            value: { leaseToken: a.leaseToken, outcome: { case: "outputs", value: { literals: { y: int(intOf(a.inputs!.literals.x) + 1) } } } },
          },
        }),
      );
    }
    const done = await finished(admin, execution.id);
    expect(ExecutionState[done.state]).toBe("SUCCEEDED");
    w.close();
    admin.raw.close();
  });

  it("outputs referring to files outside the artifact store, or claiming another file's hash, are refused", async () => {
    const dir = tempDir();
    rt.srv = await server(dir);
    const admin = adminClient(rt.srv.address);
    const blobTask = {
      ...incTask("make"),
      interface: {
        inputs: [{ name: "x", type: { type: { case: "simple" as const, value: 1 } } }],
        outputs: [{ name: "y", type: { type: { case: "blob" as const, value: { kind: BlobKind.FILE } } } }],
      },
    };
    await admin.registerWorkflow({ spec: workflowSpec("blobs", [refNode("a", "make", { input: "x" })], [blobTask]) });
    const w = await rawWorker(rt.srv.address);
    const sha = "a".repeat(64);
    const refs = [
      { uri: "file:///etc/passwd", sha256: sha, why: /not the artifact store's file/ },
      { uri: `file://${dir}/.weir/artifacts/sha256/../../../secret`, sha256: sha, why: /not the artifact store's file/ },
      { uri: `file://${dir}/.weir/artifacts/sha256/aa/${sha}`, sha256: sha, why: /not in the artifact store/ },
      { uri: "file:///etc/passwd", sha256: "x", why: /not 64 lowercase hex digits/ },
    ];
    for (const ref of refs) {
      const { execution } = await admin.createExecution({ workflow: "blobs", inputs: { literals: { x: int(1) } } });
      const a = await waitFor(() => w.assigns.find((x) => x.executionId === execution.id), 5_000, "the assign");
      const blob = create(LiteralSchema, { value: { case: "blob", value: { uri: ref.uri, sha256: ref.sha256, kind: BlobKind.FILE } } });
      w.stream.write(
        create(WorkerMessageSchema, {
          msg: { case: "result", value: { leaseToken: a.leaseToken, outcome: { case: "outputs", value: { literals: { y: blob } } } } },
        }),
      );
      const done = await finished(admin, execution.id);
      const attempt = done.nodes[0].attempts[0];
      expect(attempt.error?.code, ref.uri).toBe("OUTPUT_INVALID");
      expect(attempt.error.message, ref.uri).toMatch(ref.why);
      expect(done.nodes[0].outputs?.literals?.y).toBeUndefined();
    }
    w.close();
    admin.raw.close();
  });

  it("a record the store cannot encode is recorded as failed; the store and the server go on", { timeout: 20_000 }, async () => {
    rt.srv = await server(tempDir());
    const admin = adminClient(rt.srv.address);
    await admin.registerWorkflow({ spec: chain });
    const w = await rawWorker(rt.srv.address);
    const { execution } = await admin.createExecution({ workflow: "chain", inputs: { literals: { x: int(1) } } });
    const a = await waitFor(() => w.assigns.find((x) => x.executionId === execution.id), 5_000, "the assign");
    // What the door refuses, put straight into the engine's memory (a bug upstream of the commit).
    let deep: Literal = int(1);
    for (let i = 0; i < 100_000; i++) deep = create(LiteralSchema, { value: { case: "collection", value: { items: [deep] } } });
    const exec = (
      rt.srv.engine as unknown as { ctx: { executions: Map<string, { nodes: Map<string, { outputs: unknown }> }>; commits: { touchNode(n: unknown): void } } }
    ).ctx;
    const node = exec.executions.get(execution.id)!.nodes.get("b")!;
    node.outputs = create(LiteralSetSchema, { literals: { y: deep } });
    exec.commits.touchNode(node);
    await rt.srv.engine.committed();
    const nodes = await rt.srv.store.getNodes(execution.id);
    const b = nodes.find((n) => n.nodeId === "b")!;
    expect(NodeState[b.state]).toBe("FAILED");
    expect(b.outputs).toBeNull();
    // Later commits go through: the attempt of "a" finishes and is recorded.
    w.stream.write(
      create(WorkerMessageSchema, {
        msg: { case: "result", value: { leaseToken: a.leaseToken, outcome: { case: "outputs", value: { literals: { y: int(2) } } } } },
      }),
    );
    await waitFor(
      async () => (await rt.srv!.store.getNodes(execution.id)).find((n) => n.nodeId === "a" && n.state === NodeState.SUCCEEDED),
      5_000,
      "a's success committed",
    );
    expect((await admin.listWorkflows({})).workflows.map((x: { name: string }) => x.name)).toEqual(["chain"]);
    w.close();
    admin.raw.close();
  });
});
