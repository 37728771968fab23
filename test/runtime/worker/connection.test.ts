// The worker's Connect stream on its own (no task threads): Results sent in one turn go as one
// ResultBatch to a runtime that reads them and one by one to one that does not, a log line keeps
// its place after the results before it, results queued while the stream is down (or written just
// before it broke) arrive after the reconnect, and a worker is back within about a second of the
// runtime listening again, however long it was away.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { create } from "@bufbuild/protobuf";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { encodeResult, RegisterSchema, WorkerMessageSchema, type Result } from "../../../proto/index.ts";
import { WorkerConnection, type ConnectionOptions } from "../../../runtime/worker/connection.ts";
import { WORKER_DEFAULTS } from "../../../runtime/worker/defaults.ts";
import { RuntimeDouble } from "./runtime-double.ts";

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function runtimeDouble(options: ConstructorParameters<typeof RuntimeDouble>[1] = {}, port = 0): Promise<RuntimeDouble> {
  const runtime = new RuntimeDouble(mkdtempSync(`${tmpdir()}/weir-conn-`), options);
  await runtime.listen(port);
  cleanup.push(() => runtime.stop());
  return runtime;
}

async function connected(runtime: RuntimeDouble, options: Partial<ConnectionOptions> = {}): Promise<WorkerConnection> {
  const connection = new WorkerConnection({
    address: `127.0.0.1:${runtime.port}`,
    register: () => create(RegisterSchema, { workerId: "w-conn", acceptsAssignBatch: true }),
    running: () => [],
    onRegistered: () => undefined,
    onAssign: () => undefined,
    onCancel: () => undefined,
    log: pino({ level: "silent" }),
    reconnectInitialMs: 50,
    reconnectMaxMs: 100,
    heartbeatIntervalMs: 60_000,
    maxBufferedLogs: 10,
    ...options,
  });
  cleanup.push(() => connection.close());
  connection.start();
  await runtime.waitForRegister(1);
  await until(() => connection.isRegistered);
  return connection;
}

async function until(ok: () => boolean, what = "condition"): Promise<void> {
  for (const end = Date.now() + 5_000; !ok(); await new Promise((r) => setTimeout(r, 10))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
  }
}

const ok = (lease: bigint) => encodeResult(lease, 1_000, 2_000, { outputs: new Uint8Array(0) });
const log = (lease: bigint, text: string) => create(WorkerMessageSchema, { msg: { case: "log", value: { leaseToken: lease, stream: "task", text } } });
const upward = (runtime: RuntimeDouble) => runtime.received.filter((m) => m !== "heartbeat" && m !== "register");

describe("worker connection", () => {
  it("sends the results of one turn as one ResultBatch, in order, and a later log line after them", async () => {
    const runtime = await runtimeDouble();
    const connection = await connected(runtime);
    const results = [1n, 2n, 3n].map((lease) => runtime.result(lease));
    for (const lease of [1n, 2n, 3n]) connection.send(ok(lease));
    connection.send(log(3n, "after"));
    const got: Result[] = await Promise.all(results);
    expect(got.map((r) => [r.leaseToken, r.outcome.case])).toEqual([
      [1n, "outputs"],
      [2n, "outputs"],
      [3n, "outputs"],
    ]);
    await until(() => runtime.logs.length === 1, "the log line");
    expect(upward(runtime)).toEqual(["results:3", "log"]);
    // A lone result in its own turn goes as a plain Result.
    const four = runtime.result(4n);
    connection.send(ok(4n));
    await four;
    expect(upward(runtime).at(-1)).toBe("result");
  });

  it("sends results one by one to a runtime that did not say it reads batches", async () => {
    const runtime = await runtimeDouble({ acceptsResultBatch: false });
    const connection = await connected(runtime);
    const results = Promise.all([1n, 2n, 3n].map((lease) => runtime.result(lease)));
    for (const lease of [1n, 2n, 3n]) connection.send(ok(lease));
    await results;
    expect(upward(runtime)).toEqual(["result", "result", "result"]);
  });

  it("keeps results sent while the stream is down and delivers them after re-registering", async () => {
    const first = await runtimeDouble();
    const connection = await connected(first);
    const port = first.port;
    first.stop();
    await until(() => !connection.isRegistered, "the stream to break");
    connection.send(ok(7n));
    connection.send(ok(8n));
    const second = await runtimeDouble({}, port);
    const results = await Promise.all([second.result(7n), second.result(8n)]);
    expect(results.map((r) => r.leaseToken)).toEqual([7n, 8n]);
    expect(upward(second)).toEqual(["results:2"]);
  });

  it("sends again, after re-registering, the results written just before the stream broke", async () => {
    const first = await runtimeDouble();
    const connection = await connected(first, { resendWindowMs: 5_000 });
    const delivered = first.result(5n);
    connection.send(ok(5n));
    await delivered;
    const port = first.port;
    first.stop();
    await until(() => !connection.isRegistered, "the stream to break");
    const second = await runtimeDouble({}, port);
    // The restarted runtime may never have committed it: it gets it again, before anything else.
    expect((await second.result(5n)).leaseToken).toBe(5n);
    expect(upward(second)[0]).toBe("result");
  });

  it("is back within about a second of the runtime listening again, after an outage of several seconds", async () => {
    const first = await runtimeDouble();
    const connection = await connected(first, { reconnectInitialMs: WORKER_DEFAULTS.reconnectInitialMs, reconnectMaxMs: WORKER_DEFAULTS.reconnectMaxMs });
    const port = first.port;
    const backAfter: number[] = [];
    let runtime = first;
    for (const outageMs of [6_000, 2_500]) {
      runtime.stop();
      await until(() => !connection.isRegistered, "the stream to break");
      // Long enough for grpc-js's own reconnect backoff (1 s × 1.6ⁿ by default) to pass 4 s.
      await new Promise((r) => setTimeout(r, outageMs));
      runtime = await runtimeDouble({}, port);
      const listening = Date.now();
      await runtime.waitForRegister(1);
      backAfter.push(Date.now() - listening);
    }
    expect(Math.max(...backAfter), `reconnected after ${backAfter.join(", ")} ms`).toBeLessThan(1_800);
  }, 30_000);
});
