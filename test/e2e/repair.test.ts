// End to end, the control plane's repair tools through the real CLI, a real `weir server` and a real
// `weir worker`: recover (reuse what succeeded, rerun what failed), clear (with and without
// downstream), backfill (ticks of a cron schedule, bounded by max active runs) and `weir workflows`.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ExecutionState, NodeState, type Execution } from "../../proto/index.ts";
import { cleanup, compileProject, node, prepareProject, runCli, runs, startRuntime, startWorker, tempDir, waitForExecution, type Runtime } from "./harness.ts";

let project: string;
let specs: string;
let runtime: Runtime;
let base: string;
let runsDir: string;

beforeAll(async () => {
  project = prepareProject("repair");
  specs = await compileProject(project);
  base = tempDir("weir-e2e-repair-");
  runsDir = join(base, "runs");
  runtime = await startRuntime({ cwd: project, db: join(base, "weir.db") });
  for (const name of ["repair", "nightly"]) {
    const result = await runCli(["register", join(specs, `${name}.pb`), "--server", runtime.address], project);
    expect(result.code, result.stderr).toBe(0);
  }
  await startWorker(runtime, { cwd: project, id: "repairer", runsDir, concurrency: 8 });
}, 180_000);

afterAll(cleanup);

const cli = (...args: string[]) => runCli([...args, "--server", runtime.address], project);
const int = (n: number) => ({ value: { case: "scalar" as const, value: { value: { case: "integer" as const, value: BigInt(n) } } } });
function intOut(e: Execution): number {
  const v = e.outputs?.literals.n?.value;
  if (v?.case === "scalar" && v.value.value.case === "integer") return Number(v.value.value.value);
  throw new Error(`output n of ${e.id} is not an integer`);
}

async function startRepair(n: number): Promise<string> {
  const { execution } = await runtime.client.createExecution({ workflow: "repair", inputs: { literals: { n: int(n) } } });
  return execution!.id;
}

describe("weir recover, clear, backfill, workflows (end to end)", () => {
  test("recover: only the failed node and its skipped downstream rerun; the succeeded one is reused", async () => {
    const id = await startRepair(1);
    const failed = await waitForExecution(runtime.client, id);
    expect(ExecutionState[failed.state]).toBe("FAILED");
    expect(NodeState[node(failed, "gated").state]).toBe("FAILED");
    expect(NodeState[node(failed, "last").state]).toBe("SKIPPED");
    expect(runs(runsDir, id, "first")).toHaveLength(1);

    writeFileSync(join(base, "gate.open"), "");
    const recovered = await cli("recover", id, "--json");
    expect(recovered.code, recovered.stderr).toBe(0);
    const newId = JSON.parse(recovered.stdout).id as string;
    expect(newId).not.toBe(id);
    const done = await waitForExecution(runtime.client, newId);
    expect(ExecutionState[done.state]).toBe("SUCCEEDED");
    expect(done.recoveredFrom).toBe(id);
    expect(intOut(done)).toBe((1 + 1) * 10 + 1);
    // One file per real run: `first` never ran again, `gated` and `last` ran once each.
    expect(runs(runsDir, newId, "first")).toHaveLength(0);
    expect(runs(runsDir, newId, "gated", "end")).toHaveLength(1);
    expect(runs(runsDir, newId, "last")).toHaveLength(1);
    expect(runs(runsDir, id, "first")).toHaveLength(1);

    const human = await cli("recover", id);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/reused: first/);
    expect(human.stdout).toMatch(/rerun: +gated, last/);
    await waitForExecution(runtime.client, human.stdout.split(" ")[0]!);

    const missing = await cli("recover", "no-such-execution");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/NOT_FOUND.*no-such-execution/);
  }, 120_000);

  test("clear: a node alone, then with --downstream; other nodes' outputs are reused", async () => {
    writeFileSync(join(base, "gate.open"), "");
    const id = await startRepair(2);
    expect(ExecutionState[(await waitForExecution(runtime.client, id)).state]).toBe("SUCCEEDED");
    const count = () => ["first", "gated", "last"].map((l) => runs(runsDir, id, l).length);
    expect(count()).toEqual([1, 1, 1]);

    const alone = await cli("clear", id, "gated");
    expect(alone.code, alone.stderr).toBe(0);
    expect(alone.stdout).toMatch(/rerun: gated$/m);
    const once = await waitForExecution(runtime.client, id);
    expect(ExecutionState[once.state]).toBe("SUCCEEDED");
    expect(count()).toEqual([1, 2, 1]);

    const all = await cli("clear", id, "gated", "--downstream", "--json");
    expect(all.code, all.stderr).toBe(0);
    expect(JSON.parse(all.stdout).id).toBe(id);
    const twice = await waitForExecution(runtime.client, id);
    expect(ExecutionState[twice.state]).toBe("SUCCEEDED");
    expect(count()).toEqual([1, 3, 2]);
    expect(intOut(twice)).toBe((2 + 1) * 10 + 1);

    const unknown = await cli("clear", id, "nope");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/INVALID_ARGUMENT.*"nope"/);
  }, 120_000);

  test("backfill: one run per cron tick, never more than max active runs at once; --dry-run creates nothing", async () => {
    const dry = await cli("backfill", "nightly", "--from", "2026-01-01", "--to", "2026-01-06", "--dry-run");
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/2026-01-01T00:00:00.000Z/);
    expect(dry.stdout).toMatch(/2026-01-06T00:00:00.000Z/);
    expect(dry.stdout).toMatch(/dry run: 6 ticks of nightly, nothing created/);
    expect((await runtime.client.listExecutions({ workflow: "nightly" })).executions).toHaveLength(0);

    const real = await cli("backfill", "nightly", "--from", "2026-01-01", "--to", "2026-01-06", "--max-active-runs", "2", "--json");
    expect(real.code, real.stderr).toBe(0);
    const created = JSON.parse(real.stdout) as { backfillId: string; ticks: string[]; executionIds: string[] };
    expect(created.ticks).toHaveLength(6);
    expect(created.executionIds).toHaveLength(6);

    // Observe through ListExecutions while it runs: never more than 2 RUNNING.
    let maxRunning = 0;
    let sawQueued = false;
    for (;;) {
      const { executions } = await runtime.client.listExecutions({ workflow: "nightly", limit: 100 });
      const mine = executions.filter((e) => e.backfillId === created.backfillId);
      maxRunning = Math.max(maxRunning, mine.filter((e) => e.state === ExecutionState.RUNNING).length);
      sawQueued ||= mine.some((e) => e.state === ExecutionState.QUEUED);
      if (mine.length === 6 && mine.every((e) => e.state === ExecutionState.SUCCEEDED)) break;
      expect(mine.some((e) => e.state === ExecutionState.FAILED)).toBe(false);
      await new Promise((r) => setTimeout(r, 40));
    }
    expect(maxRunning).toBe(2);
    expect(sawQueued).toBe(true);
    for (const [i, id] of created.executionIds.entries()) {
      const { execution } = await runtime.client.getExecution({ id });
      expect(timestampMs(execution!.scheduledFor!)).toBe(Date.parse(created.ticks[i]!));
      const day = execution!.inputs!.literals.day!.value;
      expect(day.case === "scalar" && day.value.value.case === "date" ? day.value.value.value : undefined).toBe(`2026-01-0${i + 1}`);
      expect(runs(runsDir, id, "daily")).toHaveLength(1);
    }

    const bad = await cli("backfill", "nightly", "--from", "2026-13-01", "--to", "2026-01-06");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/BAD_TIME/);
    const unscheduled = await cli("backfill", "repair", "--from", "2026-01-01", "--to", "2026-01-02");
    expect(unscheduled.code).toBe(1);
    expect(unscheduled.stderr).toMatch(/no schedule/);
  }, 120_000);

  test("workflows: latest version, schedule and next tick", async () => {
    const human = await cli("workflows");
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/nightly .*0 0 \* \* \* UTC, max 2/);
    expect(human.stdout).toMatch(/repair /);
    const json = await cli("workflows", "--json");
    expect(json.code, json.stderr).toBe(0);
    const { workflows } = JSON.parse(json.stdout) as { workflows: Array<{ name: string; latestVersion: string; nextTick?: string }> };
    const nightly = workflows.find((w) => w.name === "nightly")!;
    const midnight = new Date();
    midnight.setUTCHours(24, 0, 0, 0);
    expect(nightly.nextTick).toBe(midnight.toISOString());
    expect(workflows.find((w) => w.name === "repair")!.nextTick).toBeUndefined();
  }, 60_000);
});
