import { create, equals, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import {
  encodeResult,
  encodeResultBatch,
  ErrorKind,
  ExecutionErrorSchema,
  LiteralSetSchema,
  ResultSchema,
  WorkerMessageSchema,
  type Result,
  type WorkerMessage,
} from "../../../proto/index.ts";
import { decodeWorkerFrame, type WorkerFrame } from "../../../runtime/server/worker-message-decoding.ts";

const outputs = create(LiteralSetSchema, { literals: { y: { value: { case: "scalar", value: { value: { case: "integer", value: 42n } } }, hash: "h" } } });

/** What protobuf-es makes of the bytes, as the Results a frame should carry. */
function resultsOf(bytes: Uint8Array): Result[] | WorkerMessage {
  const msg = fromBinary(WorkerMessageSchema, bytes);
  if (msg.msg.case === "result") return [msg.msg.value];
  if (msg.msg.case === "results") return msg.msg.value.results;
  return msg;
}

function expectSame(frame: WorkerFrame, bytes: Uint8Array): void {
  const expected = resultsOf(bytes);
  if (Array.isArray(expected)) {
    expect(frame.case).toBe("results");
    const got = frame.value as Result[];
    expect(got).toHaveLength(expected.length);
    for (const [i, r] of got.entries()) expect(equals(ResultSchema, r, expected[i]!)).toBe(true);
  } else {
    expect(frame.case).toBe("message");
    expect(equals(WorkerMessageSchema, frame.value as WorkerMessage, expected)).toBe(true);
  }
}

// A small deterministic generator, so a failing case can be replayed.
function random(seed: number): () => number {
  return () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

describe("decodeWorkerFrame", () => {
  const worker = [
    encodeResult(7n, 1_700_000_000_123, 1_700_000_000_456, { outputs: toBinary(LiteralSetSchema, outputs) }),
    encodeResult(2n ** 64n - 1n, 0, 1, { error: create(ExecutionErrorSchema, { code: "TASK_FAILED", message: "boom", kind: ErrorKind.USER }) }),
    encodeResult(9n, 5, 6, { outputs: new Uint8Array(0) }),
  ];

  it("reads the worker's Results and ResultBatches as protobuf-es does", () => {
    for (const bytes of [...worker, encodeResultBatch(worker)]) expectSame(decodeWorkerFrame(bytes), bytes);
    const batch = decodeWorkerFrame(encodeResultBatch(worker));
    expect(batch.case === "results" && batch.value.map((r) => r.leaseToken)).toEqual([7n, 2n ** 64n - 1n, 9n]);
  });

  it("reads what protobuf-es writes, the odd shapes included, and passes other messages through", () => {
    const result = {
      leaseToken: 3n,
      outcome: { case: "outputs" as const, value: outputs },
      startedAt: timestampFromMs(1_500),
      finishedAt: timestampFromMs(2_000),
    };
    const written = [
      { case: "result", value: result },
      { case: "result", value: {} },
      { case: "results", value: { results: [result, { leaseToken: 4n, outcome: { case: "error", value: { code: "X", message: "m" } } }] } },
      { case: "results", value: {} },
      { case: "heartbeat", value: { running: [1n, 2n] } },
      { case: "log", value: { leaseToken: 3n, stream: "stdout", text: "hi" } },
      { case: "register", value: { workerId: "w", capacity: 4, acceptsAssignBatch: true } },
      { case: undefined },
    ].map((msg) => toBinary(WorkerMessageSchema, create(WorkerMessageSchema, { msg } as never)));
    // Legal but not how weir's worker writes: a field twice (merged), an unknown field, two messages concatenated.
    const twice = new Uint8Array([...worker[0]!.subarray(0, 1), worker[0]![1]! + 2, ...worker[0]!.subarray(2), 0x08, 0x05]);
    const unknown = toBinary(
      WorkerMessageSchema,
      create(WorkerMessageSchema, { msg: { case: "result", value: { ...result, $unknown: [{ no: 99, wireType: 0, data: new Uint8Array([1]) }] } } }),
    );
    const concatenated = new Uint8Array([...worker[0]!, ...worker[2]!]);
    for (const bytes of [...written, twice, unknown, concatenated]) expectSame(decodeWorkerFrame(bytes), bytes);
  });

  it("answers malformed bytes with undecodable, never a throw, and agrees with protobuf-es on every mutation", () => {
    for (const bytes of [new Uint8Array([0xff, 0xff, 0xff, 0x0f, 0x01]), worker[0]!.subarray(0, 10), new Uint8Array([0x2a, 0x05, 0x0a, 0x09, 0x08])]) {
      expect(decodeWorkerFrame(bytes).case).toBe("undecodable");
    }
    const next = random(42);
    const batch = encodeResultBatch(worker);
    let malformed = 0;
    for (let i = 0; i < 3_000; i++) {
      const bytes = batch.slice(0, 1 + Math.floor(next() * batch.length));
      for (let k = Math.floor(next() * 3); k >= 0; k--) bytes[Math.floor(next() * bytes.length)] = Math.floor(next() * 256);
      const frame = decodeWorkerFrame(bytes);
      let valid = true;
      try {
        fromBinary(WorkerMessageSchema, bytes);
      } catch {
        valid = false;
      }
      if (!valid) {
        malformed++;
        expect(frame.case).toBe("undecodable");
      } else expectSame(frame, bytes);
    }
    expect(malformed).toBeGreaterThan(100);
  });
});
