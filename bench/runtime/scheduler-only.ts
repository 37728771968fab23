// Measures the control plane alone: one runtime (SQLite, every transition durable) and one worker
// process of capacity 64 that answers every Assign at once with a no-op result (no task code runs),
// speaking the batched protocol as `weir worker` does: the Assigns of an AssignBatch are answered
// with one ResultBatch.
// Run: node --import tsx bench/runtime/scheduler-only.ts [chain|fan|fan10k]. "runtime CPU" is this
// process's (the runtime's threads, its SQLite writer's, and the polling client's).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import { create, toBinary } from "@bufbuild/protobuf";
import {
  AdminService,
  CompiledWorkflowSchema,
  CreateExecutionRequestSchema,
  GetExecutionRequestSchema,
  ListExecutionsRequestSchema,
  LiteralSchema,
  RegisterWorkflowRequestSchema,
  SimpleType,
  WorkerMessageSchema,
  WorkerService,
  grpcServiceDefinition,
  ExecutionState,
  type Execution,
  type ServerMessage,
  type WorkerMessage,
} from "../../proto/index.ts";
import { startServer } from "../../runtime/index.ts";

const INT = { type: { case: "simple" as const, value: SimpleType.INTEGER } };
const task = {
  name: "noop",
  version: "v1",
  interface: { inputs: [{ name: "x", type: INT }], outputs: [{ name: "y", type: INT }] },
  runtime: { case: "node" as const, value: { module: "t.ts", exportName: "noop" } },
};
const ref = (node: string) => ({ var: "x", value: { value: { case: "ref" as const, value: { nodeId: node, output: "y" } } } });
const input = { var: "x", value: { value: { case: "workflowInput" as const, value: "x" } } };

function spec(name: string, nodes: Array<{ id: string; inputs: unknown[]; upstream: string[] }>) {
  return create(CompiledWorkflowSchema, {
    workflow: {
      name,
      interface: { inputs: [{ name: "x", type: INT }] },
      nodes: nodes.map((n) => ({ ...n, target: { case: "task", value: "noop" } })) as never,
    },
    tasks: [task],
  });
}
const chain = (n: number) =>
  spec(
    `chain${n}`,
    Array.from({ length: n }, (_, i) => ({ id: `n${i}`, inputs: [i ? ref(`n${i - 1}`) : input], upstream: i ? [`n${i - 1}`] : [] })),
  );
const fan = (n: number) =>
  spec(
    `fan${n}`,
    Array.from({ length: n }, (_, i) => ({ id: `n${i}`, inputs: [input], upstream: [] })),
  );

/** The worker half: connects, registers with capacity 64, answers each Assign with a no-op result. */
async function runWorker(address: string): Promise<void> {
  const wc = new grpc.Client(address, grpc.credentials.createInsecure());
  const def = grpcServiceDefinition(WorkerService).connect;
  const stream = wc.makeBidiStreamRequest(def.path, def.requestSerialize, def.responseDeserialize as (b: Buffer) => ServerMessage);
  const y = create(LiteralSchema, { value: { case: "scalar", value: { value: { case: "integer", value: 1n } } }, hash: "1" });
  const send = (msg: WorkerMessage["msg"]) => stream.write(create(WorkerMessageSchema, { msg }));
  const result = (a: { leaseToken: bigint }) => ({ leaseToken: a.leaseToken, outcome: { case: "outputs" as const, value: { literals: { y } } } });
  stream.on("data", (m: ServerMessage) => {
    if (m.msg.case === "registered") {
      // Results go back at once, so nothing is ever running at a heartbeat.
      setInterval(() => send({ case: "heartbeat", value: { running: [] } } as never), 1000);
      process.send?.("ready");
    } else if (m.msg.case === "assign") send({ case: "result", value: result(m.msg.value) } as never);
    else if (m.msg.case === "assigns") send({ case: "results", value: { results: m.msg.value.assigns.map(result) } } as never);
  });
  stream.on("error", () => process.exit(0));
  send({ case: "register", value: { capacity: 64, pools: ["cpu"], acceptsAssignBatch: true } } as never);
}

if (process.argv[2] === "worker") {
  await runWorker(process.argv[3]);
} else {
  const server = await startServer({ storeUrl: `sqlite:${join(mkdtempSync(join(tmpdir(), "weir-bench-")), "weir.db")}`, port: 0, logLevel: "silent" });
  const client = new grpc.Client(server.address, grpc.credentials.createInsecure());
  const worker = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "worker", server.address], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  await new Promise<void>((ok) => worker.once("message", () => ok()));
  const admin = grpcServiceDefinition(AdminService);
  const call = <T>(name: string, schema: Parameters<typeof create>[0], req: object): Promise<T> =>
    new Promise((ok, fail) =>
      client.makeUnaryRequest(
        admin[name].path,
        (v: unknown) => Buffer.from(toBinary(schema, v as never)),
        admin[name].responseDeserialize,
        create(schema, req as never),
        (e, r) => (e ? fail(e) : ok(r as T)),
      ),
    );

  async function measure(label: string, s: ReturnType<typeof spec>, target: number): Promise<void> {
    await call("registerWorkflow", RegisterWorkflowRequestSchema, { spec: s });
    const x = create(LiteralSchema, { value: { case: "scalar", value: { value: { case: "integer", value: 0n } } } });
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const { execution } = await call<{ execution: Execution }>("createExecution", CreateExecutionRequestSchema, {
      workflow: s.workflow!.name,
      inputs: { literals: { x } },
    });
    for (;;) {
      // Poll the cheap listing; the full snapshot (every node) only once it ended.
      const { executions } = await call<{ executions: Execution[] }>("listExecutions", ListExecutionsRequestSchema, { limit: 1 });
      if (executions[0]!.state >= ExecutionState.SUCCEEDED) {
        const { execution: e } = await call<{ execution: Execution }>("getExecution", GetExecutionRequestSchema, { id: execution!.id });
        const end = Math.max(...e!.nodes.map((n) => Number(n.finishedAt!.seconds) * 1000 + n.finishedAt!.nanos / 1e6));
        const start = Number(e!.createdAt!.seconds) * 1000 + e!.createdAt!.nanos / 1e6;
        const lat = e!.nodes
          .flatMap((n) => n.attempts)
          .map((a) => (Number(a.startedAt!.seconds) - Number(a.queuedAt!.seconds)) * 1000 + (a.startedAt!.nanos - a.queuedAt!.nanos) / 1e6)
          .sort((p, q) => p - q);
        const p99 = lat[Math.floor(lat.length * 0.99)];
        const cpu = process.cpuUsage(cpu0);
        console.log(
          `${label.padEnd(16)} ${ExecutionState[e!.state]}  created→last node done ${(end - start).toFixed(1)} ms  (client wall ${(performance.now() - t0).toFixed(0)} ms)  p99 queued→started ${p99.toFixed(2)} ms  target < ${target} ms  runtime CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms`,
        );
        return;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  const only = process.argv[2];
  if (!only || only === "chain") await measure("chain of 100", chain(100), 100);
  if (!only || only === "fan") await measure("fan-out 1,000", fan(1000), 300);
  if (!only || only === "fan10k") await measure("fan-out 10,000", fan(10000), 2000);
  console.log(`runtime RSS after: ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB (runtime + bench client; the worker is another process)`);
  worker.kill();
  client.close();
  await server.stop();
}
