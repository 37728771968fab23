import { create, equals, fromBinary, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import {
  decodeExecutionEvent,
  encodeExecution,
  encodeNodesEvent,
  encodeSnapshotEvent,
  ErrorKind,
  ExecutionErrorSchema,
  ExecutionEventSchema,
  ExecutionState,
  LiteralSetSchema,
  NodeState,
  SourceLocationSchema,
  type NodeView,
} from "../../../proto/index.ts";

const outputs = create(LiteralSetSchema, { literals: { y: { value: { case: "scalar", value: { value: { case: "integer", value: 7n } } }, hash: "h7" } } });
const error = create(ExecutionErrorSchema, { code: "TASK_FAILED", message: "boom", kind: ErrorKind.USER, nodeId: "train" });
const source = create(SourceLocationSchema, { file: "wf.ts", line: 3, column: 5 });

const node: NodeView = {
  id: "score[3]",
  state: NodeState.SUCCEEDED,
  target: "score",
  outputs,
  error: undefined,
  startedAt: 1_700_000_000_001,
  finishedAt: 1_700_000_000_999,
  source,
  attempts: [
    {
      number: 1,
      state: NodeState.FAILED,
      workerId: "w1",
      queuedAt: 1_700_000_000_000,
      startedAt: 1_700_000_000_001,
      finishedAt: 1_700_000_000_500,
      error,
      gpus: [],
    },
    {
      number: 2,
      state: NodeState.SUCCEEDED,
      workerId: "w1",
      queuedAt: 1_700_000_000_600,
      startedAt: 1_700_000_000_601,
      finishedAt: 1_700_000_000_999,
      error: undefined,
      gpus: [0, 1],
    },
  ],
};

describe("decodeExecutionEvent", () => {
  it("the client's event decoder builds what fromBinary builds, and leaves what it does not know to it", () => {
    const rec = {
      id: "ex-ü",
      workflow: "wf",
      version: "v1",
      state: ExecutionState.FAILED,
      inputs: toBinary(LiteralSetSchema, outputs),
      outputs: null,
      error: toBinary(ExecutionErrorSchema, error),
      createdAt: 1_000,
      startedAt: 2_001,
      finishedAt: 3_999,
      scheduledFor: 86_400_000,
      backfillId: "backfill-1",
      recoveredFrom: "ex-0",
      maxParallelism: 0,
    };
    const events = [
      encodeSnapshotEvent(encodeExecution(rec, [node, { ...node, id: "é".repeat(50), outputs: create(LiteralSetSchema), error }]), 1_700_000_001_234),
      encodeNodesEvent([node, { ...node, attempts: [], source: undefined }], 7),
      encodeNodesEvent([], 8),
    ];
    for (const bytes of events) {
      const fast = decodeExecutionEvent(bytes);
      expect(fast).toEqual(fromBinary(ExecutionEventSchema, bytes));
      expect(equals(ExecutionEventSchema, fast, fromBinary(ExecutionEventSchema, bytes))).toBe(true);
    }
    // An unknown field (99, varint 1) goes to fromBinary, which keeps it.
    const unknown = new Uint8Array([...events[1]!, 0x98, 0x06, 0x01]);
    expect(decodeExecutionEvent(unknown).$unknown).toHaveLength(1);
    expect(() => decodeExecutionEvent(events[0]!.subarray(0, 40))).toThrow();
  });
});
