// Message sizes per method and nesting depth: large messages only where a method needs them
// (RegisterWorkflow's spec, a worker's results), everything refused promptly with a status.
import { create, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { CreateExecutionRequestSchema, GetExecutionRequestSchema, LiteralSchema, RegisterWorkflowRequestSchema, type Literal } from "../../../proto/index.ts";
import { MESSAGE_LIMITS, messageLimit, messageTooDeep } from "../../../runtime/server/message-limits.ts";
import { incTask, int, refNode, runtimePerTest, server, tempDir, workflowSpec, adminClient } from "../harness.ts";
import { deepCreateExecutionBytes } from "./deep-literals.ts";
import { rawCall } from "./raw-calls.ts";

const rt = runtimePerTest();
const MiB = 1024 * 1024;

function nested(depth: number): Literal {
  let lit = int(1);
  for (let i = 1; i < depth; i++) lit = create(LiteralSchema, { value: { case: "collection", value: { items: [lit] } } });
  return lit;
}

describe("per-method message limits", () => {
  it("gives large messages only to RegisterWorkflow, uploads and worker streams", () => {
    expect(messageLimit("/weir.v1.AdminService/GetExecution")).toBe(MESSAGE_LIMITS.defaultBytes);
    expect(messageLimit("/weir.v1.AdminService/RegisterWorkflow")).toBe(16 * MiB);
    expect(messageLimit("/weir.v1.WorkerService/Connect")).toBe(MESSAGE_LIMITS.transportBytes);
    expect(Math.max(...Object.values(MESSAGE_LIMITS.perMethod), MESSAGE_LIMITS.defaultBytes)).toBe(MESSAGE_LIMITS.transportBytes);
  });

  it("refuses an oversize message with RESOURCE_EXHAUSTED naming the limit, and takes a large spec", async () => {
    rt.srv = await server(tempDir());
    const client = new grpc.Client(rt.srv.address, grpc.credentials.createInsecure());
    // 5 MiB of a well-formed GetExecution (an unknown field), over the 4 MiB default.
    const big = new Uint8Array(5 * MiB);
    big.set([0x9a, 0x05], 0); // field 99, length-delimited: a varint length follows
    const len = big.length - 6;
    big.set([0x80 | (len & 0x7f), 0x80 | ((len >> 7) & 0x7f), 0x80 | ((len >> 14) & 0x7f), (len >> 21) & 0x7f], 2);
    const refused = await rawCall(client, "/weir.v1.AdminService/GetExecution", "unary", [big], 10_000);
    expect(refused.code, refused.details).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(refused.details).toContain(`at most ${MESSAGE_LIMITS.defaultBytes} bytes`);
    // The same 5 MiB as RegisterWorkflow passes the size check (and fails on its content).
    const spec = await rawCall(client, "/weir.v1.AdminService/RegisterWorkflow", "unary", [big], 10_000);
    expect(spec.code, spec.details).toBe(grpc.status.INVALID_ARGUMENT);
    expect(spec.details).toMatch(/spec is required/);
    const over = await rawCall(client, "/weir.v1.AdminService/RegisterWorkflow", "unary", [new Uint8Array(17 * MiB)], 10_000);
    expect(over.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    const huge = await rawCall(client, "/weir.v1.AdminService/GetExecution", "unary", [new Uint8Array(MESSAGE_LIMITS.transportBytes + 1)], 10_000);
    expect(huge.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    // And it still answers.
    const ok = await rawCall(
      client,
      "/weir.v1.AdminService/GetExecution",
      "unary",
      [toBinary(GetExecutionRequestSchema, create(GetExecutionRequestSchema, { id: "none" }))],
      5_000,
    );
    expect(ok.code).toBe(grpc.status.NOT_FOUND);
    client.close();
  });

  it("refuses literals nested too deep: at decoding (INVALID_ARGUMENT), never a crash or INTERNAL", async () => {
    rt.srv = await server(tempDir());
    const admin = adminClient(rt.srv.address);
    await admin.registerWorkflow({ spec: workflowSpec("wf", [refNode("a", "inc", { input: "x" })], [incTask()]) });
    const client = new grpc.Client(rt.srv.address, grpc.credentials.createInsecure());
    for (const depth of [65, 150, 5_000, 100_000]) {
      // Thousands of levels are more than protobuf-es writes with the stack: those bytes are built by hand.
      const bytes =
        depth > 150
          ? deepCreateExecutionBytes("wf", "x", depth)
          : toBinary(CreateExecutionRequestSchema, create(CreateExecutionRequestSchema, { workflow: "wf", inputs: { literals: { x: nested(depth) } } }));
      const end = await rawCall(client, "/weir.v1.AdminService/CreateExecution", "unary", [bytes], 10_000);
      expect(end.code, `${depth}: ${end.details}`).toBe(grpc.status.INVALID_ARGUMENT);
      expect(end.details).toMatch(/deeper than/);
    }
    const ok = await admin.createExecution({ workflow: "wf", inputs: { literals: { x: int(1) } } });
    expect(ok.execution.id).toBeTruthy();
    admin.raw.close();
    client.close();
  });

  it("counts only messages as levels of nesting", () => {
    const spec = workflowSpec("wf", [refNode("a", "inc", { input: "x" })], [incTask()]);
    expect(messageTooDeep(create(RegisterWorkflowRequestSchema, { spec }))).toBe(false);
    expect(messageTooDeep(nested(32))).toBe(false);
    expect(messageTooDeep(nested(120))).toBe(true);
  });
});
