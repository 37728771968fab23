import { create, equals, fromBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { LiteralSetSchema, ServerMessageSchema, SimpleType, TaskTemplateSchema } from "../../../proto/index.ts";
import { encodeAssign } from "../../../runtime/scheduler/assign-encoding.ts";

describe("encodeAssign", () => {
  const task = create(TaskTemplateSchema, {
    name: "train",
    version: "abc123",
    interface: { inputs: [{ name: "x", type: { type: { case: "simple", value: SimpleType.INTEGER } } }] },
    runtime: { case: "node", value: { module: "tasks.ts", exportName: "train" } },
  });
  const inputs = create(LiteralSetSchema, { literals: { x: { value: { case: "scalar", value: { value: { case: "integer", value: 42n } } }, hash: "h" } } });

  it("decodes to the ServerMessage protobuf-es would have encoded, every field set", () => {
    const fields = { leaseToken: 2n ** 40n + 7n, executionId: "ex-1", nodeId: "map[3]", attempt: 2, task, inputs, gpus: [0, 3], deadlineMs: 1_700_000_000_123 };
    const decoded = fromBinary(ServerMessageSchema, encodeAssign(fields));
    const expected = create(ServerMessageSchema, {
      msg: { case: "assign", value: { ...fields, deadline: timestampFromMs(fields.deadlineMs) } },
    });
    expect(equals(ServerMessageSchema, decoded, expected)).toBe(true);
    // The cached template bytes are reused, and stay right, on the next attempt.
    const again = fromBinary(ServerMessageSchema, encodeAssign({ ...fields, leaseToken: 9n, gpus: [], deadlineMs: 0 }));
    expect(again.msg.case === "assign" && again.msg.value.task?.name).toBe("train");
    expect(again.msg.case === "assign" && again.msg.value.deadline).toBeUndefined();
  });

  it("leaves unset fields out", () => {
    const decoded = fromBinary(ServerMessageSchema, encodeAssign({ leaseToken: 1n, executionId: "e", nodeId: "n", attempt: 1, task: undefined, inputs: undefined, gpus: [], deadlineMs: 0 }));
    expect(decoded.msg.case).toBe("assign");
    if (decoded.msg.case !== "assign") return;
    expect(decoded.msg.value.task).toBeUndefined();
    expect(decoded.msg.value.inputs).toBeUndefined();
    expect(decoded.msg.value.leaseToken).toBe(1n);
  });
});
