// Fuzz: thousands of random and mutated requests to every AdminService and WorkerService method,
// as raw bytes from a grpc-js client, against a real `weir server` process. Every call must end
// with a status (each has a deadline: DEADLINE_EXCEEDED means the server left it hanging) that is
// neither INTERNAL nor UNKNOWN; the server must answer afterwards, and its RSS come back near where
// it started. Deterministic: a failing case is replayed from FUZZ.seed.
import { readFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { create, toBinary, type DescMessage, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import * as grpc from "@grpc/grpc-js";
import { afterAll, describe, expect, it } from "vitest";
import { AdminService, BlobKind, ExecutionState, WorkerMessageSchema, WorkerService } from "../../../proto/index.ts";
import { connectAdmin } from "../../../runtime/client.ts";
import { cleanup, freePort, spawnWeir, waitFor } from "../../e2e/harness.ts";
import { incTask, int, refNode, tempDir, workflowSpec } from "../harness.ts";
import { rawCall, type MethodKind } from "./raw-calls.ts";

const FUZZ = Object.freeze({
  seed: 20_261_205,
  /**
   * Calls before the baseline is taken: a server that has served the fuzz's calls for a while has
   * grown its heap and malloc's arenas once (with 1,000, the settled baseline varied 131–144 MB
   * between runs, and a run whose baseline came out low then "grew" 24 MB without a leak).
   */
  warmupCalls: 3_000,
  calls: 3_000,
  concurrency: 24,
  deadlineMs: 5_000,
  /** Settled RSS may grow by at most this over one of the two measured rounds (its executions ended). */
  rssSlackBytes: 24 * 1024 * 1024,
});

afterAll(cleanup);

function random(seed: number): () => number {
  return () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

function rssOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb("VmRSS"), peak: kb("VmHWM") };
}

/**
 * RSS once the server has gone idle: V8 shrinks an idle heap seconds after allocation stops (its
 * memory reducer), so RSS is read until it stops falling (no lower reading for 5 s), at most 40 s.
 */
async function settledRss(pid: number): Promise<{ rss: number; peak: number }> {
  let low = rssOf(pid);
  let lowAt = Date.now();
  const until = Date.now() + 40_000;
  await waitFor(
    "the server's RSS to settle",
    () => {
      const now = rssOf(pid);
      if (now.rss < low.rss - 512 * 1024) {
        low = now;
        lowAt = Date.now();
      }
      return Date.now() - lowAt >= 5_000 || Date.now() >= until;
    },
    45_000,
  );
  return { rss: low.rss, peak: rssOf(pid).peak };
}

const bytesOf = <D extends DescMessage>(schema: D, init: MessageInitShape<D>): Uint8Array => toBinary(schema, create(schema, init));

interface Target {
  readonly path: string;
  readonly kind: MethodKind;
  /** Valid requests to mutate (each a list of messages: one, or a stream's). */
  readonly seeds: Uint8Array[][];
}

/** Every method of both services, each with a few valid requests. */
function targets(): Target[] {
  const spec = workflowSpec("wf", [refNode("a", "inc", { input: "x" })], [incTask()]);
  const long = "x".repeat(64 * 1024);
  const seedsByMethod: Record<string, Array<Record<string, unknown>>> = {
    RegisterWorkflow: [{ spec }, { spec: { ...spec, workflow: { ...spec.workflow, name: long } } }],
    GetWorkflow: [{ name: "wf" }, { name: long }],
    ListWorkflows: [{}],
    CreateExecution: [
      { workflow: "wf", inputs: { literals: { x: int(1) } } },
      { workflow: long },
      { workflow: "wf", executionId: long, inputs: { literals: { x: int(2) } } },
    ],
    GetExecution: [{ id: "seed-exec" }, { id: long }],
    ListExecutions: [{ limit: 5 }, { workflow: "wf", pageToken: "12" }],
    WatchExecution: [{ id: "seed-exec" }, { id: long, endOnly: true }],
    TerminateExecution: [{ id: "seed-exec", reason: "fuzz" }],
    RecoverExecution: [{ id: "seed-exec" }],
    ClearNodes: [{ executionId: "seed-exec", nodeIds: ["a"] }],
    CreateBackfill: [{ workflow: "wf", start: timestampFromMs(0), end: timestampFromMs(86_400_000), dryRun: true }],
    ListWorkers: [{}],
    GetNodeLogs: [{ executionId: "seed-exec", nodeId: "a" }],
  };
  const out: Target[] = [];
  for (const m of AdminService.methods) {
    const seeds = (seedsByMethod[m.name] ?? [{}]).map((init) => [bytesOf(m.input, init as never)]);
    if (m.name === "UploadArtifact") {
      seeds.push([bytesOf(m.input, { kind: BlobKind.FILE, data: new Uint8Array([1, 2, 3]) } as never)]);
      seeds.push([bytesOf(m.input, { kind: BlobKind.DIRECTORY } as never), bytesOf(m.input, { path: "a/b.txt", data: new Uint8Array([4]) } as never)]);
    }
    out.push({ path: `/weir.v1.AdminService/${m.name}`, kind: m.methodKind as MethodKind, seeds });
  }
  const worker = (msg: Record<string, unknown>) => bytesOf(WorkerMessageSchema, { msg } as never);
  for (const m of WorkerService.methods) {
    const register = worker({ case: "register", value: { hostname: "fuzz", pools: ["fuzz-pool"], capacity: 1 } });
    out.push({
      path: `/weir.v1.WorkerService/${m.name}`,
      kind: m.methodKind as MethodKind,
      seeds: [
        [register, worker({ case: "heartbeat", value: { running: [1n] } })],
        [register, worker({ case: "result", value: { leaseToken: 99n, outcome: { case: "outputs", value: { literals: { y: int(1) } } } } })],
        [register, worker({ case: "log", value: { leaseToken: 99n, stream: "stdout", text: long } })],
        [worker({ case: "register", value: { workerId: long } })],
      ],
    });
  }
  return out;
}

/** A random variant of a seed: bytes flipped, cut, inserted, repeated, or replaced by noise. */
function mutate(seed: Uint8Array, next: () => number): Uint8Array {
  const pick = next();
  if (pick < 0.15) return Uint8Array.from({ length: Math.floor(next() * 2_048) }, () => Math.floor(next() * 256));
  const bytes = Array.from(seed);
  const edits = 1 + Math.floor(next() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(next() * (bytes.length + 1));
    const op = next();
    if (op < 0.4 && bytes.length) bytes[at % bytes.length] = Math.floor(next() * 256);
    else if (op < 0.55) bytes.splice(at, Math.floor(next() * 16));
    else if (op < 0.75) bytes.splice(at, 0, ...Array.from({ length: 1 + Math.floor(next() * 8) }, () => Math.floor(next() * 256)));
    else if (op < 0.85)
      bytes.splice(at, 0, 0xff, 0xff, 0xff, 0xff, 0x0f); // a huge varint (a length past the end)
    else bytes.splice(at, 0, ...bytes.slice(0, Math.min(64, bytes.length)));
  }
  return Uint8Array.from(bytes);
}

describe("fuzzing every method of a real weir server", () => {
  it("ends every call with a status that is not DEADLINE_EXCEEDED, INTERNAL or UNKNOWN; the server stays up and its memory comes back", {
    timeout: 300_000,
  }, async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "artifacts"));
    const port = await freePort();
    const proc = spawnWeir(
      ["server", "--store", `sqlite:${join(dir, "weir.db")}`, "--port", String(port), "--artifacts", join(dir, "artifacts"), "--project", dir],
      {
        cwd: dir,
        env: { WEIR_LOG_LEVEL: "silent" },
      },
    );
    const address = `127.0.0.1:${port}`;
    const admin = connectAdmin(address, { deadlineMs: 10_000 });
    await waitFor("the runtime to answer", async () => {
      if (proc.child.exitCode !== null) throw new Error(`weir server exited: ${proc.output()}`);
      await admin.listWorkflows({}, { deadlineMs: 1_000 });
      return true;
    });
    // An ended execution for mutated ids to find (a running one would rightly keep a watch open).
    await admin.registerWorkflow({ spec: workflowSpec("wf", [refNode("a", "inc", { input: "x" })], [incTask()]) });
    await admin.createExecution({ workflow: "wf", executionId: "seed-exec", inputs: { literals: { x: int(1) } } });
    await admin.terminateExecution({ id: "seed-exec", reason: "seed" });

    const next = random(FUZZ.seed);
    const all = targets();
    const client = new grpc.Client(address, grpc.credentials.createInsecure(), { "grpc.max_send_message_length": -1 });
    const codes = new Map<string, number>();
    const bad: string[] = [];
    let slowest = 0;
    /** `calls` random and mutated calls, `FUZZ.concurrency` at a time. */
    const fuzz = async (calls: number): Promise<void> => {
      let issued = 0;
      const caller = async (): Promise<void> => {
        while (issued < calls) {
          const n = issued++;
          const t = all[Math.floor(next() * all.length)]!;
          const seed = t.seeds[Math.floor(next() * t.seeds.length)]!;
          const messages = seed.map((m) => (next() < 0.8 ? mutate(m, next) : m));
          const end = await rawCall(client, t.path, t.kind, messages, FUZZ.deadlineMs);
          const name = grpc.status[end.code] ?? String(end.code);
          codes.set(name, (codes.get(name) ?? 0) + 1);
          slowest = Math.max(slowest, end.ms);
          if ((end.code === grpc.status.DEADLINE_EXCEEDED || end.code === grpc.status.INTERNAL || end.code === grpc.status.UNKNOWN) && bad.length < 10) {
            bad.push(
              `#${n} ${t.path} → ${name}: ${end.details.slice(0, 200)} (messages: ${messages.map((m) => Buffer.from(m.subarray(0, 48)).toString("hex")).join(" | ")})`,
            );
          }
        }
      };
      await Promise.all(Array.from({ length: FUZZ.concurrency }, caller));
    };
    // Mutated CreateExecutions make real executions, which wait in memory for a worker that never
    // comes: ended before memory is measured, so what is left is what the calls themselves cost.
    let created = 0;
    const endExecutions = async (): Promise<void> => {
      for (;;) {
        const live = [
          ...(await admin.listExecutions({ state: ExecutionState.RUNNING, limit: 1_000 })).executions,
          ...(await admin.listExecutions({ state: ExecutionState.QUEUED, limit: 1_000 })).executions,
        ];
        if (!live.length) return;
        created += live.length;
        for (const e of live) await admin.terminateExecution({ id: e.id, reason: "fuzz over" });
      }
    };

    // The baseline is a server that has served the fuzz's kinds of call (its heap grew once), settled.
    await fuzz(FUZZ.warmupCalls);
    await endExecutions();
    const before = await settledRss(proc.pid);
    await fuzz(FUZZ.calls);
    const right = rssOf(proc.pid);
    await endExecutions();
    const middle = await settledRss(proc.pid);
    // Two measured rounds: V8 or malloc may still grow once by a step of ~30 MB (seen in 1 of 2
    // runs, the same calls either way), which one round cannot tell from a leak; a leak grows in both.
    await fuzz(FUZZ.calls);
    client.close();
    expect(proc.child.exitCode, proc.output().slice(-2_000)).toBeNull();
    const { workflows } = await admin.listWorkflows({});
    expect(workflows.map((w) => w.name)).toContain("wf");
    await endExecutions();
    const after = await settledRss(proc.pid);

    const total = FUZZ.warmupCalls + 2 * FUZZ.calls;
    const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
    console.log(
      `fuzz: ${total} calls over ${all.length} methods, status codes ${JSON.stringify(Object.fromEntries([...codes].sort()))}, slowest ${slowest} ms; ` +
        `${created} executions it created ended; server RSS settled before ${mb(before.rss)}, right after the first round ${mb(right.rss)}, settled after it ${mb(middle.rss)}, settled after the second ${mb(after.rss)}, peak ${mb(after.peak)}`,
    );
    expect(bad, bad.join("\n")).toEqual([]);
    expect([...codes.values()].reduce((a, b) => a + b, 0)).toBe(total);
    const growth = Math.min(middle.rss - before.rss, after.rss - middle.rss);
    expect(growth, `RSS ${mb(before.rss)} → ${mb(middle.rss)} → ${mb(after.rss)}`).toBeLessThanOrEqual(FUZZ.rssSlackBytes);
    admin.close();
    proc.kill("SIGTERM");
    expect((await proc.exited()).code).toBe(0);
  });
});
