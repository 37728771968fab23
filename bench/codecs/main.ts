// `node --import tsx bench/codecs/main.ts`: each hand-written protobuf codec on the runtime's hot
// paths against protobuf-es's toBinary/fromBinary on the same messages, CPU µs per operation (the
// median of several rounds). What justifies keeping a hand codec (docs/architecture.md). Not a test.
import { create, fromBinary, toBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  AssignSchema,
  ExecutionEventSchema,
  ExecutionSchema,
  ExecutionState,
  LiteralSetSchema,
  NodeExecutionSchema,
  NodeState,
  ServerMessageSchema,
  SimpleType,
  SourceLocationSchema,
  TaskTemplateSchema,
  WorkerMessageSchema,
  type NodeExecution,
} from "../../proto/index.ts";
import { codecs } from "./codecs.ts";

const ROUNDS = 7;
const TARGET_MS = 150;

/** This process's CPU time in ms: steadier than the wall clock when other processes share the cores. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** CPU µs per call of `fn`: the median of ROUNDS rounds of enough calls to last about TARGET_MS. */
function measure(fn: () => unknown): number {
  let n = 1;
  for (;;) {
    const t0 = cpuMs();
    for (let i = 0; i < n; i++) fn();
    const ms = cpuMs() - t0;
    if (ms > 20) {
      n = Math.max(1, Math.round((n * TARGET_MS) / ms));
      break;
    }
    n *= 4;
  }
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = cpuMs();
    for (let i = 0; i < n; i++) fn();
    rounds.push(((cpuMs() - t0) * 1000) / n);
  }
  return rounds.sort((a, b) => a - b)[ROUNDS >> 1]!;
}

const task = create(TaskTemplateSchema, {
  name: "score",
  version: "9f2c1e7a4b6d8f0a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f5a7c9e1b3d5f7a",
  interface: {
    inputs: [
      { name: "rows", type: { type: { case: "simple", value: SimpleType.INTEGER } } },
      { name: "label", type: { type: { case: "simple", value: SimpleType.STRING } } },
    ],
    outputs: [{ name: "score", type: { type: { case: "simple", value: SimpleType.FLOAT } } }],
  },
  retries: { attempts: 3 },
  timeout: { seconds: 600n },
  runtime: { case: "node", value: { module: "src/tasks/score.ts", exportName: "score" } },
  source: { file: "src/workflows/nightly.ts", line: 42, column: 7 },
});
const inputs = create(LiteralSetSchema, {
  literals: {
    rows: { value: { case: "scalar", value: { value: { case: "integer", value: 1000n } } }, hash: "a1b2c3d4" },
    label: { value: { case: "scalar", value: { value: { case: "string", value: "nightly" } } }, hash: "e5f6a7b8" },
  },
});
const inputBytes = toBinary(LiteralSetSchema, inputs);
const outputs = create(LiteralSetSchema, {
  literals: { score: { value: { case: "scalar", value: { value: { case: "float", value: 0.93 } } }, hash: "c0ffee00" } },
});
const outputBytes = toBinary(LiteralSetSchema, outputs);
const source = create(SourceLocationSchema, { file: "src/workflows/nightly.ts", line: 42, column: 7 });
const T0 = 1_700_000_000_123;

const assignFields = (i: number) => ({
  leaseToken: BigInt(1_000_000 + i),
  executionId: "ex-01HZX3K4M5N6P7Q8R9S0T1V2W3",
  nodeId: `score[${i}]`,
  attempt: 1,
  task,
  inputs,
  gpus: [] as number[],
  deadlineMs: T0 + 600_000,
});
const assignMessage = (i: number) => {
  const f = assignFields(i);
  return create(ServerMessageSchema, { msg: { case: "assign", value: { ...f, deadline: timestampFromMs(f.deadlineMs) } } });
};
const BATCH = 32;
const batchMessage = create(ServerMessageSchema, {
  msg: {
    case: "assigns",
    value: {
      assigns: Array.from({ length: BATCH }, (_, i) => {
        const f = assignFields(i);
        return create(AssignSchema, { ...f, deadline: timestampFromMs(f.deadlineMs) });
      }),
    },
  },
});
const batchBytes = toBinary(ServerMessageSchema, batchMessage);

const resultMessage = (i: number) =>
  create(WorkerMessageSchema, {
    msg: {
      case: "result",
      value: {
        leaseToken: BigInt(1_000_000 + i),
        outcome: { case: "outputs", value: outputs },
        startedAt: timestampFromMs(T0),
        finishedAt: timestampFromMs(T0 + 5),
      },
    },
  });
const resultBytes = toBinary(WorkerMessageSchema, resultMessage(1));
const resultBatchBytes = toBinary(
  WorkerMessageSchema,
  create(WorkerMessageSchema, { msg: { case: "results", value: { results: Array.from({ length: BATCH }, (_, i) => resultMessage(i).msg.value as never) } } }),
);

const nodeView = (i: number) => ({
  id: `score[${i}]`,
  state: NodeState.SUCCEEDED,
  target: "score",
  outputs: outputBytes,
  error: undefined,
  startedAt: T0 + 1,
  finishedAt: T0 + 5,
  source,
  attempts: [{ number: 1, state: NodeState.SUCCEEDED, workerId: "w-1", queuedAt: T0, startedAt: T0 + 1, finishedAt: T0 + 5, error: undefined, gpus: [] }],
});
/** What protobuf-es needs for the same node: a message (the store holds outputs as bytes). */
const nodeMessage = (v: ReturnType<typeof nodeView>, outputsMessage = outputs): NodeExecution =>
  create(NodeExecutionSchema, {
    nodeId: v.id,
    state: v.state,
    target: v.target,
    outputs: outputsMessage,
    startedAt: timestampFromMs(v.startedAt),
    finishedAt: timestampFromMs(v.finishedAt),
    source: v.source,
    attempts: v.attempts.map((a) => ({
      number: a.number,
      state: a.state,
      workerId: a.workerId,
      queuedAt: timestampFromMs(a.queuedAt),
      startedAt: timestampFromMs(a.startedAt),
      finishedAt: timestampFromMs(a.finishedAt),
      gpus: [...a.gpus],
    })),
  });
const EVENT_NODES = 50;
const SNAPSHOT_NODES = 1000;
const eventViews = Array.from({ length: EVENT_NODES }, (_, i) => nodeView(i));
const snapshotViews = Array.from({ length: SNAPSHOT_NODES }, (_, i) => nodeView(i));
const executionView = {
  id: "ex-01HZX3K4M5N6P7Q8R9S0T1V2W3",
  workflow: "nightly",
  version: "9f2c1e7a",
  state: ExecutionState.RUNNING,
  inputs: inputBytes,
  outputs: undefined,
  error: undefined,
  createdAt: T0,
  startedAt: T0 + 1,
  finishedAt: 0,
  scheduledFor: 0,
  backfillId: "",
  recoveredFrom: "",
};
const executionMessage = (nodes: NodeExecution[]) =>
  create(ExecutionSchema, {
    id: executionView.id,
    workflow: executionView.workflow,
    workflowVersion: executionView.version,
    state: executionView.state,
    inputs,
    createdAt: timestampFromMs(executionView.createdAt),
    startedAt: timestampFromMs(executionView.startedAt),
    nodes,
  });
const eventBytes = toBinary(ExecutionEventSchema, create(ExecutionEventSchema, { nodes: eventViews.map((v) => nodeMessage(v)), at: timestampFromMs(T0 + 50) }));
const snapshotEventBytes = toBinary(
  ExecutionEventSchema,
  create(ExecutionEventSchema, { snapshot: executionMessage(snapshotViews.map((v) => nodeMessage(v))), at: timestampFromMs(T0 + 50) }),
);

const pb = <D extends DescMessage>(schema: D, m: MessageShape<D>) => toBinary(schema, m);
let counter = 0;

interface Row {
  codec: string;
  hand: (() => unknown) | undefined;
  protobufEs: () => unknown;
  note: string;
}

const c = codecs();
const rows: Row[] = [
  {
    codec: "Assign encode (1 Assign)",
    hand: c.encodeAssign && (() => c.encodeAssign!(assignFields(counter++ & 1023))),
    protobufEs: () => pb(ServerMessageSchema, assignMessage(counter++ & 1023)),
    note: "create + toBinary; the TaskTemplate encoded every time",
  },
  {
    codec: "AssignBatch decode (32 Assigns)",
    hand: c.decodeServerFrame && (() => c.decodeServerFrame!(batchBytes)),
    protobufEs: () => fromBinary(ServerMessageSchema, batchBytes),
    note: "hand keeps TaskTemplate and inputs as bytes",
  },
  {
    codec: "Result encode (1 Result)",
    hand: c.encodeResult && (() => c.encodeResult!(BigInt(counter++), T0, T0 + 5, { outputs: outputBytes })),
    protobufEs: () => pb(WorkerMessageSchema, resultMessage(counter++)),
    note: "protobuf-es given outputs as a message (the task thread hands bytes)",
  },
  {
    codec: "Result decode (1 Result)",
    hand: c.decodeWorkerFrame && (() => c.decodeWorkerFrame!(resultBytes)),
    protobufEs: () => fromBinary(WorkerMessageSchema, resultBytes),
    note: "hand: decodeWorkerFrame, protobuf-es inside since 2.17",
  },
  {
    codec: "ResultBatch decode (32 Results)",
    hand: c.decodeWorkerFrame && (() => c.decodeWorkerFrame!(resultBatchBytes)),
    protobufEs: () => fromBinary(WorkerMessageSchema, resultBatchBytes),
    note: "as above",
  },
  {
    codec: `watch event encode (${EVENT_NODES} nodes)`,
    hand: c.encodeNodesEvent && (() => c.encodeNodesEvent!(eventViews, T0 + 50)),
    protobufEs: () =>
      pb(
        ExecutionEventSchema,
        create(ExecutionEventSchema, { nodes: eventViews.map((v) => nodeMessage(v, fromBinary(LiteralSetSchema, v.outputs))), at: timestampFromMs(T0 + 50) }),
      ),
    note: "protobuf-es: create from the views, outputs decoded from stored bytes",
  },
  {
    codec: `snapshot encode (${SNAPSHOT_NODES} nodes)`,
    hand: c.encodeExecution && (() => c.encodeSnapshotEvent!(c.encodeExecution!(executionView, snapshotViews), T0 + 50)),
    protobufEs: () =>
      pb(
        ExecutionEventSchema,
        create(ExecutionEventSchema, {
          snapshot: executionMessage(snapshotViews.map((v) => nodeMessage(v, fromBinary(LiteralSetSchema, v.outputs)))),
          at: timestampFromMs(T0 + 50),
        }),
      ),
    note: "as above",
  },
  {
    codec: `event decode (${EVENT_NODES} nodes)`,
    hand: c.decodeExecutionEvent && (() => c.decodeExecutionEvent!(eventBytes)),
    protobufEs: () => fromBinary(ExecutionEventSchema, eventBytes),
    note: "",
  },
  {
    codec: `snapshot event decode (${SNAPSHOT_NODES} nodes)`,
    hand: c.decodeExecutionEvent && (() => c.decodeExecutionEvent!(snapshotEventBytes)),
    protobufEs: () => fromBinary(ExecutionEventSchema, snapshotEventBytes),
    note: "",
  },
];

const fmt = (us: number) => (us < 10 ? us.toFixed(2) : us < 100 ? us.toFixed(1) : us.toFixed(0));
const lines = [`protobuf-es runtime ${c.runtimeVersion}, Node ${process.version}; CPU µs per operation, the median of ${ROUNDS} rounds`, ""];
lines.push("| codec | hand | protobuf-es | protobuf-es / hand | notes |", "| --- | ---: | ---: | ---: | --- |");
for (const row of rows) {
  const pbUs = measure(row.protobufEs);
  const handUs = row.hand ? measure(row.hand) : undefined;
  lines.push(
    `| ${row.codec} | ${handUs === undefined ? "—" : fmt(handUs)} | ${fmt(pbUs)} | ${handUs === undefined ? "—" : `${(pbUs / handUs).toFixed(2)}×`} | ${row.note} |`,
  );
}
process.stdout.write(`${lines.join("\n")}\n`);
