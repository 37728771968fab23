import { create, equals, fromBinary, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import {
  encodeExecution,
  encodeExecutionResponse,
  encodeNodeExecution,
  encodeNodesEvent,
  encodeSnapshotEvent,
  ErrorKind,
  ExecutionErrorSchema,
  ExecutionSchema,
  ExecutionState,
  GetExecutionResponseSchema,
  ExecutionEventSchema,
  LiteralSetSchema,
  NodeExecutionSchema,
  NodeState,
  SourceLocationSchema,
  type NodeView,
} from "../../../proto/index.ts";
import { encodeExecutionRecords } from "../../../runtime/scheduler/execution-encoding.ts";
import { executionFrom, liveNodeExecution } from "../../../runtime/scheduler/watching/snapshot.ts";
import type { LiveNode } from "../../../runtime/scheduler/model/execution-graph.ts";

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

describe("execution encoding", () => {
  it("a node decodes to the NodeExecution protobuf-es builds from the same node", () => {
    const expected = liveNodeExecution(node as unknown as LiveNode);
    expect(fromBinary(NodeExecutionSchema, encodeNodeExecution(node))).toEqual(expected);
    const decoded = fromBinary(ExecutionEventSchema, encodeNodesEvent([node, node], 1_700_000_001_234));
    expect(decoded.nodes).toEqual([expected, expected]);
    expect(Number(decoded.at!.seconds)).toBe(1_700_000_001);
    expect(decoded.at!.nanos).toBe(234_000_000);
    // Cached sub-messages stay right on the next encoding; a pending node has no optional fields.
    expect(fromBinary(ExecutionEventSchema, encodeNodesEvent([node], 0)).nodes).toEqual([expected]);
    const pending = fromBinary(
      ExecutionEventSchema,
      encodeNodesEvent([{ ...node, state: NodeState.PENDING, outputs: undefined, attempts: [], startedAt: 0, finishedAt: 0, source: undefined }], 0),
    ).nodes[0]!;
    expect(pending.state).toBe(NodeState.PENDING);
    expect(pending.outputs).toBeUndefined();
    expect(pending.startedAt).toBeUndefined();
  });

  it("writes long and non-ASCII strings and nested messages of 128 bytes and more", () => {
    for (const message of ["x".repeat(43), "é".repeat(42), "ü".repeat(43), "日本".repeat(30), "y".repeat(70_000)]) {
      const long = create(ExecutionErrorSchema, { code: "TASK_FAILED", message, kind: ErrorKind.USER, nodeId: `nœud-${message.slice(0, 10)}` });
      const view: NodeView = {
        ...node,
        id: `nœud-${message.slice(0, 50)}`,
        target: message.slice(0, 200),
        error: long,
        attempts: [{ ...node.attempts[0]!, workerId: `wörker-${message.slice(0, 100)}`, error: long }],
      };
      const expected = liveNodeExecution(view as unknown as LiveNode);
      expect(fromBinary(NodeExecutionSchema, encodeNodeExecution(view))).toEqual(expected);
      expect(fromBinary(ExecutionEventSchema, encodeNodesEvent([view, node], 5)).nodes).toEqual([expected, liveNodeExecution(node as unknown as LiveNode)]);
    }
  });

  it("an execution from store records decodes to what executionFrom builds, as a response and as a snapshot event", () => {
    const rec = {
      id: "ex-1",
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
    const nodes = [
      {
        executionId: "ex-1",
        nodeId: "train",
        state: NodeState.FAILED,
        target: "train",
        outputs: null,
        error: toBinary(ExecutionErrorSchema, error),
        startedAt: 2_001,
        finishedAt: 3_999,
        userRetries: 0,
        systemRetries: 0,
        detail: "{}",
      },
      {
        executionId: "ex-1",
        nodeId: "after",
        state: NodeState.SKIPPED,
        target: "t",
        outputs: toBinary(LiteralSetSchema, outputs),
        error: null,
        startedAt: 0,
        finishedAt: 0,
        userRetries: 0,
        systemRetries: 0,
        detail: "{}",
      },
    ];
    const attempts = [
      {
        executionId: "ex-1",
        nodeId: "train",
        number: 1,
        state: NodeState.FAILED,
        workerId: "w",
        leaseToken: 3n,
        queuedAt: 2_000,
        startedAt: 2_001,
        finishedAt: 3_999,
        error: toBinary(ExecutionErrorSchema, error),
        gpus: "1,0",
      },
    ];
    const sources = new Map([["train", source]]);
    const expected = executionFrom(rec, nodes, attempts, sources);
    const bytes = encodeExecutionRecords(rec, nodes, attempts, sources);
    expect(equals(ExecutionSchema, fromBinary(ExecutionSchema, bytes), expected)).toBe(true);
    expect(equals(ExecutionSchema, fromBinary(GetExecutionResponseSchema, encodeExecutionResponse(bytes)).execution!, expected)).toBe(true);
    expect(equals(ExecutionSchema, fromBinary(ExecutionEventSchema, encodeSnapshotEvent(bytes, 5)).snapshot!, expected)).toBe(true);
    const header = fromBinary(ExecutionSchema, encodeExecution(rec, []));
    expect(header.nodes).toEqual([]);
    expect(header.backfillId).toBe("backfill-1");
  });
});
