import { create, equals, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs, timestampMs } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { ErrorKind, ServerMessageSchema, TaskTemplateSchema, WorkerMessageSchema, LiteralSetSchema, ResultSchema } from "../../../proto/index.ts";
import { encodeAssign, encodeAssignBatch } from "../../../runtime/scheduler/assign-encoding.ts";
import { decodeServerFrame, encodeResult, encodeResultBatch, type AssignFrame } from "../../../runtime/worker/wire.ts";
import { TaskTemplates } from "../../../runtime/worker/task-templates.ts";

const task = create(TaskTemplateSchema, { name: "add", version: "v1", runtime: { case: "node", value: { module: "src/tasks.ts", exportName: "add" } } });
const inputs = create(LiteralSetSchema, { literals: { a: { value: { case: "scalar", value: { value: { case: "integer", value: 3n } } } } } });

function onlyAssign(bytes: Uint8Array): AssignFrame {
  const frame = decodeServerFrame(bytes);
  if (frame.case !== "assigns" || frame.value.length !== 1) throw new Error(`expected one assign, got ${frame.case}`);
  return frame.value[0]!;
}

describe("worker wire", () => {
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

  it("encodes large leases, long errors and big outputs, and batches Results as a ResultBatch in order", () => {
    const big = create(LiteralSetSchema, { literals: { s: { value: { case: "scalar", value: { value: { case: "string", value: "x".repeat(20_000) } } } } } });
    const results = [
      encodeResult(2n ** 64n - 1n, 1_700_000_000_001, 1_700_000_000_999, { outputs: toBinary(LiteralSetSchema, big) }),
      encodeResult(2n ** 53n, 0, 0, { error: { code: "TASK_FAILED", message: "boom ".repeat(100) } }),
      encodeResult(3n, 5, 6, { outputs: new Uint8Array(0) }),
    ];
    const batch = fromBinary(WorkerMessageSchema, encodeResultBatch(results));
    if (batch.msg.case !== "results") throw new Error(`expected results, got ${batch.msg.case}`);
    const alone = results.map((bytes) => {
      const m = fromBinary(WorkerMessageSchema, bytes);
      if (m.msg.case !== "result") throw new Error("expected a result");
      return m.msg.value;
    });
    expect(batch.msg.value.results).toHaveLength(3);
    for (const [i, r] of batch.msg.value.results.entries()) expect(equals(ResultSchema, r, alone[i]!)).toBe(true);
    expect(alone.map((r) => r.leaseToken)).toEqual([2n ** 64n - 1n, 2n ** 53n, 3n]);
    expect(alone[0]!.outcome.case === "outputs" && alone[0]!.outcome.value).toEqual(big);
    expect(alone[1]!.outcome.case === "error" && alone[1]!.outcome.value.message).toBe("boom ".repeat(100));
    expect([timestampMs(alone[0]!.startedAt!), timestampMs(alone[0]!.finishedAt!)]).toEqual([1_700_000_000_001, 1_700_000_000_999]);
    expect(() =>
      encodeResultBatch([
        encodeAssign({ leaseToken: 1n, executionId: "", nodeId: "", attempt: 0, task: undefined, inputs: undefined, gpus: [], deadlineMs: 0 }),
      ]),
    ).toThrow(/does not start with tag/);
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
