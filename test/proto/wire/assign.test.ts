import { create, equals, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import {
  AssignSchema,
  decodeServerFrame,
  encodeAssign,
  encodeAssignBatch,
  isEncodedAssign,
  LiteralSetSchema,
  ServerMessageSchema,
  SimpleType,
  TaskTemplateSchema,
  type AssignFields,
  type AssignFrame,
} from "../../../proto/index.ts";

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
    const decoded = fromBinary(
      ServerMessageSchema,
      encodeAssign({ leaseToken: 1n, executionId: "e", nodeId: "n", attempt: 1, task: undefined, inputs: undefined, gpus: [], deadlineMs: 0 }),
    );
    expect(decoded.msg.case).toBe("assign");
    if (decoded.msg.case !== "assign") return;
    expect(decoded.msg.value.task).toBeUndefined();
    expect(decoded.msg.value.inputs).toBeUndefined();
    expect(decoded.msg.value.leaseToken).toBe(1n);
  });

  it("writes strings in any script, large leases and big inputs as protobuf-es reads them", () => {
    const big = create(LiteralSetSchema, { literals: { s: { value: { case: "scalar", value: { value: { case: "string", value: "é".repeat(10_000) } } } } } });
    const fields = {
      leaseToken: 2n ** 64n - 1n,
      executionId: "exécution-☃",
      nodeId: "日本[0]",
      attempt: 70_000,
      task,
      inputs: big,
      gpus: [0, 300],
      deadlineMs: 999,
    };
    const decoded = fromBinary(ServerMessageSchema, encodeAssign(fields));
    const expected = create(ServerMessageSchema, { msg: { case: "assign", value: { ...fields, deadline: timestampFromMs(999) } } });
    expect(equals(ServerMessageSchema, decoded, expected)).toBe(true);
  });

  it("batches encoded Assigns into one AssignBatch that protobuf-es reads in order", () => {
    const fields = (lease: bigint, nodeId: string): AssignFields => ({
      leaseToken: lease,
      executionId: "ex",
      nodeId,
      attempt: 1,
      task,
      inputs,
      gpus: [],
      deadlineMs: 0,
    });
    const sent = [fields(1n, "a"), { ...fields(2n, "b".repeat(200)), gpus: [1] }, { ...fields(3n, "c"), inputs: undefined, deadlineMs: 1_700_000_000_123 }];
    const decoded = fromBinary(ServerMessageSchema, encodeAssignBatch(sent.map(encodeAssign)));
    if (decoded.msg.case !== "assigns") throw new Error(`expected assigns, got ${decoded.msg.case}`);
    const alone = sent.map((f) => {
      const m = fromBinary(ServerMessageSchema, encodeAssign(f));
      if (m.msg.case !== "assign") throw new Error("expected an assign");
      return m.msg.value;
    });
    expect(decoded.msg.value.assigns.map((a) => a.nodeId)).toEqual(["a", "b".repeat(200), "c"]);
    for (const [i, a] of decoded.msg.value.assigns.entries()) expect(equals(AssignSchema, a, alone[i]!)).toBe(true);
  });

  it("tells encodeAssign's bytes from other messages and from cut ones", () => {
    const one = encodeAssign({ leaseToken: 1n, executionId: "e", nodeId: "n".repeat(300), attempt: 1, task, inputs, gpus: [], deadlineMs: 0 });
    expect(isEncodedAssign(one)).toBe(true);
    expect(isEncodedAssign(one.subarray(0, one.length - 1))).toBe(false);
    expect(isEncodedAssign(new Uint8Array([...one, 0]))).toBe(false);
    expect(isEncodedAssign(toBinary(ServerMessageSchema, create(ServerMessageSchema, { msg: { case: "cancel", value: { leaseToken: 1n } } })))).toBe(false);
    expect(isEncodedAssign(new Uint8Array(0))).toBe(false);
  });
});

function onlyAssign(bytes: Uint8Array): AssignFrame {
  const frame = decodeServerFrame(bytes);
  if (frame.case !== "assigns" || frame.value.length !== 1) throw new Error(`expected one assign, got ${frame.case}`);
  return frame.value[0]!;
}

describe("decodeServerFrame", () => {
  const task = create(TaskTemplateSchema, { name: "add", version: "v1", runtime: { case: "node", value: { module: "src/tasks.ts", exportName: "add" } } });
  const inputs = create(LiteralSetSchema, { literals: { a: { value: { case: "scalar", value: { value: { case: "integer", value: 3n } } } } } });

  it("reads the runtime's encoded Assign with the template and inputs as their bytes", () => {
    const bytes = encodeAssign({
      leaseToken: 2n ** 40n,
      executionId: "ex",
      nodeId: "n1",
      attempt: 3,
      task,
      inputs,
      gpus: [0, 2],
      deadlineMs: 1_700_000_000_123,
    });
    const f = onlyAssign(bytes);
    expect([f.leaseToken, f.executionId, f.nodeId, f.attempt, f.gpus, f.deadlineMs]).toEqual([2n ** 40n, "ex", "n1", 3, [0, 2], 1_700_000_000_123]);
    expect(fromBinary(TaskTemplateSchema, f.task)).toEqual(task);
    expect(fromBinary(LiteralSetSchema, f.inputs)).toEqual(inputs);
  });

  it("reads an Assign protobuf-es wrote, and passes other messages through", () => {
    const msg = create(ServerMessageSchema, {
      msg: { case: "assign", value: { leaseToken: 7n, nodeId: "n", task, gpus: [1], deadline: timestampFromMs(5_000) } },
    });
    const frame = onlyAssign(toBinary(ServerMessageSchema, msg));
    expect([frame.leaseToken, frame.gpus, frame.deadlineMs, frame.inputs.length]).toEqual([7n, [1], 5_000, 0]);
    expect(fromBinary(TaskTemplateSchema, frame.task)).toEqual(task);
    const cancel = decodeServerFrame(
      toBinary(ServerMessageSchema, create(ServerMessageSchema, { msg: { case: "cancel", value: { leaseToken: 9n, reason: "r" } } })),
    );
    expect(cancel.case === "message" && cancel.value.msg.case === "cancel" && cancel.value.msg.value.leaseToken).toBe(9n);
  });

  it("reads an AssignBatch, the runtime's or one protobuf-es wrote, in order", () => {
    const fields = (lease: bigint, nodeId: string) => ({ leaseToken: lease, executionId: "ex", nodeId, attempt: 1, task, inputs, gpus: [], deadlineMs: 0 });
    const sent = [fields(1n, "a"), fields(2n, "b"), { ...fields(3n, "c"), inputs: undefined, gpus: [3], deadlineMs: 9_000 }];
    const ours = decodeServerFrame(encodeAssignBatch(sent.map(encodeAssign)));
    const theirs = decodeServerFrame(
      toBinary(
        ServerMessageSchema,
        create(ServerMessageSchema, {
          msg: {
            case: "assigns",
            value: { assigns: sent.map((f) => ({ ...f, inputs: f.inputs, deadline: f.deadlineMs ? timestampFromMs(f.deadlineMs) : undefined })) },
          },
        }),
      ),
    );
    for (const frame of [ours, theirs]) {
      if (frame.case !== "assigns") throw new Error("expected assigns");
      expect(frame.value.map((f) => [f.leaseToken, f.nodeId, f.gpus, f.deadlineMs, f.inputs.length > 0])).toEqual([
        [1n, "a", [], 0, true],
        [2n, "b", [], 0, true],
        [3n, "c", [3], 9_000, false],
      ]);
      expect(frame.value.map((f) => fromBinary(TaskTemplateSchema, f.task).name)).toEqual(["add", "add", "add"]);
      expect(fromBinary(LiteralSetSchema, frame.value[1]!.inputs)).toEqual(inputs);
    }
    const empty = decodeServerFrame(toBinary(ServerMessageSchema, create(ServerMessageSchema, { msg: { case: "assigns", value: {} } })));
    expect(empty).toEqual({ case: "assigns", value: [] });
  });
});
