// The chaos suite: real `weir server` and `weir worker` processes on one SQLite file, broken on
// purpose (runtime SIGKILL during large maps, a long outage, worker SIGKILL and SIGSTOP/SIGCONT,
// SIGTERM to both) and then checked: nothing lost, nothing run again after its success was
// recorded, no attempt lost while its worker lived, workers back quickly. A fuzz phase on a runtime
// of its own follows (fuzz.ts). `runChaos` returns the figures; report.ts prints and judges them.
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExecutionState, type Execution } from "../../proto/index.ts";
import { REPO, compileProject, runCli } from "../e2e/harness.ts";
import { Cluster, errorLine, sleep, stablePort, untilAdvancing, type Crash, type Exit } from "./cluster.ts";
import { assess, Sightings, type Findings, type TrackedExecution } from "./findings.ts";
import { runFuzz, type FuzzResult } from "./fuzz.ts";
import { fanInputs } from "./inputs.ts";
import { CHAOS_LIMITS, type ChaosProfile } from "./profiles.ts";
import { failures } from "./report.ts";
import { countBodyRuns, readBodyRuns } from "./side-effect-log.ts";
import { Timeline } from "./timeline.ts";

export interface ReconnectSample {
  /** What brought the runtime down: "sigkill 3", "outage", "sigterm". */
  cause: string;
  worker: string;
  /** From the moment the new runtime's port accepted a connection to the worker's registration. */
  ms: number;
}

export interface ChaosReport {
  profile: ChaosProfile;
  /** "fuzz-only": only the fuzz phase ran, and only its figures are judged. */
  mode: "full" | "fuzz-only";
  seed: number;
  dir: string;
  startedAt: number;
  durationMs: number;
  runtimeKills: { attempted: number; survived: number };
  workerKills: number;
  workerStops: number;
  /** How long each outage lasted (the runtime down, from kill to listening again). */
  outagesMs: number[];
  reconnects: ReconnectSample[];
  runtimeSigterm: Array<Exit | "no exit">;
  workerSigterm: Array<Exit | "no exit">;
  /** For each SIGTERM that did not exit 0: the process and its last error line. */
  sigtermNotes: string[];
  executions: number;
  /** Processes that exited without the suite ending them (crashed workers were restarted). */
  crashes: Crash[];
  findings?: Findings;
  fuzz?: FuzzResult;
  /** Phases that could not finish: a wait that timed out, a process that died. */
  incidents: string[];
}

export interface ChaosOptions {
  seed?: number;
  /** Keep the run's temp directory (logs, SQLite files) even when everything passed (it is always kept on failure). */
  keep?: boolean;
  /** Only compile the fixture and run the fuzz phase (for work on the fuzz findings). */
  fuzzOnly?: boolean;
  /** Progress lines go here (stderr by default). */
  say?: (line: string) => void;
}

/** A small seeded PRNG (mulberry32), so a run can be repeated with `--seed`. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A copy of the chaos fixture project in `dir`, resolving "weir" to this checkout. */
function prepareProject(dir: string): string {
  const project = join(dir, "project");
  cpSync(join(REPO, "test", "fixtures", "chaos", "project"), project, { recursive: true });
  mkdirSync(join(project, "node_modules"));
  symlinkSync(REPO, join(project, "node_modules", "weir"));
  symlinkSync(join(REPO, "node_modules", "@types"), join(project, "node_modules", "@types"));
  return project;
}

export async function runChaos(profile: ChaosProfile, options: ChaosOptions = {}): Promise<ChaosReport> {
  const say = options.say ?? ((line: string) => process.stderr.write(`[chaos] ${line}\n`));
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const random = seededRandom(seed);
  const dir = mkdtempSync(join(tmpdir(), "weir-chaos-"));
  const startedAt = Date.now();
  const timeline = new Timeline();
  const report: ChaosReport = {
    profile,
    mode: options.fuzzOnly ? "fuzz-only" : "full",
    seed,
    dir,
    startedAt,
    durationMs: 0,
    runtimeKills: { attempted: 0, survived: 0 },
    workerKills: 0,
    workerStops: 0,
    outagesMs: [],
    reconnects: [],
    runtimeSigterm: [],
    workerSigterm: [],
    sigtermNotes: [],
    executions: 0,
    crashes: [],
    incidents: [],
  };
  say(`${profile.name} form, seed ${seed}, in ${dir}`);

  const project = prepareProject(dir);
  const sideEffectLog = join(dir, "side-effects.log");
  const startsLog = `${sideEffectLog}.starts`;
  const cluster = new Cluster({
    dir,
    project,
    db: join(dir, "weir.db"),
    port: await stablePort(),
    sideEffectLog,
    timeline,
    workerConcurrency: profile.workerConcurrency,
  });
  const tracked: TrackedExecution[] = [];
  const sightings = new Sightings();
  const workerIds = Array.from({ length: profile.workers }, (_, i) => `w${i + 1}`);

  /** Starts a `fan` execution the suite will check at the end. */
  const create = async (phase: string, items: number, ms: number): Promise<string> => {
    const id = `${phase}-${tracked.filter((t) => t.phase === phase).length + 1}`;
    const tag = `${id}:${"x".repeat(96)}`;
    await cluster.client.createExecution({ workflow: "fan", executionId: id, inputs: fanInputs(items, ms, tag) }, { deadlineMs: 30_000 });
    tracked.push({ id, phase, items, tag });
    return id;
  };
  /** Records every success GetExecution shows now (called before each kill). */
  const observe = async (ids: string[]): Promise<void> => {
    for (const id of ids) {
      const { execution } = await cluster.client.getExecution({ id }, { deadlineMs: 30_000 });
      if (execution) sightings.record(execution, Date.now());
    }
  };
  const ended = (e: { state: ExecutionState }) =>
    e.state === ExecutionState.SUCCEEDED || e.state === ExecutionState.FAILED || e.state === ExecutionState.TERMINATED;
  /** Ids of tracked executions of `phase` that have not ended. */
  const unfinished = async (phase?: string): Promise<string[]> => {
    cluster.assertRuntimeAlive();
    cluster.assertWorkersLeft();
    const { executions } = await cluster.client.listExecutions({ limit: 10_000 }, { deadlineMs: 30_000 });
    const done = new Set(executions.filter(ended).map((e) => e.id));
    return tracked.filter((t) => (!phase || t.phase === phase) && !done.has(t.id)).map((t) => t.id);
  };
  /** Progress, for the stall detector: task bodies completed. */
  const bodies = () => countBodyRuns(sideEffectLog);
  const waitLimits = (totalMs: number) => ({ totalMs, stallMs: CHAOS_LIMITS.stallMs });
  const waitEnded = async (what: string, phase?: string): Promise<void> => {
    let left = tracked.length;
    await untilAdvancing(
      `${what} to end`,
      waitLimits(CHAOS_LIMITS.executionEndMs),
      () => bodies() + (tracked.length - left),
      async () => {
        left = (await unfinished(phase)).length;
        return left === 0;
      },
      250,
    );
  };
  /** Restarts the runtime and times each live worker's return. */
  const restart = async (cause: string, downSince: number): Promise<void> => {
    const rt = await cluster.startRuntime();
    report.outagesMs.push(rt.listeningAt - downSince);
    const live = cluster.liveWorkerIds().filter((id) => !cluster.workers.get(id)!.proc.isStopped());
    const back = await cluster.waitRegistered(live, rt.spawnedAt);
    for (const [worker, at] of back) {
      report.reconnects.push({ cause, worker, ms: Math.max(0, at - rt.listeningAt) });
      timeline.workerUp(worker, at);
    }
  };
  /** Waits until `n` more task bodies have completed (or the phase's executions all ended). */
  const progress = async (n: number, phase: string): Promise<void> => {
    const base = bodies();
    let checked = Date.now();
    await untilAdvancing(`${n} task bodies to complete`, waitLimits(CHAOS_LIMITS.progressMs), bodies, async () => {
      cluster.assertRuntimeAlive();
      cluster.assertWorkersLeft();
      if (bodies() - base >= n) return true;
      if (Date.now() - checked < 1_000) return false;
      checked = Date.now();
      return (await unfinished(phase)).length === 0;
    });
  };
  /**
   * The live worker running the most bodies of `execution`, once some body there has run for
   * `inMs` (bodies note their start): a fault then lands in the middle of task code.
   */
  const workerInsideBodies = async (execution: string, inMs = 300): Promise<string> =>
    untilAdvancing(
      `a worker to be ${inMs} ms into a body of ${execution}`,
      waitLimits(CHAOS_LIMITS.progressMs),
      () => bodies() + countBodyRuns(startsLog),
      () => {
        cluster.assertRuntimeAlive();
        cluster.assertWorkersLeft();
        const finished = new Set(
          readBodyRuns(sideEffectLog)
            .filter((b) => b.execution === execution)
            .map((b) => `${b.node} ${b.attempt}`),
        );
        const running = readBodyRuns(startsLog).filter((b) => b.execution === execution && !finished.has(`${b.node} ${b.attempt}`));
        const byWorker = new Map<string, number>();
        for (const b of running) {
          const w = [...cluster.workers.values()].find((x) => x.proc.pid === b.pid && x.proc.alive() && !x.proc.isStopped());
          if (w && Date.now() - b.at >= inMs) byWorker.set(w.id, (byWorker.get(w.id) ?? 0) + 1);
        }
        return [...byWorker.entries()].sort((p, q) => q[1] - p[1])[0]?.[0];
      },
    );
  /** SIGTERM to the runtime: its exit is recorded, with its last error when it was not 0. */
  const stopRuntimeGracefully = async (): Promise<void> => {
    const proc = cluster.runtime!.proc;
    const exit = await cluster.stopRuntime("SIGTERM");
    report.runtimeSigterm.push(exit ?? "no exit");
    if (exit?.code !== 0) report.sigtermNotes.push(`${proc.name}: ${errorLine(proc.tail(2_000))}`);
  };
  /** Each phase starts with a runtime: one that crashed in the phase before is started again. */
  const ensureRuntime = async (): Promise<void> => {
    if (await cluster.ensureRuntime()) say("  (the runtime was down after the previous phase: started again)");
  };

  const phase = async (name: string, body: () => Promise<void>): Promise<boolean> => {
    const t0 = Date.now();
    say(`phase ${name}…`);
    try {
      await body();
      say(`phase ${name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      return true;
    } catch (err) {
      const message = `${name}: ${(err as Error).message}`;
      report.incidents.push(message);
      say(`phase ${name} FAILED: ${(err as Error).message}`);
      return false;
    }
  };

  let ok = true;
  try {
    ok = await phase("setup", async () => {
      const specs = await compileProject(project);
      if (options.fuzzOnly) return;
      await cluster.startRuntime();
      for (const name of ["fan", "single"]) {
        const result = await runCli(["register", join(specs, `${name}.pb`), "--server", cluster.address], project);
        if (result.code !== 0) throw new Error(`weir register ${name} failed (${result.code}): ${result.stderr}`);
      }
      for (const id of workerIds) await cluster.startWorker(id);
    });

    if (options.fuzzOnly) ok = false;
    // Runtime SIGKILL during several large maps, each kill after some progress since the restart.
    if (ok) {
      await phase(`runtime SIGKILL x${profile.runtimeKills}`, async () => {
        for (let i = 0; i < profile.killExecutions; i++) await create("kill", profile.items, 0);
        const total = profile.killExecutions * profile.items;
        const perKill = Math.max(4, Math.floor(total / (profile.runtimeKills + 1)));
        for (let k = 1; k <= profile.runtimeKills; k++) {
          // Keep the kills during maps: when the batch ended early, start another execution.
          if ((await unfinished("kill")).length === 0) await create("kill", profile.items, 0);
          // Anything from one body to twice the average share: some kills land right after a restart.
          const wanted = 1 + Math.floor(random() * (2 * perKill - 1));
          await progress(wanted, "kill");
          await observe(await unfinished("kill"));
          const downSince = Date.now();
          report.runtimeKills.attempted++;
          await cluster.stopRuntime("SIGKILL");
          await restart(`sigkill ${k}`, downSince);
          report.runtimeKills.survived++;
          say(`  kill ${k}/${profile.runtimeKills} after ${wanted} bodies; back, workers reconnected`);
        }
        await waitEnded("the runtime-kill phase's executions", "kill");
      });
    }

    // One long outage: workers finish what they hold while the runtime is down and must come back at once.
    if (ok) {
      await phase(`outage ${profile.outageMs / 1000} s`, async () => {
        await ensureRuntime();
        await create("outage", profile.items, 0);
        await progress(Math.floor(profile.items / 4), "outage");
        await observe(await unfinished("outage"));
        const downSince = Date.now();
        report.runtimeKills.attempted++;
        await cluster.stopRuntime("SIGKILL");
        // The outage itself: its length is the point, so this one is a plain sleep.
        await sleep(profile.outageMs);
        await restart("outage", downSince);
        report.runtimeKills.survived++;
        await waitEnded("the outage's execution", "outage");
      });
    }

    // Worker SIGKILL mid-attempt, restarted under the same id.
    if (ok) {
      await phase("worker SIGKILL", async () => {
        await ensureRuntime();
        const id = await create("wkill", profile.slowItems, profile.slowItemMs);
        const victim = await workerInsideBodies(id);
        const w = cluster.workers.get(victim)!;
        timeline.record("worker-sigkill", victim, `pid ${w.proc.pid}`);
        timeline.workerDown(victim, "sigkill");
        report.workerKills++;
        w.proc.signal("SIGKILL");
        await w.proc.exited();
        await cluster.startWorker(victim);
        await waitEnded("the worker-kill phase's execution", "wkill");
      });
    }

    // Worker SIGSTOP past the heartbeat timeout, resumed only after its attempts succeeded elsewhere:
    // whatever its stale attempts still do after SIGCONT shows up as a body run again.
    if (ok) {
      await phase("worker SIGSTOP/SIGCONT", async () => {
        await ensureRuntime();
        const id = await create("wstop", profile.slowItems, profile.slowItemMs);
        const victim = await workerInsideBodies(id);
        const w = cluster.workers.get(victim)!;
        timeline.record("worker-sigstop", victim, `pid ${w.proc.pid}`);
        timeline.workerDown(victim, "sigstop");
        report.workerStops++;
        w.proc.signal("SIGSTOP");
        // Stopped until its attempts were given up on (past the heartbeat timeout) and succeeded elsewhere.
        await waitEnded("the worker-stop phase's execution (its worker still stopped)", "wstop");
        const resumedAt = Date.now();
        timeline.record("worker-sigcont", victim, `pid ${w.proc.pid}`, resumedAt);
        w.proc.signal("SIGCONT");
        const back = await cluster.waitRegistered([victim], resumedAt, undefined, { orHeartbeat: true });
        timeline.workerUp(victim, back.get(victim)!);
        // Its stale attempts had at most one item's duration left: give them that to show up (or not).
        await sleep(profile.slowItemMs + 1_000);
      });
    }

    // SIGTERM to a busy worker: it drains and exits 0; then it is started again.
    if (ok) {
      await phase("worker SIGTERM", async () => {
        await ensureRuntime();
        const id = await create("wterm", Math.max(2, Math.floor(profile.slowItems / 2)), 1_000);
        const victim = await workerInsideBodies(id, 200);
        const w = cluster.workers.get(victim)!;
        timeline.record("worker-sigterm", victim, `pid ${w.proc.pid}`);
        w.proc.signal("SIGTERM");
        const exit = await w.proc.exitedWithin(CHAOS_LIMITS.sigtermExitMs);
        report.workerSigterm.push(exit ?? "no exit");
        if (exit?.code !== 0) report.sigtermNotes.push(`${w.proc.name}: ${errorLine(w.proc.tail(2_000))}`);
        timeline.workerDown(victim, "sigterm");
        timeline.record("worker-exit", victim, exit ? `code ${exit.code} signal ${exit.signal}` : "did not exit");
        if (!exit) {
          w.proc.signal("SIGKILL");
          await w.proc.exited();
        }
        await cluster.startWorker(victim);
        await waitEnded("the worker-SIGTERM phase's execution", "wterm");
      });
    }

    // SIGTERM to the runtime in the middle of a map: exit 0, and a restart carries on.
    if (ok) {
      await phase("runtime SIGTERM", async () => {
        await ensureRuntime();
        await create("rterm", profile.items, 0);
        await progress(Math.floor(profile.items / 4), "rterm");
        await observe(await unfinished("rterm"));
        const downSince = Date.now();
        await stopRuntimeGracefully();
        await restart("sigterm", downSince);
        await waitEnded("the runtime-SIGTERM phase's execution", "rterm");
      });
    }
  } finally {
    // Whatever happened above: read the final state from a runtime on the same store.
    if (!options.fuzzOnly)
      await phase("final state", async () => {
        await cluster.ensureRuntime();
        // Executions a failed phase left running get their chance to end (a stall ends the wait early).
        await waitEnded("every execution").catch((err: Error) => report.incidents.push(`final state: ${err.message}`));
        const finals = new Map<string, Execution>();
        for (const t of tracked) {
          const { execution } = await cluster.client.getExecution({ id: t.id }, { deadlineMs: 60_000 }).catch(() => ({ execution: undefined }));
          if (execution) finals.set(t.id, execution);
        }
        const endedAt = Date.now();
        report.executions = tracked.length;
        report.findings = assess({ tracked, finals, sightings, bodies: readBodyRuns(sideEffectLog), timeline, processOfPid: cluster.workerPids, endedAt });
        await stopRuntimeGracefully();
        say(`final state read: ${tracked.length} executions, ${report.findings.nodesChecked} items, ${report.findings.bodies} bodies`);
      });
    await cluster.stopAll();
    report.crashes = cluster.crashes;
  }

  await phase("fuzz", async () => {
    report.fuzz = await runFuzz({ dir, project, calls: profile.fuzzCalls, parallel: profile.fuzzParallel, budgetMs: profile.fuzzBudgetMs, random, say });
  });
  report.durationMs = Date.now() - startedAt;
  // The run's directory holds the logs and the SQLite file: kept when something went wrong.
  if (!options.keep && failures(report).length === 0) rmSync(dir, { recursive: true, force: true });
  return report;
}
