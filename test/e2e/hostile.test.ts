// Hostile input against a real `weir server` process: each of these once ended the process (a
// stack overflow in a commit, a heap out of memory) or left a call without an answer. Now each gets
// a status or fails only its attempt, and the process serves on and stops cleanly.
import { join } from "node:path";
import { create, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { afterAll, describe, expect, test } from "vitest";
import {
  BlobKind,
  encodeResult,
  GetExecutionRequestSchema,
  LiteralSchema,
  WorkerMessageSchema,
  WorkerService,
  grpcServiceDefinition,
  type Assign,
  type ServerMessage,
  type WorkerMessage,
} from "../../proto/index.ts";
import { incTask, int, refNode, workflowSpec } from "../runtime/harness.ts";
import { deepLiteralSetBytes } from "../runtime/server/deep-literals.ts";
import { rawCall } from "../runtime/server/raw-calls.ts";
import { cleanup, startRuntime, tempDir, waitFor, waitForExecution } from "./harness.ts";

afterAll(cleanup);

describe("hostile input against a real weir server", () => {
  test("a worker's 100,000-deep result, a 128 KiB id, a 2^24-node spec and refs outside the store: answered, and the runtime lives", async () => {
    const dir = tempDir("weir-e2e-hostile-");
    const runtime = await startRuntime({ cwd: dir, db: join(dir, "weir.db") });
    const { client, address } = runtime;
    await client.registerWorkflow({ spec: workflowSpec("one", [refNode("a", "inc", { input: "x" })], [incTask()]) });

    // A worker on a live lease sends outputs nested 100,000 deep.
    const raw = new grpc.Client(address, grpc.credentials.createInsecure());
    const def = grpcServiceDefinition(WorkerService).connect;
    const stream = raw.makeBidiStreamRequest(
      def.path,
      (v: WorkerMessage | Buffer) => (v instanceof Uint8Array ? Buffer.from(v) : def.requestSerialize(v)),
      def.responseDeserialize as (b: Buffer) => ServerMessage,
    );
    const assigns: Assign[] = [];
    stream.on("data", (m: ServerMessage) => m.msg.case === "assign" && assigns.push(m.msg.value));
    stream.on("error", () => undefined);
    stream.write(create(WorkerMessageSchema, { msg: { case: "register", value: { hostname: "hostile", pools: ["cpu"], capacity: 1 } } }));
    const { execution } = await client.createExecution({ workflow: "one", inputs: { literals: { x: int(1) } } });
    const assign = await waitFor("the assign", () => assigns[0]);
    stream.write(Buffer.from(encodeResult(assign.leaseToken, Date.now(), Date.now(), { outputs: deepLiteralSetBytes("y", 100_000) })));
    const failed = await waitForExecution(client, execution!.id);
    expect(failed.nodes[0]!.attempts[0]!.error?.code).toBe("OUTPUT_INVALID");
    stream.cancel();

    // A 128 KiB id: answered at once.
    const id = await rawCall(
      raw,
      "/weir.v1.AdminService/GetExecution",
      "unary",
      [toBinary(GetExecutionRequestSchema, create(GetExecutionRequestSchema, { id: "x".repeat(128 * 1024) }))],
      5_000,
    );
    expect(id.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(id.ms).toBeLessThan(2_000);
    raw.close();

    // 24 nested subworkflows, each calling the next twice.
    const iface = { inputs: [{ name: "x", type: { type: { case: "simple" as const, value: 1 } } }], outputs: [] };
    const call = (nodeId: string, target: string) => ({
      id: nodeId,
      target: { case: "subworkflow" as const, value: target },
      inputs: [{ var: "x", value: { value: { case: "workflowInput" as const, value: "x" } } }],
    });
    const bomb = {
      workflow: { name: "bomb", interface: iface, nodes: [call("a", "l0"), call("b", "l0")] },
      subworkflows: Array.from({ length: 24 }, (_, i) => ({
        name: `l${i}`,
        version: "v",
        interface: iface,
        nodes: i === 23 ? [refNode("leaf", "inc", { input: "x" })] : [call("a", `l${i + 1}`), call("b", `l${i + 1}`)],
      })),
      tasks: [incTask()],
    };
    await expect(client.registerWorkflow({ spec: bomb as never })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });

    // An input naming a file outside the artifact store.
    const outside = create(LiteralSchema, { value: { case: "blob", value: { uri: "file:///etc/passwd", sha256: "a".repeat(64), kind: BlobKind.FILE } } });
    await expect(client.createExecution({ workflow: "one", inputs: { literals: { x: outside } } })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });

    expect(runtime.proc.child.exitCode).toBeNull();
    expect((await client.listWorkflows({})).workflows.map((w) => w.name)).toEqual(["one"]);
    await runtime.stop();
    expect((await runtime.proc.exited()).code, runtime.proc.output().slice(-2_000)).toBe(0);
  }, 120_000);
});
