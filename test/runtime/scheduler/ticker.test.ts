// The schedule ticker on a real server: fixed-rate and cron schedules create one execution per
// tick, catchup on/off after a downtime (server stopped, restarted on the same SQLite file), max
// active runs, and no tick ever runs twice.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { durationFromMs, timestampMs } from "@bufbuild/protobuf/wkt";
import { afterEach, describe, expect, it } from "vitest";
import { CompiledWorkflowSchema, ExecutionState, LiteralSetSchema, SimpleType, type ScheduleSchema } from "../../../proto/index.ts";
import type { RunningServer } from "../../../runtime/index.ts";
import { latestTick, nextTick, scheduleTicks } from "../../../core/index.ts";
import { scheduledExecutionId } from "../../../runtime/scheduler/index.ts";
import { adminClient, int, server, tempDir, TestWorker, waitFor, type AdminClient } from "../harness.ts";

let servers: RunningServer[] = [];
const workers: TestWorker[] = [];
const clients: AdminClient[] = [];
afterEach(async () => {
  for (const w of workers.splice(0)) w.close();
  for (const c of clients.splice(0)) c.raw.close();
  for (const s of servers.splice(0)) await s.stop();
});

type ScheduleInit = MessageInitShape<typeof ScheduleSchema>;

/** `name(<kickoff>: date|datetime) -> y: int`, one task reading the kickoff input. */
function scheduledSpec(name: string, schedule: ScheduleInit, kind: "date" | "datetime" = "datetime") {
  const type = { type: { case: "simple" as const, value: kind === "date" ? SimpleType.DATE : SimpleType.DATETIME } };
  return create(CompiledWorkflowSchema, {
    workflow: {
      name,
      version: "",
      interface: { inputs: [{ name: "at", type }], outputs: [] },
      nodes: [
        {
          id: "stamp",
          target: { case: "task", value: "stamp" },
          inputs: [{ var: "at", value: { value: { case: "workflowInput", value: "at" } } }],
          source: { file: "wf.ts", line: 1, column: 1 },
        },
      ],
      schedule: { kickoffInput: "at", ...schedule },
      source: { file: "wf.ts", line: 1, column: 1 },
    },
    tasks: [
      {
        name: "stamp",
        version: "stamp-v1",
        interface: { inputs: [{ name: "at", type }], outputs: [{ name: "y", type: { type: { case: "simple", value: SimpleType.INTEGER } } }] },
        runtime: { case: "node", value: { module: "tasks.ts", exportName: "stamp" } },
        source: { file: "tasks.ts", line: 1, column: 1 },
      },
    ],
    compilerVersion: "test",
  });
}

const done = async () => create(LiteralSetSchema, { literals: { y: int(1) } });

async function boot(dir: string, behaviour = done): Promise<{ srv: RunningServer; admin: AdminClient; worker: TestWorker }> {
  const srv = await server(dir);
  servers.push(srv);
  const admin = adminClient(srv.address);
  clients.push(admin);
  const worker = new TestWorker(srv.address, behaviour);
  workers.push(worker);
  await worker.connect();
  return { srv, admin, worker };
}

async function halt(srv: RunningServer, admin: AdminClient, worker: TestWorker): Promise<void> {
  worker.close();
  admin.raw.close();
  await srv.stop();
  servers = servers.filter((s) => s !== srv);
}

/** The scheduled runs of a workflow, oldest tick first. */
async function runsOf(admin: AdminClient, workflow: string): Promise<Array<{ id: string; tick: number; state: ExecutionState }>> {
  const { executions } = await admin.listExecutions({ workflow, limit: 1000 });
  return executions
    .map((e: { id: string; scheduledFor: never; state: ExecutionState }) => ({ id: e.id, tick: timestampMs(e.scheduledFor), state: e.state }))
    .sort((a: { tick: number }, b: { tick: number }) => a.tick - b.tick);
}

function expectContiguous(ticks: number[], step: number): void {
  for (let i = 1; i < ticks.length; i++) expect(ticks[i]! - ticks[i - 1]!).toBe(step);
}

describe("schedule ticks (pure)", () => {
  it("lists cron ticks in the schedule's zone, the latest tick and the next one", () => {
    const schedule = create(CompiledWorkflowSchema, { workflow: { schedule: { trigger: { case: "cron", value: "0 9 * * *" }, timezone: "Europe/Paris" } } })
      .workflow!.schedule!;
    const from = Date.parse("2026-01-01T00:00:00Z");
    const ticks = scheduleTicks(schedule, from, from + 3 * 86_400_000);
    expect(ticks.map((t) => new Date(t).toISOString())).toEqual(["2026-01-01T08:00:00.000Z", "2026-01-02T08:00:00.000Z", "2026-01-03T08:00:00.000Z"]);
    expect(latestTick(schedule, from, from + 3 * 86_400_000)).toBe(ticks.at(-1));
    expect(nextTick(schedule, ticks[0]!)).toBe(ticks[1]);
  });

  it("keeps fixed-rate ticks on one grid (the epoch) when the schedule has no start", () => {
    const schedule = create(CompiledWorkflowSchema, { workflow: { schedule: { trigger: { case: "fixedRate", value: durationFromMs(60_000) } } } }).workflow!
      .schedule!;
    const at = Date.parse("2026-01-01T00:00:30Z");
    expect(new Date(nextTick(schedule, at)!).toISOString()).toBe("2026-01-01T00:01:00.000Z");
    expect(new Date(latestTick(schedule, at - 3_600_000, at, 0)!).toISOString()).toBe("2026-01-01T00:00:00.000Z");
  });
});

describe("schedule ticker", () => {
  it("creates one execution per fixed-rate tick with the tick as kickoff input, each id once", async () => {
    const { admin } = await boot(tempDir());
    // Catchup on, so the ticks are contiguous however late a loaded machine runs a pass.
    await admin.registerWorkflow({ spec: scheduledSpec("every_second", { trigger: { case: "fixedRate", value: durationFromMs(1000) }, catchup: true }) });
    const runs = await waitFor(
      async () => {
        const r = await runsOf(admin, "every_second");
        return r.filter((x) => x.state === ExecutionState.SUCCEEDED).length >= 3 ? r : undefined;
      },
      15_000,
      "three scheduled runs",
    );
    expect(new Set(runs.map((r) => r.id)).size).toBe(runs.length);
    expectContiguous(
      runs.map((r) => r.tick),
      1000,
    );
    for (const r of runs) {
      expect(r.id).toBe(scheduledExecutionId("every_second", r.tick));
      expect(r.tick % 1000).toBe(0);
      const { execution } = await admin.getExecution({ id: r.id });
      const at = execution.inputs.literals.at.value.value.value;
      expect(at.case).toBe("datetime");
      expect(timestampMs(at.value)).toBe(r.tick);
    }
  });

  it("ticks a six-field cron every second and gives a date input the tick's day in the schedule's zone", async () => {
    const { admin } = await boot(tempDir());
    await admin.registerWorkflow({
      // Catchup on: a pass that a loaded machine delays past a tick still creates every tick, so the
      // ticks are contiguous whatever the load (off, only the latest missed one would run).
      spec: scheduledSpec("cron_second", { trigger: { case: "cron", value: "* * * * * *" }, timezone: "Pacific/Kiritimati", catchup: true }, "date"),
    });
    const runs = await waitFor(
      async () => {
        const r = await runsOf(admin, "cron_second");
        return r.length >= 2 ? r : undefined;
      },
      8_000,
      "two cron runs",
    );
    expectContiguous(
      runs.map((r) => r.tick),
      1000,
    );
    const { execution } = await admin.getExecution({ id: runs[0]!.id });
    const day = execution.inputs.literals.at.value.value.value;
    expect(day.case).toBe("date");
    // Kiritimati is UTC+14: its calendar day is not the UTC one for 14 hours of every day.
    expect(day.value).toBe(new Intl.DateTimeFormat("en-CA", { timeZone: "Pacific/Kiritimati" }).format(new Date(runs[0]!.tick)));
  });

  it("catchup: after a downtime every missed tick runs once, none twice", async () => {
    const dir = tempDir();
    let b = await boot(dir);
    await b.admin.registerWorkflow({ spec: scheduledSpec("catchup_on", { trigger: { case: "fixedRate", value: durationFromMs(1000) }, catchup: true }) });
    const before = await waitFor(
      async () => ((await runsOf(b.admin, "catchup_on")).length >= 1 ? runsOf(b.admin, "catchup_on") : undefined),
      5_000,
      "a first run",
    );
    await halt(b.srv, b.admin, b.worker);
    const downAt = Date.now();
    await new Promise((r) => setTimeout(r, 3_200));
    b = await boot(dir);
    const upAt = Date.now();
    const runs = await waitFor(
      async () => {
        const r = await runsOf(b.admin, "catchup_on");
        return r.at(-1)!.tick >= upAt - 1000 && r.every((x) => x.state === ExecutionState.SUCCEEDED) ? r : undefined;
      },
      8_000,
      "the missed ticks to run",
    );
    expect(runs[0]!.id).toBe(before[0]!.id);
    expect(new Set(runs.map((r) => r.id)).size).toBe(runs.length);
    expectContiguous(
      runs.map((r) => r.tick),
      1000,
    );
    expect(runs.filter((r) => r.tick > downAt && r.tick < upAt - 1000).length).toBeGreaterThanOrEqual(2);
  });

  it("no catchup: after a downtime only the latest missed tick runs", async () => {
    const dir = tempDir();
    let b = await boot(dir);
    await b.admin.registerWorkflow({ spec: scheduledSpec("catchup_off", { trigger: { case: "fixedRate", value: durationFromMs(1000) }, catchup: false }) });
    await waitFor(async () => ((await runsOf(b.admin, "catchup_off")).length >= 1 ? true : undefined), 5_000, "a first run");
    await halt(b.srv, b.admin, b.worker);
    const downAt = Date.now();
    await new Promise((r) => setTimeout(r, 3_500));
    b = await boot(dir);
    const upAt = Date.now();
    const runs = await waitFor(
      async () => {
        const r = await runsOf(b.admin, "catchup_off");
        return r.some((x) => x.tick > downAt) ? r : undefined;
      },
      5_000,
      "the run after the downtime",
    );
    // Three ticks were missed while down; only the latest (within a second of the restart) ran.
    const during = runs.filter((r) => r.tick > downAt && r.tick <= upAt);
    expect(during.length).toBe(1);
    expect(during[0]!.tick).toBeGreaterThan(upAt - 1001);
    expect(new Set(runs.map((r) => r.id)).size).toBe(runs.length);
  });

  it("max active runs: extra scheduled runs wait QUEUED, never more than the limit running", async () => {
    const slow = async () => {
      await new Promise((r) => setTimeout(r, 1_600));
      return create(LiteralSetSchema, { literals: { y: int(1) } });
    };
    const { admin } = await boot(tempDir(), slow);
    await admin.registerWorkflow({ spec: scheduledSpec("bounded", { trigger: { case: "fixedRate", value: durationFromMs(1000) }, maxActiveRuns: 1 }) });
    let maxRunning = 0;
    let sawQueued = false;
    const until = Date.now() + 5_000;
    while (Date.now() < until) {
      const r = await runsOf(admin, "bounded");
      maxRunning = Math.max(maxRunning, r.filter((x) => x.state === ExecutionState.RUNNING).length);
      sawQueued ||= r.some((x) => x.state === ExecutionState.QUEUED);
      await new Promise((res) => setTimeout(res, 50));
    }
    expect(maxRunning).toBe(1);
    expect(sawQueued).toBe(true);
  });

  it("a restart mid-backfill keeps its max active runs: queued runs are not all started at once", async () => {
    const dir = tempDir();
    const slow = async () => {
      await new Promise((r) => setTimeout(r, 400));
      return create(LiteralSetSchema, { literals: { y: int(1) } });
    };
    const a = await boot(dir, slow);
    // A daily cron with catchup off: the ticker itself creates nothing during the test.
    await a.admin.registerWorkflow({ spec: scheduledSpec("backfilled", { trigger: { case: "cron", value: "0 0 * * *" } }) });
    const day = 86_400n;
    const start = 1_767_225_600n; // 2026-01-01
    const { ticks } = await a.admin.createBackfill({ workflow: "backfilled", start: { seconds: start }, end: { seconds: start + 5n * day }, maxActiveRuns: 2 });
    expect(ticks.length).toBe(6);
    await waitFor(
      async () => ((await runsOf(a.admin, "backfilled")).some((r) => r.state === ExecutionState.RUNNING) ? true : undefined),
      5_000,
      "a running backfill run",
    );
    await halt(a.srv, a.admin, a.worker);
    const b = await boot(dir, slow);
    let maxRunning = 0;
    const runs = await waitFor(
      async () => {
        const r = await runsOf(b.admin, "backfilled");
        maxRunning = Math.max(maxRunning, r.filter((x) => x.state === ExecutionState.RUNNING).length);
        return r.length === 6 && r.every((x) => x.state === ExecutionState.SUCCEEDED) ? r : undefined;
      },
      20_000,
      "every backfill run to succeed after the restart",
    );
    expect(runs.length).toBe(6);
    expect(maxRunning).toBeGreaterThan(0);
    expect(maxRunning).toBeLessThanOrEqual(2);
  });

  it("stops ticking at the schedule's end", async () => {
    const { admin } = await boot(tempDir());
    // Room for a few ticks even when registration is slow on a loaded machine.
    const end = Date.now() + 3_000;
    const until = { seconds: BigInt(Math.floor(end / 1000)), nanos: (end % 1000) * 1e6 };
    await admin.registerWorkflow({ spec: scheduledSpec("ending", { trigger: { case: "fixedRate", value: durationFromMs(1000) }, end: until }) });
    await waitFor(async () => ((await runsOf(admin, "ending")).length >= 1 ? true : undefined), 5_000, "a run before the end");
    await new Promise((r) => setTimeout(r, Math.max(0, end - Date.now()) + 2_000));
    const runs = await runsOf(admin, "ending");
    expect(runs.length).toBeGreaterThanOrEqual(1);
    expect(runs.every((r) => r.tick <= end)).toBe(true);
  });

  it("re-plans on RegisterWorkflow: a new version without a schedule stops the ticks", async () => {
    const { admin } = await boot(tempDir());
    const spec = scheduledSpec("unscheduled_later", { trigger: { case: "fixedRate", value: durationFromMs(1000) } });
    await admin.registerWorkflow({ spec });
    await waitFor(async () => ((await runsOf(admin, "unscheduled_later")).length >= 1 ? true : undefined), 5_000, "a first run");
    spec.workflow!.schedule = undefined;
    await admin.registerWorkflow({ spec });
    const count = (await runsOf(admin, "unscheduled_later")).length;
    await new Promise((r) => setTimeout(r, 2_500));
    expect((await runsOf(admin, "unscheduled_later")).length).toBe(count);
  });

  it("creates nothing for a workflow that needs more than its kickoff input; a backfill of it is refused", async () => {
    const { admin } = await boot(tempDir());
    const spec = scheduledSpec("needs_more", { trigger: { case: "fixedRate", value: durationFromMs(1000) } });
    spec.workflow!.interface!.inputs.push(
      create(CompiledWorkflowSchema, { workflow: { interface: { inputs: [{ name: "x", type: { type: { case: "simple", value: SimpleType.INTEGER } } }] } } })
        .workflow!.interface!.inputs[0]!,
    );
    await admin.registerWorkflow({ spec });
    await new Promise((r) => setTimeout(r, 2_200));
    expect(await runsOf(admin, "needs_more")).toEqual([]);
    const err = await admin
      .createBackfill({ workflow: "needs_more", start: { seconds: 1_767_225_600n }, end: { seconds: 1_767_225_610n } })
      .catch((e: unknown) => e);
    expect((err as { code: number }).code).toBe(9); // FAILED_PRECONDITION
    expect((err as { details: string }).details).toMatch(/missing input "x"/);
  });
});
