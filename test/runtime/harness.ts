// Test harness for the runtime: specs built from generated messages, a real gRPC admin client, and a
// small worker that speaks the Connect stream directly (a real client, not a mock of the runtime).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import {
  AdminService,
  CompiledWorkflowSchema,
  ErrorKind,
  ExecutionState,
  LiteralSchema,
  LiteralSetSchema,
  SimpleType,
  WatchExecutionRequestSchema,
  WorkerService,
  WorkerMessageSchema,
  grpcServiceDefinition,
  type Assign,
  type CompiledWorkflow,
  type Literal,
  type LiteralSet,
  type ServerMessage,
  type WorkerMessage,
  type NodeSchema,
  type TaskTemplateSchema,
} from "../../proto/index.ts";
import { hashLiteral } from "../../sdk/literals.ts";
import { afterEach } from "vitest";
import type { AdminClient as RuntimeClient } from "../../runtime/client.ts";
import { startServer, type RunningServer } from "../../runtime/index.ts";

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "weir-runtime-"));
}

export const INT = { type: { case: "simple" as const, value: SimpleType.INTEGER } };
export const STR = { type: { case: "simple" as const, value: SimpleType.STRING } };

export function int(n: number): Literal {
  const lit = create(LiteralSchema, { value: { case: "scalar", value: { value: { case: "integer", value: BigInt(n) } } } });
  lit.hash = hashLiteral(lit);
  return lit;
}

export function str(s: string): Literal {
  const lit = create(LiteralSchema, { value: { case: "scalar", value: { value: { case: "string", value: s } } } });
  lit.hash = hashLiteral(lit);
  return lit;
}

export function intOf(lit: Literal | undefined): number {
  const v = lit?.value;
  if (v?.case === "scalar" && v.value.value.case === "integer") return Number(v.value.value.value);
  throw new Error(`not an integer literal: ${JSON.stringify(v?.case)}`);
}

type TaskInit = MessageInitShape<typeof TaskTemplateSchema>;
type NodeInit = MessageInitShape<typeof NodeSchema>;

/** A task `name(x: int) -> y: int`, run by the test worker. */
/** A task as a plain init object (spreadable in tests); workflowSpec turns it into a message. */
export type TaskObject = { name: string; version: string } & Record<string, unknown>;

export function incTask(name = "inc", extra: Partial<TaskInit> = {}): TaskObject {
  return {
    name,
    version: `${name}-v1`,
    interface: { inputs: [{ name: "x", type: INT }], outputs: [{ name: "y", type: INT }] },
    runtime: { case: "node", value: { module: "tasks.ts", exportName: name } },
    source: { file: "tasks.ts", line: 1, column: 1 },
    ...extra,
  } as TaskObject;
}

export function refNode(id: string, task: string, from: { node: string; output: string } | { input: string }, upstream: string[] = []): NodeInit {
  const value =
    "node" in from ? { case: "ref" as const, value: { nodeId: from.node, output: from.output } } : { case: "workflowInput" as const, value: from.input };
  return {
    id,
    target: { case: "task", value: task },
    inputs: [{ var: "x", value: { value } }],
    upstream: "node" in from ? [from.node, ...upstream] : upstream,
    source: { file: "wf.ts", line: 1, column: 1 },
  };
}

export function workflowSpec(
  name: string,
  nodes: NodeInit[],
  tasks: TaskObject[],
  opts: {
    output?: { node: string; output: string };
    maxParallelism?: number;
    schedule?: MessageInitShape<typeof CompiledWorkflowSchema>["workflow"] extends infer W ? (W extends { schedule?: infer S } ? S : never) : never;
  } = {},
): CompiledWorkflow {
  return create(CompiledWorkflowSchema, {
    workflow: {
      name,
      version: "",
      interface: { inputs: [{ name: "x", type: INT }], outputs: opts.output ? [{ name: "result", type: INT }] : [] },
      nodes,
      outputs: opts.output ? [{ var: "result", value: { value: { case: "ref", value: { nodeId: opts.output.node, output: opts.output.output } } } }] : [],
      maxParallelism: opts.maxParallelism ?? 0,
      schedule: opts.schedule,
      source: { file: "wf.ts", line: 1, column: 1 },
    },
    tasks: [...tasks].sort((a, b) => (a.name < b.name ? -1 : 1)) as TaskInit[],
    compilerVersion: "test",
  });
}

export type AdminClient = Record<string, (req: unknown) => Promise<any>> & { raw: grpc.Client; watch(id: string): Promise<any[]> };

export function adminClient(address: string): AdminClient {
  const def = grpcServiceDefinition(AdminService);
  const Ctor = grpc.makeGenericClientConstructor(def, "AdminService");
  const raw = new Ctor(address, grpc.credentials.createInsecure()) as unknown as grpc.Client & Record<string, Function>;
  const out: Record<string, unknown> = { raw };
  for (const m of AdminService.methods) {
    if (m.methodKind !== "unary") continue;
    out[m.localName] = (req: unknown) =>
      new Promise((ok, fail) =>
        (raw[m.localName] as Function).call(raw, create(m.input, req as never), (err: unknown, res: unknown) => (err ? fail(err) : ok(res))),
      );
  }
  out.watch = (id: string) =>
    new Promise((ok, fail) => {
      const events: unknown[] = [];
      const stream = (raw.watchExecution as Function).call(raw, create(WatchExecutionRequestSchema, { id })) as grpc.ClientReadableStream<unknown>;
      stream.on("data", (e) => events.push(e));
      stream.on("end", () => ok(events));
      stream.on("error", fail);
    });
  return out as AdminClient;
}

export type Behaviour = (assign: Assign, worker: TestWorker) => Promise<LiteralSet | { code: string; message?: string; kind?: ErrorKind } | "hang">;

/** Default: y = x + 1. */
export const increment: Behaviour = async (a) => create(LiteralSetSchema, { literals: { y: int(intOf(a.inputs!.literals.x) + 1) } });

export class TestWorker {
  readonly assigns: Assign[] = [];
  readonly cancels: bigint[] = [];
  readonly running = new Set<bigint>();
  workerId = "";
  private stream: grpc.ClientDuplexStream<WorkerMessage, ServerMessage> | undefined;
  private client: grpc.Client;
  private hb: NodeJS.Timeout | undefined;
  heartbeating = true;

  constructor(
    address: string,
    private behaviour: Behaviour = increment,
    readonly opts: { id?: string; pools?: string[]; capacity?: number; gpus?: number | string[]; instance?: string } = {},
  ) {
    this.client = new grpc.Client(address, grpc.credentials.createInsecure());
  }

  connect(): Promise<string> {
    const def = grpcServiceDefinition(WorkerService).connect;
    this.stream = this.client.makeBidiStreamRequest(def.path, def.requestSerialize, def.responseDeserialize as (b: Buffer) => ServerMessage);
    return new Promise((ok, fail) => {
      this.stream!.on("data", (m: ServerMessage) => {
        if (m.msg.case === "registered") {
          this.workerId = m.msg.value.workerId;
          this.hb = setInterval(() => this.heartbeating && this.send({ case: "heartbeat", value: { running: [...this.running] } }), 200);
          ok(this.workerId);
        } else if (m.msg.case === "assign") void this.run(m.msg.value);
        else if (m.msg.case === "cancel") this.cancels.push(m.msg.value.leaseToken);
      });
      this.stream!.on("error", (e) => fail(e));
      this.send({
        case: "register",
        value: {
          workerId: this.opts.id ?? "",
          hostname: "test",
          instance: this.opts.instance ?? "",
          pools: this.opts.pools ?? ["cpu"],
          capacity: this.opts.capacity ?? 8,
          // A count of unnamed devices, or the devices' names as nvidia-smi would give them.
          gpus: (Array.isArray(this.opts.gpus) ? this.opts.gpus : Array.from({ length: this.opts.gpus ?? 0 }, () => "test-gpu")).map((name, index) => ({
            index,
            name,
          })),
        },
      });
    });
  }

  send(msg: WorkerMessage["msg"] | { case: string; value: unknown }): void {
    this.stream?.write(create(WorkerMessageSchema, { msg: msg as never }));
  }

  setBehaviour(b: Behaviour): void {
    this.behaviour = b;
  }

  private async run(a: Assign): Promise<void> {
    this.assigns.push(a);
    this.running.add(a.leaseToken);
    const out = await this.behaviour(a, this);
    if (out === "hang") return;
    this.running.delete(a.leaseToken);
    if ("literals" in out) this.send({ case: "result", value: { leaseToken: a.leaseToken, outcome: { case: "outputs", value: out } } });
    else
      this.send({
        case: "result",
        value: {
          leaseToken: a.leaseToken,
          outcome: { case: "error", value: { code: out.code, message: out.message ?? out.code, kind: out.kind ?? ErrorKind.USER } },
        },
      });
  }

  /** Drops the stream without a goodbye (a crashed or partitioned worker). */
  kill(): void {
    clearInterval(this.hb);
    this.stream?.cancel();
    this.client.close();
  }

  close(): void {
    clearInterval(this.hb);
    this.stream?.end();
    this.client.close();
  }
}

/** What a test file's tests start: closed and stopped after each test (this registers the afterEach). */
export interface PerTest {
  srv?: RunningServer;
  client?: RuntimeClient;
  readonly workers: TestWorker[];
}

export function runtimePerTest(): PerTest {
  const rt: PerTest = { workers: [] };
  afterEach(async () => {
    rt.client?.close();
    rt.client = undefined;
    for (const w of rt.workers.splice(0)) w.close();
    await rt.srv?.stop();
    rt.srv = undefined;
  });
  return rt;
}

export async function server(dir: string, opts: Parameters<typeof startServer>[0] = {}): Promise<RunningServer> {
  return startServer({
    storeUrl: `sqlite:${join(dir, "weir.db")}`,
    port: 0,
    projectRoot: dir,
    logLevel: "silent",
    heartbeatTimeoutMs: 1000,
    heartbeatIntervalMs: 200,
    restartGraceMs: 1000,
    ...opts,
  });
}

/** Waits until an execution has ended (succeeded, failed or terminated) and returns it. */
export async function finished(admin: AdminClient, id: string, timeoutMs = 10_000): Promise<any> {
  return waitFor(
    async () => {
      const { execution } = await admin.getExecution({ id });
      return execution.state >= ExecutionState.SUCCEEDED ? execution : undefined;
    },
    timeoutMs,
    `execution ${id} to end`,
  );
}

export async function waitFor<T>(fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000, what = "condition"): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export { durationFromMs };
