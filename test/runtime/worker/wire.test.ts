import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs, timestampMs } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { ErrorKind, ServerMessageSchema, TaskTemplateSchema, WorkerMessageSchema, LiteralSetSchema } from "../../../proto/index.ts";
import { encodeAssign } from "../../../runtime/scheduler/assign-encoding.ts";
import { decodeServerFrame, encodeResult } from "../../../runtime/worker/wire.ts";
import { TaskTemplates } from "../../../runtime/worker/task-templates.ts";

const task = create(TaskTemplateSchema, { name: "add", version: "v1", runtime: { case: "node", value: { module: "src/tasks.ts", exportName: "add" } } });
const inputs = create(LiteralSetSchema, { literals: { a: { value: { case: "scalar", value: { value: { case: "integer", value: 3n } } } } } });

describe("worker wire", () => {
  it("reads the runtime's encoded Assign with the template and inputs as their bytes", () => {
    const bytes = encodeAssign({ leaseToken: 2n ** 40n, executionId: "ex", nodeId: "n1", attempt: 3, task, inputs, gpus: [0, 2], deadlineMs: 1_700_000_000_123 });
    const frame = decodeServerFrame(bytes);
    expect(frame.case).toBe("assign");
    if (frame.case !== "assign") return;
    const f = frame.value;
    expect([f.leaseToken, f.executionId, f.nodeId, f.attempt, f.gpus, f.deadlineMs]).toEqual([2n ** 40n, "ex", "n1", 3, [0, 2], 1_700_000_000_123]);
    expect(fromBinary(TaskTemplateSchema, f.task)).toEqual(task);
    expect(fromBinary(LiteralSetSchema, f.inputs)).toEqual(inputs);
  });

  it("reads an Assign protobuf-es wrote, and passes other messages through", () => {
    const msg = create(ServerMessageSchema, { msg: { case: "assign", value: { leaseToken: 7n, nodeId: "n", task, gpus: [1], deadline: timestampFromMs(5_000) } } });
    const frame = decodeServerFrame(toBinary(ServerMessageSchema, msg));
    if (frame.case !== "assign") throw new Error("expected an assign");
    expect([frame.value.leaseToken, frame.value.gpus, frame.value.deadlineMs, frame.value.inputs.length]).toEqual([7n, [1], 5_000, 0]);
    expect(fromBinary(TaskTemplateSchema, frame.value.task)).toEqual(task);
    const cancel = decodeServerFrame(toBinary(ServerMessageSchema, create(ServerMessageSchema, { msg: { case: "cancel", value: { leaseToken: 9n, reason: "r" } } })));
    expect(cancel.case === "message" && cancel.value.msg.case === "cancel" && cancel.value.msg.value.leaseToken).toBe(9n);
  });

  it("encodes a Result as the WorkerMessage schema reads it: outputs (even empty), errors, times", () => {
    const ok = fromBinary(WorkerMessageSchema, encodeResult(12n, 1_000_500, 1_002_250, { outputs: toBinary(LiteralSetSchema, inputs) }));
    if (ok.msg.case !== "result") throw new Error("expected a result");
    expect(ok.msg.value.leaseToken).toBe(12n);
    expect(ok.msg.value.outcome.case === "outputs" && ok.msg.value.outcome.value).toEqual(inputs);
    expect([timestampMs(ok.msg.value.startedAt!), timestampMs(ok.msg.value.finishedAt!)]).toEqual([1_000_500, 1_002_250]);
    const empty = fromBinary(WorkerMessageSchema, encodeResult(1n, 0, 1, { outputs: new Uint8Array(0) }));
    expect(empty.msg.case === "result" && empty.msg.value.outcome.case).toBe("outputs");
    const failed = fromBinary(WorkerMessageSchema, encodeResult(1n, 0, 1, { error: { code: "CODE_HASH_MISMATCH", message: "changed" } }));
    const e = failed.msg.case === "result" && failed.msg.value.outcome.case === "error" ? failed.msg.value.outcome.value : undefined;
    expect([e?.code, e?.message, e?.kind]).toEqual(["CODE_HASH_MISMATCH", "changed", ErrorKind.USER]);
  });

  it("gives equal template bytes one id and different ones another", () => {
    const templates = new TaskTemplates();
    const bytes = toBinary(TaskTemplateSchema, task);
    const a = templates.get(new Uint8Array([0xff, ...bytes]).subarray(1));
    const b = templates.get(bytes);
    const other = templates.get(toBinary(TaskTemplateSchema, create(TaskTemplateSchema, { ...task, version: "v2" })));
    expect(a.tid).toBe(b.tid);
    expect(other.tid).not.toBe(a.tid);
    expect(b.task.name).toBe("add");
  });
});
