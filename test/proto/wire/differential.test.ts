// Each hand codec of proto/wire/ against protobuf-es on seeded random messages: what a hand writer
// writes, protobuf-es's fromBinary reads back as the source message; what protobuf-es's toBinary
// writes, the hand reader (alone, without its protobuf-es fallback) reads back as the source. A
// failure names the seed and the message's index; `new Random(seed)` replays it.
import { create, type DescMessage, equals, fromBinary, type MessageShape, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs, timestampMs } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import {
  AssignBatchSchema,
  AssignSchema,
  AttemptSchema,
  ClearNodesResponseSchema,
  CreateExecutionResponseSchema,
  ExecutionEventSchema,
  ExecutionSchema,
  GetExecutionResponseSchema,
  LiteralSetSchema,
  NodeExecutionSchema,
  RecoverExecutionResponseSchema,
  ResultBatchSchema,
  ResultSchema,
  ServerMessageSchema,
  TaskTemplateSchema,
  TerminateExecutionResponseSchema,
  WorkerMessageSchema,
  ExecutionErrorSchema,
  type Assign,
  type AssignFields,
  type AssignFrame,
  type Attempt,
  type AttemptView,
  type Execution,
  type ExecutionError,
  type ExecutionView,
  type LiteralSet,
  type NodeExecution,
  type NodeView,
  type Result,
  type ResultFrame,
  type Sub,
} from "../../../proto/index.ts";
import { encodeAssign, encodeAssignBatch, readAssigns } from "../../../proto/wire/assign.ts";
import { readExecutionEvent } from "../../../proto/wire/execution-event-decoding.ts";
import {
  encodeExecution,
  encodeExecutionResponse,
  encodeNodeExecution,
  encodeNodesEvent,
  encodeSnapshotEvent,
} from "../../../proto/wire/execution-encoding.ts";
import { encodeResult, encodeResultBatch, readResults } from "../../../proto/wire/result.ts";
import { Random } from "./random-messages.ts";

const SEEDS = [1, 7, 42, 2_024, 0xc0ffee];
/** Messages per seed and codec: a few hundred per codec in all. */
const PER_SEED = 60;

/** Runs `check` on PER_SEED messages of every seed, each failure naming its seed and index. */
function forEachSeed(check: (r: Random, where: string) => void): void {
  for (const seed of SEEDS) {
    const r = new Random(seed);
    for (let i = 0; i < PER_SEED; i++) check(r, `seed ${seed}, message ${i}`);
  }
}

function expectEqual<D extends DescMessage>(schema: D, got: MessageShape<D>, want: MessageShape<D>, where: string): void {
  if (!equals(schema, got, want)) expect(got, `${where}: ${schema.typeName} differs`).toEqual(want);
}

const ms = (t: number) => (t ? timestampFromMs(t) : undefined);

describe("the Assign codec against protobuf-es", () => {
  function fields(r: Random): AssignFields {
    return {
      leaseToken: r.uint64(),
      executionId: r.string(),
      nodeId: r.string(),
      attempt: r.uint32(),
      task: r.chance(0.8) ? r.task() : undefined,
      inputs: r.chance(0.8) ? r.literalSet() : undefined,
      gpus: r.list(4, () => r.uint32()),
      deadlineMs: r.ms(),
    };
  }
  const assign = (f: AssignFields): Assign => create(AssignSchema, { ...f, gpus: [...f.gpus], deadline: ms(f.deadlineMs) });

  it("encodeAssign and encodeAssignBatch write what fromBinary reads as the source", () => {
    forEachSeed((r, where) => {
      const sent = r.list(4, () => fields(r));
      for (const f of sent) {
        const decoded = fromBinary(ServerMessageSchema, encodeAssign(f));
        expectEqual(ServerMessageSchema, decoded, create(ServerMessageSchema, { msg: { case: "assign", value: assign(f) } }), where);
      }
      const batch = fromBinary(ServerMessageSchema, encodeAssignBatch(sent.map(encodeAssign)));
      if (batch.msg.case !== "assigns") expect.fail(`${where}: not an AssignBatch`);
      expectEqual(AssignBatchSchema, batch.msg.value, create(AssignBatchSchema, { assigns: sent.map(assign) }), where);
    });
  });

  it("the hand reader reads what toBinary writes as the source (template and inputs as bytes, the deadline in ms)", () => {
    /** A frame as an Assign: what it holds, in the message's terms. */
    const fromFrame = (f: AssignFrame): Assign =>
      create(AssignSchema, {
        ...f,
        task: f.task.length ? fromBinary(TaskTemplateSchema, f.task) : undefined,
        inputs: f.inputs.length ? fromBinary(LiteralSetSchema, f.inputs) : undefined,
        deadline: ms(f.deadlineMs),
      });
    /** What a frame can hold of an Assign: no empty inputs (as none), a deadline to the ms. */
    const frameable = (a: Assign): Assign =>
      create(AssignSchema, {
        ...a,
        inputs: a.inputs && Object.keys(a.inputs.literals).length > 0 ? a.inputs : undefined,
        deadline: a.deadline && ms(timestampMs(a.deadline)),
      });
    forEachSeed((r, where) => {
      const sent = r.list(4, () => create(AssignSchema, { ...assign(fields(r)), deadline: r.chance(0.7) ? r.timestamp() : undefined }));
      const single = sent.length === 1 && r.chance(0.5);
      const msg = create(ServerMessageSchema, { msg: single ? { case: "assign", value: sent[0]! } : { case: "assigns", value: { assigns: sent } } });
      const frames = readAssigns(toBinary(ServerMessageSchema, msg));
      if (!frames) return expect.fail(`${where}: the hand reader gave up`);
      expect(frames.length, where).toBe(sent.length);
      for (const [i, f] of frames.entries()) expectEqual(AssignSchema, fromFrame(f), frameable(sent[i]!), `${where}, assign ${i}`);
    });
  });
});

describe("the Result codec against protobuf-es", () => {
  interface Sent {
    lease: bigint;
    startedMs: number;
    finishedMs: number;
    outcome: { outputs: LiteralSet } | { error: ExecutionError };
  }
  const sent = (r: Random): Sent => ({
    lease: r.uint64(),
    startedMs: r.ms(),
    finishedMs: r.ms(),
    outcome: r.chance(0.7) ? { outputs: r.literalSet() } : { error: r.error() },
  });
  const encoded = (s: Sent) =>
    encodeResult(s.lease, s.startedMs, s.finishedMs, "outputs" in s.outcome ? { outputs: toBinary(LiteralSetSchema, s.outcome.outputs) } : s.outcome);
  const result = (s: Sent): Result =>
    create(ResultSchema, {
      leaseToken: s.lease,
      outcome: "outputs" in s.outcome ? { case: "outputs", value: s.outcome.outputs } : { case: "error", value: s.outcome.error },
      // Written even at 0: a Result always says when.
      startedAt: timestampFromMs(s.startedMs),
      finishedAt: timestampFromMs(s.finishedMs),
    });

  it("encodeResult and encodeResultBatch write what fromBinary reads as the source", () => {
    forEachSeed((r, where) => {
      const results = r.list(4, () => sent(r));
      for (const s of results) {
        const decoded = fromBinary(WorkerMessageSchema, encoded(s));
        expectEqual(WorkerMessageSchema, decoded, create(WorkerMessageSchema, { msg: { case: "result", value: result(s) } }), where);
      }
      const batch = fromBinary(WorkerMessageSchema, encodeResultBatch(results.map(encoded)));
      if (batch.msg.case !== "results") expect.fail(`${where}: not a ResultBatch`);
      expectEqual(ResultBatchSchema, batch.msg.value, create(ResultBatchSchema, { results: results.map(result) }), where);
    });
  });

  it("the hand reader reads what toBinary writes as the source (outcomes as bytes)", () => {
    const fromFrame = (f: ResultFrame): Result =>
      create(ResultSchema, {
        ...f,
        outcome:
          f.outcome.case === "outputs"
            ? { case: "outputs", value: fromBinary(LiteralSetSchema, f.outcome.value) }
            : f.outcome.case === "error"
              ? { case: "error", value: fromBinary(ExecutionErrorSchema, f.outcome.value) }
              : { case: undefined },
      });
    forEachSeed((r, where) => {
      const results = r.list(4, () =>
        create(ResultSchema, {
          leaseToken: r.uint64(),
          outcome: r.pick([{ case: "outputs" as const, value: r.literalSet() }, { case: "error" as const, value: r.error() }, { case: undefined }]),
          startedAt: r.chance(0.8) ? r.timestamp() : undefined,
          finishedAt: r.chance(0.8) ? r.timestamp() : undefined,
        }),
      );
      const single = results.length === 1 && r.chance(0.5);
      const msg = create(WorkerMessageSchema, { msg: single ? { case: "result", value: results[0]! } : { case: "results", value: { results } } });
      const frames = readResults(toBinary(WorkerMessageSchema, msg));
      if (!frames) return expect.fail(`${where}: the hand reader gave up`);
      expect(frames.length, where).toBe(results.length);
      for (const [i, f] of frames.entries()) expectEqual(ResultSchema, fromFrame(f), results[i]!, `${where}, result ${i}`);
    });
  });
});

describe("the execution codecs against protobuf-es", () => {
  /** A sub-message as a view may hold it: absent, a message, or its bytes (a store record). */
  function sub<T extends object>(r: Random, make: () => T, schema: DescMessage): Sub<T> {
    const kind = r.int(4);
    if (kind === 0) return r.chance(0.5) ? null : undefined;
    const m = make();
    return kind === 1 ? toBinary(schema, m as never) : m;
  }
  const message = <T>(schema: DescMessage, s: Sub<T>): T | undefined => (s instanceof Uint8Array ? (fromBinary(schema, s) as T) : (s ?? undefined));

  const attemptView = (r: Random): AttemptView => ({
    number: r.uint32(),
    state: r.nodeState(),
    workerId: r.string(),
    queuedAt: r.ms(),
    startedAt: r.ms(),
    finishedAt: r.ms(),
    error: sub(r, () => r.error(), ExecutionErrorSchema),
    gpus: r.gpus(),
  });
  const nodeView = (r: Random): NodeView => ({
    id: r.string(),
    state: r.nodeState(),
    target: r.string(),
    outputs: sub(r, () => r.literalSet(), LiteralSetSchema),
    error: sub(r, () => r.error(), ExecutionErrorSchema),
    startedAt: r.ms(),
    finishedAt: r.ms(),
    source: r.chance(0.6) ? r.source() : undefined,
    attempts: r.list(3, () => attemptView(r)),
  });
  const executionView = (r: Random): ExecutionView => ({
    id: r.string(),
    workflow: r.string(),
    version: r.string(),
    state: r.executionState(),
    inputs: sub(r, () => r.literalSet(), LiteralSetSchema),
    outputs: sub(r, () => r.literalSet(), LiteralSetSchema),
    error: sub(r, () => r.error(), ExecutionErrorSchema),
    createdAt: r.ms(),
    startedAt: r.ms(),
    finishedAt: r.ms(),
    scheduledFor: r.ms(),
    backfillId: r.string(),
    recoveredFrom: r.string(),
  });

  const attempt = (a: AttemptView): Attempt =>
    create(AttemptSchema, {
      number: a.number,
      state: a.state,
      workerId: a.workerId,
      queuedAt: ms(a.queuedAt),
      startedAt: ms(a.startedAt),
      finishedAt: ms(a.finishedAt),
      error: message(ExecutionErrorSchema, a.error),
      gpus: [...a.gpus],
    });
  const node = (n: NodeView): NodeExecution =>
    create(NodeExecutionSchema, {
      nodeId: n.id,
      state: n.state,
      attempts: n.attempts.map(attempt),
      outputs: message(LiteralSetSchema, n.outputs),
      error: message(ExecutionErrorSchema, n.error),
      startedAt: ms(n.startedAt),
      finishedAt: ms(n.finishedAt),
      target: n.target,
      source: n.source,
    });
  const execution = (e: ExecutionView, nodes: NodeView[]): Execution =>
    create(ExecutionSchema, {
      id: e.id,
      workflow: e.workflow,
      workflowVersion: e.version,
      state: e.state,
      inputs: message(LiteralSetSchema, e.inputs),
      outputs: message(LiteralSetSchema, e.outputs),
      error: message(ExecutionErrorSchema, e.error),
      createdAt: ms(e.createdAt),
      startedAt: ms(e.startedAt),
      finishedAt: ms(e.finishedAt),
      nodes: nodes.map(node),
      scheduledFor: ms(e.scheduledFor),
      backfillId: e.backfillId,
      recoveredFrom: e.recoveredFrom,
    });
  const RESPONSES = [
    CreateExecutionResponseSchema,
    GetExecutionResponseSchema,
    TerminateExecutionResponseSchema,
    RecoverExecutionResponseSchema,
    ClearNodesResponseSchema,
  ];

  it("the encoders write what fromBinary reads as the source: nodes, events, executions, snapshots, responses", () => {
    forEachSeed((r, where) => {
      const nodes = r.list(5, () => nodeView(r));
      const at = r.ms();
      for (const n of nodes) expectEqual(NodeExecutionSchema, fromBinary(NodeExecutionSchema, encodeNodeExecution(n)), node(n), where);
      // A node list given as an iterator, as the server hands its pending nodes.
      const event = fromBinary(ExecutionEventSchema, encodeNodesEvent(new Set(nodes).values(), at));
      expectEqual(ExecutionEventSchema, event, create(ExecutionEventSchema, { nodes: nodes.map(node), at: ms(at) }), where);
      const e = executionView(r);
      const bytes = encodeExecution(e, nodes);
      expectEqual(ExecutionSchema, fromBinary(ExecutionSchema, bytes), execution(e, nodes), where);
      const snapshot = fromBinary(ExecutionEventSchema, encodeSnapshotEvent(bytes, at));
      expectEqual(ExecutionEventSchema, snapshot, create(ExecutionEventSchema, { snapshot: execution(e, nodes), at: ms(at) }), where);
      const response = r.pick(RESPONSES);
      expectEqual(ExecutionSchema, fromBinary(response, encodeExecutionResponse(bytes)).execution!, execution(e, nodes), `${where}, ${response.typeName}`);
    });
  });

  it("the hand event reader reads what toBinary writes as the source", () => {
    const randomNode = (r: Random): NodeExecution =>
      create(NodeExecutionSchema, {
        nodeId: r.string(),
        state: r.nodeState(),
        attempts: r.list(3, () =>
          create(AttemptSchema, {
            number: r.uint32(),
            state: r.nodeState(),
            workerId: r.string(),
            queuedAt: r.chance(0.7) ? r.timestamp() : undefined,
            startedAt: r.chance(0.7) ? r.timestamp() : undefined,
            finishedAt: r.chance(0.7) ? r.timestamp() : undefined,
            error: r.chance(0.3) ? r.error() : undefined,
            gpus: r.gpus(),
          }),
        ),
        outputs: r.chance(0.6) ? r.literalSet() : undefined,
        error: r.chance(0.3) ? r.error() : undefined,
        startedAt: r.chance(0.7) ? r.timestamp() : undefined,
        finishedAt: r.chance(0.7) ? r.timestamp() : undefined,
        target: r.string(),
        source: r.chance(0.6) ? r.source() : undefined,
      });
    forEachSeed((r, where) => {
      const snapshot = r.chance(0.4)
        ? create(ExecutionSchema, {
            id: r.string(),
            workflow: r.string(),
            workflowVersion: r.string(),
            state: r.executionState(),
            inputs: r.chance(0.6) ? r.literalSet() : undefined,
            outputs: r.chance(0.4) ? r.literalSet() : undefined,
            error: r.chance(0.3) ? r.error() : undefined,
            createdAt: r.chance(0.8) ? r.timestamp() : undefined,
            startedAt: r.chance(0.6) ? r.timestamp() : undefined,
            finishedAt: r.chance(0.4) ? r.timestamp() : undefined,
            nodes: r.list(5, () => randomNode(r)),
            scheduledFor: r.chance(0.3) ? r.timestamp() : undefined,
            backfillId: r.string(),
            recoveredFrom: r.string(),
          })
        : undefined;
      const event = create(ExecutionEventSchema, { snapshot, nodes: r.list(5, () => randomNode(r)), at: r.chance(0.8) ? r.timestamp() : undefined });
      expectEqual(ExecutionEventSchema, readExecutionEvent(toBinary(ExecutionEventSchema, event)), event, where);
    });
  });
});

describe("strings no encoder can keep", () => {
  it("a lone surrogate is written as U+FFFD, as protobuf-es writes it", () => {
    for (const s of ["\uD800", "a\uDC00b", "\uD83D", "x\uD83D\uDE00\uDE00", "é\uDBFF"]) {
      const assign = { leaseToken: 1n, executionId: s, nodeId: s, attempt: 1, task: undefined, inputs: undefined, gpus: [], deadlineMs: 0 };
      const theirs = toBinary(ServerMessageSchema, create(ServerMessageSchema, { msg: { case: "assign", value: { ...assign, gpus: [] } } }));
      expect(encodeAssign(assign), JSON.stringify(s)).toEqual(theirs);
      const node: NodeView = { id: s, state: 0, target: s, outputs: undefined, error: undefined, startedAt: 0, finishedAt: 0, source: undefined, attempts: [] };
      expect(encodeNodeExecution(node), JSON.stringify(s)).toEqual(toBinary(NodeExecutionSchema, create(NodeExecutionSchema, { nodeId: s, target: s })));
    }
  });
});
