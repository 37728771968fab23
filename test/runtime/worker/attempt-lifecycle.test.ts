// An attempt's life on a worker, against a runtime double: its timeout counts from the moment its
// code starts (not while it waits behind other attempts on a busy task thread) and the runtime is
// told with Started; its work directory lies inside the work root whatever its ids say, is removed
// after a success and kept, with a note saying where, after a failure; stale ones are swept.
import { existsSync, mkdirSync, readFileSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Result } from "../../../proto/index.ts";
import { LocalArtifactStore } from "../../../runtime/artifacts/index.ts";
import { Worker } from "../../../runtime/worker/index.ts";
import { sweepWorkDirs } from "../../../runtime/worker/work-dirs.ts";
import { fromLiteral, toLiteral } from "../../../sdk/literals.ts";
import { processAlive } from "./process-alive.ts";
import { RuntimeDouble } from "./runtime-double.ts";
import { BOOLEAN, INT, STRING, commandTask, makeProject, tsTask } from "./worker-fixture.ts";

let project: string;
let runtime: RuntimeDouble;
let worker: Worker;
let store: LocalArtifactStore;
let lease = 0n;

beforeAll(async () => {
  project = makeProject("weir-lifecycle-");
  runtime = new RuntimeDouble(join(project, "artifacts"));
  await runtime.listen();
  store = new LocalArtifactStore(join(project, "artifacts"));
  // Four attempts at once on two task threads: a busy attempt holds its thread.
  worker = new Worker({
    server: `127.0.0.1:${runtime.port}`,
    id: "w-life",
    projectRoot: project,
    concurrency: 4,
    threads: 2,
    killGraceMs: 300,
    logger: pino({ level: "warn" }),
  });
  await worker.start();
});

afterAll(async () => {
  await worker.stop(0);
  runtime.stop();
});

function errorOf(result: Result) {
  if (result.outcome.case !== "error") throw new Error(`expected an error, got ${result.outcome.case}`);
  return result.outcome.value;
}

async function until(ok: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; !ok(); await new Promise((r) => setTimeout(r, 20))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
  }
}

const next = () => (lease += 1n);

describe("timeouts count from the attempt's start", () => {
  it("four busy attempts on two threads, each shorter than its timeout but not than two of them: all succeed, each announced by Started", async () => {
    const busy = tsTask(project, "src/lifecycle.ts", "busy", { ms: INT }, { ms: INT }, { timeoutMs: 1_500 });
    const ms = await toLiteral(1_000, INT, store);
    const inits = [0, 1, 2, 3].map(() => ({
      leaseToken: next(),
      executionId: "ex-t",
      nodeId: `busy-${lease}`,
      attempt: 1,
      task: busy,
      inputs: { literals: { ms } },
    }));
    const results = await runtime.assignBatch(inits);
    for (const r of results) if (r.outcome.case !== "outputs") throw new Error(`lease ${r.leaseToken}: ${JSON.stringify(r.outcome.value)}`);
    const leases = new Set(inits.map((i) => i.leaseToken));
    const started = runtime.started
      .filter((s) => leases.has(s.msg.leaseToken))
      .map((s) => timestampMs(s.msg.at!))
      .sort((a, b) => a - b);
    expect(started).toHaveLength(4);
    // Two started at once; the other two only when a thread came free, about a second later.
    expect(started[3]! - started[0]!).toBeGreaterThan(800);
    // Each Result's started_at is its real start, not its assignment.
    const startedAt = results.map((r) => timestampMs(r.startedAt!)).sort((a, b) => a - b);
    expect(startedAt).toEqual(started);
  });

  it("an attempt that runs past its timeout from its start is stopped with TIMED_OUT", async () => {
    const busy = tsTask(project, "src/lifecycle.ts", "busy", { ms: INT }, { ms: INT }, { timeoutMs: 400 });
    const before = Date.now();
    const result = await runtime.assign({
      leaseToken: next(),
      executionId: "ex-t",
      nodeId: "too-long",
      attempt: 1,
      task: busy,
      inputs: { literals: { ms: await toLiteral(5_000, INT, store) } },
    });
    const error = errorOf(result);
    expect(error.code).toBe("TIMED_OUT");
    expect(error.message).toContain("ran past its timeout of 400ms (counted from its start");
    expect(Date.now() - before).toBeLessThan(4_000);
  });

  it("a command's timeout counts from its process's start, and a timed-out command is killed", async () => {
    const pidFile = join(project, "sleeper.pid");
    const sleeper = commandTask("sleeper", ["sh", "-c", `echo $$ > ${pidFile}; exec sleep 30`], {}, { timeoutMs: 300 });
    const token = next();
    const result = await runtime.assign({ leaseToken: token, executionId: "ex-t", nodeId: "sleeper", attempt: 1, task: sleeper });
    expect(errorOf(result).code).toBe("TIMED_OUT");
    expect(runtime.started.some((s) => s.msg.leaseToken === token)).toBe(true);
    const pid = Number(readFileSync(pidFile, "utf8"));
    await until(() => !processAlive(pid), `the timed-out command (pid ${pid}) to be killed`);
  });
});

describe("attempt work directories", () => {
  it("refuses an attempt whose ids would put its directory outside the work root (INVALID_ARGUMENT), creating nothing", async () => {
    const outside = `../../../weir-escape-${process.pid}-${Date.now()}`;
    const task = commandTask("touch", ["sh", "-c", "echo ran > $WEIR_OUTPUTS_DIR/../ran"]);
    for (const ids of [
      { executionId: outside, nodeId: "n" },
      { executionId: "ex", nodeId: outside },
      { executionId: "/tmp", nodeId: "n" },
    ]) {
      const error = errorOf(await runtime.assign({ leaseToken: next(), ...ids, attempt: 1, task }));
      expect(error.code).toBe("INVALID_ARGUMENT");
      expect(error.message).toContain(join(project, ".weir", "work"));
    }
    expect(existsSync(join(project, "..", basename(outside)))).toBe(false);
    expect(existsSync(join(project, ".weir", "work", "..", "..", "..", basename(outside)))).toBe(false);
  });

  it("removes a succeeded attempt's directory (command, and a TypeScript task that used ctx.workdir)", async () => {
    const ok = commandTask("ok", ["sh", "-c", "echo x > $WEIR_OUTPUTS_DIR/x.txt"]);
    const done = await runtime.assign({ leaseToken: next(), executionId: "ex-ok", nodeId: "cmd", attempt: 1, task: ok });
    expect(done.outcome.case).toBe("outputs");
    await until(() => !existsSync(join(project, ".weir", "work", "ex-ok", "cmd", "1")), "the command's work directory to go");
    const scratch = tsTask(project, "src/lifecycle.ts", "scratch", { fail: BOOLEAN }, { dir: STRING });
    const used = await runtime.assign({
      leaseToken: next(),
      executionId: "ex-ok",
      nodeId: "ts",
      attempt: 1,
      task: scratch,
      inputs: { literals: { fail: await toLiteral(false, BOOLEAN, store) } },
    });
    if (used.outcome.case !== "outputs") throw new Error(JSON.stringify(used.outcome.value));
    const dir = (await fromLiteral(used.outcome.value.literals.dir!, STRING, store)) as string;
    expect(dir).toBe(join(project, ".weir", "work", "ex-ok", "ts", "1"));
    await until(() => !existsSync(join(project, ".weir", "work", "ex-ok")), "the TypeScript task's work directory (and its emptied parents) to go");
  });

  it("keeps a failed attempt's directory and says where, in the error and in the attempt's log", async () => {
    const failing = commandTask("failing", ["sh", "-c", "echo partial > partial.txt; echo broke >&2; exit 4"]);
    const token = next();
    const error = errorOf(await runtime.assign({ leaseToken: token, executionId: "ex-fail", nodeId: "cmd", attempt: 2, task: failing }));
    const dir = join(project, ".weir", "work", "ex-fail", "cmd", "2");
    expect(error.code).toBe("COMMAND_FAILED");
    expect(error.message).toContain(`its work directory is kept until`);
    expect(error.message).toContain(dir);
    expect(existsSync(join(dir, "partial.txt"))).toBe(true);
    expect(runtime.logs.some((l) => l.leaseToken === token && l.text.includes(`kept until`) && l.text.includes(dir))).toBe(true);
  });

  it("sweeps directories older than the retention, keeping fresh ones and those of running attempts", async () => {
    const root = join(project, ".weir", "work");
    const make = (rel: string, ageMs: number) => {
      const dir = join(root, rel);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "f"), "x");
      const t = new Date(Date.now() - ageMs);
      utimesSync(dir, t, t);
      return dir;
    };
    const old = make("sweep-ex/a/1", 3 * 3_600_000);
    const fresh = make("sweep-ex/b/1", 60_000);
    const live = make("sweep-ex/c/1", 3 * 3_600_000);
    const removed = await sweepWorkDirs(project, 3_600_000, [live]);
    expect(removed).toBe(1);
    expect(existsSync(old)).toBe(false);
    expect(existsSync(join(root, "sweep-ex", "a"))).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    expect(existsSync(live)).toBe(true);
    expect(readdirSync(join(root, "sweep-ex")).sort()).toEqual(["b", "c"]);
  });
});
