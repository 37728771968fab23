// AdminService over Connect on the runtime's HTTP port, from @connectrpc/connect-node's own client
// against a real runtime (and a worker on its gRPC port): the same handlers as gRPC, so the same
// answers, the same error codes with the same text, a watch streamed to the execution's end, and
// PutArtifact (UploadArtifact in one message, for browsers) feeding a run.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import type * as grpc from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import {
  AdminService,
  BlobKind,
  ExecutionState,
  LiteralSetSchema,
  NodeState,
  VariableSchema,
  type ExecutionEvent,
  type LiteralSet,
} from "../../../proto/index.ts";
import { MESSAGE_LIMITS } from "../../../runtime/server/message-limits.ts";
import {
  adminClient,
  incTask,
  int,
  intOf,
  INT,
  refNode,
  runtimePerTest,
  server,
  tempDir,
  TestWorker,
  waitFor,
  workflowSpec,
  type TaskObject,
} from "../harness.ts";

const rt = runtimePerTest();
const grpcClients: grpc.Client[] = [];
afterEach(() => {
  for (const c of grpcClients.splice(0)) c.close();
});

/** A Connect client of AdminService on the runtime's HTTP port. */
function connectAdmin(baseUrl: string, protocol: "connect" | "grpc-web" = "connect"): Client<typeof AdminService> {
  const options = { baseUrl, httpVersion: "1.1" as const };
  return createClient(AdminService, protocol === "connect" ? createConnectTransport(options) : createGrpcWebTransport(options));
}

async function started() {
  rt.srv = await server(tempDir());
  const http = rt.srv.http;
  if (!http) throw new Error("the runtime opened no HTTP port");
  const grpcAdmin = adminClient(rt.srv.address);
  grpcClients.push(grpcAdmin.raw);
  return { connect: connectAdmin(http.url), grpcAdmin, url: http.url, address: rt.srv.address };
}

async function connectError(call: Promise<unknown>): Promise<ConnectError> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConnectError);
  return err as ConnectError;
}

async function grpcError(call: Promise<unknown>): Promise<grpc.ServiceError> {
  const err = await call.then(
    () => undefined,
    (e: grpc.ServiceError) => e,
  );
  expect(err).toBeDefined();
  return err as grpc.ServiceError;
}

describe("AdminService over Connect", () => {
  it("lists what gRPC lists, over Connect and over gRPC-Web", async () => {
    const { connect, grpcAdmin, url } = await started();
    await grpcAdmin.registerWorkflow({ spec: workflowSpec("listed", [refNode("a", "inc", { input: "x" })], [incTask()]) });
    const overConnect = await connect.listWorkflows({});
    const overGrpc = await grpcAdmin.listWorkflows({});
    expect(overConnect.workflows.map((w) => [w.name, w.latestVersion])).toEqual(
      overGrpc.workflows.map((w: { name: string; latestVersion: string }) => [w.name, w.latestVersion]),
    );
    expect(overConnect.workflows.map((w) => w.name)).toEqual(["listed"]);
    const overGrpcWeb = await connectAdmin(url, "grpc-web").listWorkflows({});
    expect(overGrpcWeb.workflows.map((w) => w.name)).toEqual(["listed"]);
  });

  it("creates an execution and streams its watch to the end", async () => {
    const { connect, address } = await started();
    const spec = workflowSpec("chain", [refNode("a", "inc", { input: "x" }), refNode("b", "inc", { node: "a", output: "y" })], [incTask()], {
      output: { node: "b", output: "y" },
    });
    await connect.registerWorkflow({ spec });
    const worker = new TestWorker(address);
    rt.workers.push(worker);
    await worker.connect();
    const created = await connect.createExecution({ workflow: "chain", inputs: { literals: { x: int(40) } } });
    const id = created.execution!.id;
    // The already-encoded response reaches a Connect client as a message like any other.
    expect(created.execution?.nodes.map((n) => n.nodeId).sort()).toEqual(["a", "b"]);
    const events: ExecutionEvent[] = [];
    for await (const event of connect.watchExecution({ id })) events.push(event);
    const last = events.at(-1)?.snapshot;
    expect(events[0]?.snapshot?.id).toBe(id);
    expect(ExecutionState[last!.state]).toBe("SUCCEEDED");
    expect(intOf(last!.outputs!.literals.result)).toBe(42);
    expect(last!.nodes.map((n) => NodeState[n.state])).toEqual(["SUCCEEDED", "SUCCEEDED"]);
    // GetExecution over Connect agrees with the watch's last snapshot.
    const got = await connect.getExecution({ id });
    expect(ExecutionState[got.execution!.state]).toBe("SUCCEEDED");
  });

  it("answers with gRPC's codes and gRPC's text", async () => {
    const { connect, grpcAdmin } = await started();
    const missing = { id: "no-such-execution" };
    const [c, g] = [await connectError(connect.getExecution(missing)), await grpcError(grpcAdmin.getExecution(missing))];
    expect(c.code).toBe(Code.NotFound);
    expect(g.code).toBe(Code.NotFound);
    expect(c.rawMessage).toBe(g.details);
    expect(c.rawMessage).toMatch(/does not exist/);

    const badId = { workflow: "../../etc", inputs: create(LiteralSetSchema) };
    const [c2, g2] = [await connectError(connect.createExecution(badId)), await grpcError(grpcAdmin.createExecution(badId))];
    expect(c2.code).toBe(Code.InvalidArgument);
    expect(g2.code).toBe(Code.InvalidArgument);
    expect(c2.rawMessage).toBe(g2.details);
    expect(c2.rawMessage).toMatch(/workflow name/);

    const noWorkflow = { workflow: "not-registered" };
    const [c3, g3] = [await connectError(connect.createExecution(noWorkflow)), await grpcError(grpcAdmin.createExecution(noWorkflow))];
    expect(c3.code).toBe(g3.code);
    expect(c3.rawMessage).toBe(g3.details);

    // A watch of an execution that does not exist fails its stream the same way.
    const watchErr = await connectError(
      (async () => {
        for await (const _ of connect.watchExecution(missing)) void _;
      })(),
    );
    expect(watchErr.code).toBe(Code.NotFound);
    expect(watchErr.rawMessage).toBe(g.details);
  });

  it("holds a request to its method's size, refused with gRPC's text", async () => {
    const { connect, grpcAdmin } = await started();
    const huge = { id: "x".repeat(MESSAGE_LIMITS.defaultBytes + 10) };
    const [c, g] = [await connectError(connect.getExecution(huge)), await grpcError(grpcAdmin.getExecution(huge))];
    expect(c.code).toBe(Code.ResourceExhausted);
    expect(g.code).toBe(Code.ResourceExhausted);
    expect(c.rawMessage).toBe(g.details);
    expect(c.rawMessage).toMatch(/GetExecution message may hold at most 4194304 bytes/);
  });

  it("stores a file sent with PutArtifact, and a run reads it", async () => {
    const { connect, address } = await started();
    const bytes = Buffer.from("hello from a browser\n".repeat(1000));
    const stored = await connect.putArtifact({ kind: BlobKind.FILE, data: bytes });
    expect(stored.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    expect(stored.size).toBe(BigInt(bytes.byteLength));
    expect(readFileSync(fileURLToPath(stored.uri)).equals(bytes)).toBe(true);

    const measure: TaskObject = {
      ...incTask("measure"),
      interface: { inputs: [{ name: "f", type: { type: { case: "blob", value: { kind: BlobKind.FILE } } } }], outputs: [{ name: "y", type: INT }] },
    };
    const spec = workflowSpec(
      "sized",
      [{ id: "m", target: { case: "task", value: "measure" }, inputs: [{ var: "f", value: { value: { case: "workflowInput", value: "f" } } }] }],
      [measure],
      {
        output: { node: "m", output: "y" },
      },
    );
    spec.workflow!.interface!.inputs = [create(VariableSchema, { name: "f", type: { type: { case: "blob", value: { kind: BlobKind.FILE } } } })];
    await connect.registerWorkflow({ spec });
    // The worker reads the file the input names, as a real worker would, and answers its size.
    const worker = new TestWorker(address, async (a) => {
      const f = a.inputs!.literals.f!.value;
      if (f.case !== "blob") return { code: "INPUT_INVALID", message: "f is not a file" };
      return create(LiteralSetSchema, { literals: { y: int(readFileSync(fileURLToPath(f.value.uri)).byteLength) } }) as LiteralSet;
    });
    rt.workers.push(worker);
    await worker.connect();
    const { execution } = await connect.createExecution({
      workflow: "sized",
      inputs: { literals: { f: { value: { case: "blob", value: { uri: stored.uri, sha256: stored.sha256, size: stored.size, kind: BlobKind.FILE } } } } },
    });
    let last: ExecutionEvent | undefined;
    for await (const event of connect.watchExecution({ id: execution!.id, endOnly: true })) last = event;
    expect(ExecutionState[last!.snapshot!.state], last!.snapshot!.error?.message).toBe("SUCCEEDED");
    expect(intOf(last!.snapshot!.outputs!.literals.result)).toBe(bytes.byteLength);

    // PutArtifact is UploadArtifact's code: the same refusals.
    const refused = await connectError(connect.putArtifact({ kind: BlobKind.UNSPECIFIED, data: bytes }));
    expect(refused.code).toBe(Code.InvalidArgument);
    expect(refused.rawMessage).toMatch(/must name the kind: file or directory/);
  });

  it("stops a watch whose client went away", async () => {
    const { connect } = await started();
    await connect.registerWorkflow({ spec: workflowSpec("idle", [refNode("a", "inc", { input: "x" })], [incTask()]) });
    const { execution } = await connect.createExecution({ workflow: "idle", inputs: { literals: { x: int(1) } } });
    const watchers = (rt.srv!.engine as unknown as { watches: { watchers: Map<string, Set<unknown>> } }).watches.watchers;
    const gone = new AbortController();
    const watched = (async () => {
      for await (const _ of connect.watchExecution({ id: execution!.id }, { signal: gone.signal })) void _;
    })().catch(() => undefined);
    await waitFor(() => watchers.get(execution!.id)?.size === 1 || undefined, 5_000, "the watch to start");
    gone.abort();
    await watched;
    await waitFor(() => !watchers.has(execution!.id) || undefined, 5_000, "the runtime to drop the watch");
  });

  it("ends a Connect watch with UNAVAILABLE when the runtime stops, as gRPC's", async () => {
    const { connect } = await started();
    await connect.registerWorkflow({ spec: workflowSpec("stuck", [refNode("a", "inc", { input: "x" })], [incTask()]) });
    // No worker: the execution stays running.
    const { execution } = await connect.createExecution({ workflow: "stuck", inputs: { literals: { x: int(1) } } });
    const events: ExecutionEvent[] = [];
    const watched = (async () => {
      for await (const event of connect.watchExecution({ id: execution!.id })) events.push(event);
    })();
    const ended = connectError(watched);
    for (const deadline = Date.now() + 5_000; events.length === 0; ) {
      if (Date.now() > deadline) throw new Error("the watch's first snapshot never came");
      await new Promise((r) => setTimeout(r, 20));
    }
    const stopping = rt.srv!.stop();
    const err = await ended;
    expect(err.code).toBe(Code.Unavailable);
    expect(err.rawMessage).toMatch(/stopping; watch again/);
    await stopping;
    rt.srv = undefined;
  });
});
