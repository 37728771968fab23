// A tiny real WorkerService server for the worker tests: it registers workers, assigns attempts
// (alone or in an AssignBatch), cancels them, and collects their logs and results (the real runtime
// does the same on this stream). It reads ResultBatch unless told to act as an older runtime.
import * as grpc from "@grpc/grpc-js";
import { create } from "@bufbuild/protobuf";
import { DurationSchema } from "@bufbuild/protobuf/wkt";
import { AssignSchema, CancelSchema, RegisteredSchema, ServerMessageSchema, WorkerService, grpcServiceDefinition } from "../../../proto/index.ts";
import type { Assign, Log, Register, Result, ServerMessage, Started, WorkerMessage } from "../../../proto/index.ts";
import type { MessageInitShape } from "@bufbuild/protobuf";

export class RuntimeDouble {
  readonly server = new grpc.Server();
  port = 0;
  registers: Register[] = [];
  logs: Log[] = [];
  heartbeats = 0;
  /** The lease tokens the latest heartbeat listed. */
  running: bigint[] = [];
  /** Started messages, with when they arrived (epoch ms). */
  started: { msg: Started; receivedAt: number }[] = [];
  /** What each message up carried, in order: "result", "results:<n>", "log", "heartbeat", "register". */
  readonly received: string[] = [];
  private call: grpc.ServerDuplexStream<WorkerMessage, ServerMessage> | undefined;
  private results = new Map<bigint, Result>();
  private waiters = new Map<bigint, (r: Result) => void>();
  private registerWaiters: (() => void)[] = [];

  constructor(
    readonly artifactRoot: string,
    readonly options: { acceptsResultBatch?: boolean } = {},
  ) {
    this.server.addService(grpcServiceDefinition(WorkerService), {
      connect: (call: grpc.ServerDuplexStream<WorkerMessage, ServerMessage>) => {
        call.on("data", (msg: WorkerMessage) => this.onMessage(call, msg));
        call.on("error", () => undefined);
        call.on("end", () => call.end());
      },
    });
  }

  async listen(port = 0): Promise<number> {
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    return this.port;
  }

  private onMessage(call: grpc.ServerDuplexStream<WorkerMessage, ServerMessage>, msg: WorkerMessage): void {
    this.received.push(msg.msg.case === "results" ? `results:${msg.msg.value.results.length}` : String(msg.msg.case));
    switch (msg.msg.case) {
      case "register":
        this.call = call;
        this.registers.push(msg.msg.value);
        call.write(
          create(ServerMessageSchema, {
            msg: {
              case: "registered",
              value: create(RegisteredSchema, {
                workerId: msg.msg.value.workerId || "w-assigned",
                heartbeatInterval: create(DurationSchema, { nanos: 200_000_000 }),
                artifactRoot: this.artifactRoot,
                acceptsResultBatch: this.options.acceptsResultBatch ?? true,
              }),
            },
          }),
        );
        for (const w of this.registerWaiters.splice(0)) w();
        return;
      case "heartbeat":
        this.heartbeats++;
        this.running = [...msg.msg.value.running];
        return;
      case "started":
        this.started.push({ msg: msg.msg.value, receivedAt: Date.now() });
        return;
      case "log":
        this.logs.push(msg.msg.value);
        return;
      case "result":
        return this.onResult(msg.msg.value);
      case "results":
        for (const r of msg.msg.value.results) this.onResult(r);
        return;
    }
  }

  private onResult(r: Result): void {
    this.results.set(r.leaseToken, r);
    this.waiters.get(r.leaseToken)?.(r);
  }

  waitForRegister(count: number): Promise<void> {
    if (this.registers.length >= count) return Promise.resolve();
    return new Promise((resolve) =>
      this.registerWaiters.push(() => (this.registers.length >= count ? resolve() : void this.waitForRegister(count).then(resolve))),
    );
  }

  assign(init: MessageInitShape<typeof AssignSchema>): Promise<Result> {
    const assign: Assign = create(AssignSchema, init);
    const result = this.result(assign.leaseToken);
    this.call!.write(create(ServerMessageSchema, { msg: { case: "assign", value: assign } }));
    return result;
  }

  /** Sends the attempts in one AssignBatch; resolves with their results, in the same order. */
  assignBatch(inits: MessageInitShape<typeof AssignSchema>[]): Promise<Result[]> {
    const assigns = inits.map((init) => create(AssignSchema, init));
    const results = Promise.all(assigns.map((a) => this.result(a.leaseToken)));
    this.call!.write(create(ServerMessageSchema, { msg: { case: "assigns", value: { assigns } } }));
    return results;
  }

  cancel(leaseToken: bigint): void {
    this.call!.write(create(ServerMessageSchema, { msg: { case: "cancel", value: create(CancelSchema, { leaseToken, reason: "user asked" }) } }));
  }

  /** Forgets a lease's result (as a runtime that restarted before committing it would). */
  forget(lease: bigint): void {
    this.results.delete(lease);
  }

  result(lease: bigint): Promise<Result> {
    const done = this.results.get(lease);
    if (done) return Promise.resolve(done);
    return new Promise((resolve) => this.waiters.set(lease, resolve));
  }

  stop(): void {
    this.server.forceShutdown();
  }
}
