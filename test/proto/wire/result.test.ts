import { create, equals, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import {
  encodeAssign,
  encodeResult,
  encodeResultBatch,
  ErrorKind,
  ExecutionErrorSchema,
  LiteralSetSchema,
  ResultSchema,
  WorkerMessageSchema,
} from "../../../proto/index.ts";

const inputs = create(LiteralSetSchema, { literals: { a: { value: { case: "scalar", value: { value: { case: "integer", value: 3n } } } } } });

describe("encodeResult", () => {
  it("encodes a Result as the WorkerMessage schema reads it: outputs (even empty), errors, times", () => {
    const ok = fromBinary(WorkerMessageSchema, encodeResult(12n, 1_000_500, 1_002_250, { outputs: toBinary(LiteralSetSchema, inputs) }));
    if (ok.msg.case !== "result") throw new Error("expected a result");
    expect(ok.msg.value.leaseToken).toBe(12n);
    expect(ok.msg.value.outcome.case === "outputs" && ok.msg.value.outcome.value).toEqual(inputs);
    expect([timestampMs(ok.msg.value.startedAt!), timestampMs(ok.msg.value.finishedAt!)]).toEqual([1_000_500, 1_002_250]);
    const empty = fromBinary(WorkerMessageSchema, encodeResult(1n, 0, 1, { outputs: new Uint8Array(0) }));
    expect(empty.msg.case === "result" && empty.msg.value.outcome.case).toBe("outputs");
    const failed = fromBinary(
      WorkerMessageSchema,
      encodeResult(1n, 0, 1, { error: create(ExecutionErrorSchema, { code: "CODE_HASH_MISMATCH", message: "changed", kind: ErrorKind.USER }) }),
    );
    const e = failed.msg.case === "result" && failed.msg.value.outcome.case === "error" ? failed.msg.value.outcome.value : undefined;
    expect([e?.code, e?.message, e?.kind]).toEqual(["CODE_HASH_MISMATCH", "changed", ErrorKind.USER]);
  });

  it("encodes large leases, long errors and big outputs, and batches Results as a ResultBatch in order", () => {
    const big = create(LiteralSetSchema, { literals: { s: { value: { case: "scalar", value: { value: { case: "string", value: "x".repeat(20_000) } } } } } });
    const results = [
      encodeResult(2n ** 64n - 1n, 1_700_000_000_001, 1_700_000_000_999, { outputs: toBinary(LiteralSetSchema, big) }),
      encodeResult(2n ** 53n, 0, 0, { error: create(ExecutionErrorSchema, { code: "TASK_FAILED", message: "boom ".repeat(100) }) }),
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
});
