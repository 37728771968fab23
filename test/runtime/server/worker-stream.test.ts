// The Connect stream's batches against the real server: a worker that reads AssignBatch gets the
// Assigns of one dispatch together and may answer with one ResultBatch; malformed bytes end the
// stream with INVALID_ARGUMENT and the server keeps serving.
import * as grpc from "@grpc/grpc-js";
import { create, toBinary } from "@bufbuild/protobuf";
import { afterEach, describe, expect, it } from "vitest";
import {
  ExecutionState,
  LiteralSetSchema,
  WorkerMessageSchema,
  WorkerService,
  grpcServiceDefinition,
  type Assign,
  type ServerMessage,
  type WorkerMessage,
} from "../../../proto/index.ts";
import type { RunningServer } from "../../../runtime/index.ts";
import { adminClient, finished, incTask, int, intOf, refNode, server, tempDir, waitFor, workflowSpec } from "../harness.ts";

let srv: RunningServer | undefined;
const clients: grpc.Client[] = [];
const streams: Stream[] = [];
afterEach(async () => {
  for (const s of streams.splice(0)) s.cancel();
  for (const c of clients.splice(0)) c.close();
  await srv?.stop();
  srv = undefined;
});

type Stream = grpc.ClientDuplexStream<WorkerMessage | Buffer, ServerMessage>;

/** A Connect stream that writes WorkerMessages (or raw bytes) and collects what comes down. */
function connect(address: string): { stream: Stream; received: ServerMessage[]; error: Promise<grpc.ServiceError> } {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  clients.push(client);
  const def = grpcServiceDefinition(WorkerService).connect;
  const serialize = (v: WorkerMessage | Buffer) => (v instanceof Uint8Array ? Buffer.from(v) : def.requestSerialize(v));
  const stream = client.makeBidiStreamRequest(def.path, serialize, def.responseDeserialize as (b: Buffer) => ServerMessage) as Stream;
  streams.push(stream);
  const received: ServerMessage[] = [];
  stream.on("data", (m: ServerMessage) => received.push(m));
  const error = new Promise<grpc.ServiceError>((ok) => stream.on("error", ok));
  stream.on("error", () => undefined); // a cancel at the end is no failure
  return { stream, received, error };
}

const message = (msg: WorkerMessage["msg"] | { case: string; value: unknown }) => create(WorkerMessageSchema, { msg: msg as never });
const register = (acceptsAssignBatch: boolean, capacity = 8) =>
  message({ case: "register", value: { hostname: "test", pools: ["cpu"], capacity, acceptsAssignBatch } });
const answer = (a: Assign) => ({
  leaseToken: a.leaseToken,
  outcome: { case: "outputs" as const, value: create(LiteralSetSchema, { literals: { y: int(intOf(a.inputs!.literals.x) + 1) } }) },
});

function assignsIn(received: ServerMessage[]): Assign[][] {
  return received.flatMap((m) => (m.msg.case === "assign" ? [[m.msg.value]] : m.msg.case === "assigns" ? [m.msg.value.assigns] : []));
}

const fanOut = (n: number) =>
  workflowSpec(
    "fan",
    Array.from({ length: n }, (_, i) => refNode(`n${i}`, "inc", { input: "x" })),
    [incTask()],
  );

describe("the Connect stream's batches", () => {
  it("sends a dispatch's Assigns as one AssignBatch to a worker that reads them, and takes its ResultBatch", async () => {
    srv = await server(tempDir());
    const admin = adminClient(srv.address);
    await admin.registerWorkflow({ spec: fanOut(8) });
    const w = connect(srv.address);
    w.stream.write(register(true));
    await waitFor(() => w.received.find((m) => m.msg.case === "registered"), 5_000, "Registered");
    const registered = w.received.find((m) => m.msg.case === "registered")!;
    expect(registered.msg.case === "registered" && registered.msg.value.acceptsResultBatch).toBe(true);
    const { execution } = await admin.createExecution({ workflow: "fan", inputs: { literals: { x: int(1) } } });
    const batches = await waitFor(
      () => {
        const b = assignsIn(w.received);
        return b.flat().length === 8 ? b : undefined;
      },
      5_000,
      "8 assigns",
    );
    // All eight became ready in one transaction, so they went down together.
    expect(batches.some((b) => b.length > 1)).toBe(true);
    expect(w.received.some((m) => m.msg.case === "assigns")).toBe(true);
    // One ResultBatch answers them all; a stale lease inside it is rejected, the rest land.
    const results = [...batches.flat().map(answer), { leaseToken: 999_999n, outcome: { case: "outputs" as const, value: create(LiteralSetSchema) } }];
    w.stream.write(message({ case: "results", value: { results } }));
    const done = await finished(admin, execution.id);
    expect(ExecutionState[done.state]).toBe("SUCCEEDED");
    expect(done.nodes.map((n: { outputs: { literals: { y: unknown } } }) => intOf(n.outputs.literals.y as never))).toEqual(Array(8).fill(2));
  });

  it("sends Assigns one by one to a worker that did not say it reads batches", async () => {
    srv = await server(tempDir());
    const admin = adminClient(srv.address);
    await admin.registerWorkflow({ spec: fanOut(8) });
    const w = connect(srv.address);
    w.stream.write(register(false));
    await waitFor(() => w.received.find((m) => m.msg.case === "registered"), 5_000, "Registered");
    const { execution } = await admin.createExecution({ workflow: "fan", inputs: { literals: { x: int(1) } } });
    const batches = await waitFor(
      () => {
        const b = assignsIn(w.received);
        return b.flat().length === 8 ? b : undefined;
      },
      5_000,
      "8 assigns",
    );
    expect(w.received.every((m) => m.msg.case !== "assigns")).toBe(true);
    for (const a of batches.flat()) w.stream.write(message({ case: "result", value: answer(a) }));
    expect(ExecutionState[(await finished(admin, execution.id)).state]).toBe("SUCCEEDED");
  });

  it("ends a stream whose bytes are not a WorkerMessage with INVALID_ARGUMENT, before or after Register", async () => {
    srv = await server(tempDir());
    const before = connect(srv.address);
    before.stream.write(Buffer.from([0xff, 0xff, 0xff, 0x0f, 0x01]));
    const first = await before.error;
    expect(first.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(first.details).toMatch(/could not be decoded/);

    const after = connect(srv.address);
    after.stream.write(register(true));
    await waitFor(() => after.received.find((m) => m.msg.case === "registered"), 5_000, "Registered");
    // A ResultBatch whose one Result claims more bytes than the message holds.
    const cut = toBinary(WorkerMessageSchema, message({ case: "results", value: { results: [{ leaseToken: 1n }] } }));
    after.stream.write(Buffer.from([...cut.subarray(0, 3), 0x7f, ...cut.subarray(4)]));
    expect((await after.error).code).toBe(grpc.status.INVALID_ARGUMENT);

    const admin = adminClient(srv.address);
    expect((await admin.listWorkflows({})).workflows).toEqual([]);
  });
});
