// The schedule ticker: creates one execution per tick of every registered scheduled workflow
// (latest version), sleeping until the next tick rather than polling. The last tick per workflow
// is durable (schedule_ticks), and each tick's execution id is deterministic, so a restart neither
// skips nor duplicates a tick.
import { create, fromBinary } from "@bufbuild/protobuf";
import { latestTick, nextTick, scheduleTicks, scheduleWindow } from "../../../core/index.ts";
import { CompiledWorkflowSchema, LiteralSetSchema, type Schedule, type WorkflowTemplate } from "../../../proto/index.ts";
import type { Logger } from "../../log.ts";
import { emptyBatch, type Store } from "../../store/index.ts";
import type { Engine } from "../engine.ts";
import { checkExecutionInputs } from "../model/execution-inputs.ts";
import { NO_OBSERVER, type SchedulerObserver } from "../scheduler-observer.ts";
import { kickoffLiteral } from "./kickoff-literal.ts";

export const TICKER_DEFAULTS = Object.freeze({
  /** setTimeout's ceiling (~24.8 days): a later tick is re-planned when this timer fires. */
  maxSleepMs: 2 ** 31 - 1,
  /** At most this many missed ticks are created per workflow in one pass (catchup after a long outage). */
  maxCatchupTicks: 10_000,
});

export interface TickerDeps {
  readonly store: Store;
  readonly engine: Engine;
  readonly log: Logger;
  /** The clock (tests may pin it); Date.now by default. */
  readonly now?: () => number;
  /** Told how many ticks each pass fired and missed (the runtime's metrics). */
  readonly observer?: SchedulerObserver;
}

/** The execution id of a workflow's scheduled run at `tick`: the same id however often it is asked. */
export function scheduledExecutionId(workflow: string, tick: number): string {
  return `${workflow}-${new Date(tick).toISOString()}`;
}

interface Scheduled {
  readonly workflow: WorkflowTemplate;
  readonly schedule: Schedule;
  /** When it was registered: a workflow never ticked starts here (or at its schedule's start, with catchup). */
  readonly registeredAt: number;
}

export class ScheduleTicker {
  private readonly store: Store;
  private readonly engine: Engine;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly observer: SchedulerObserver;
  private readonly scheduled = new Map<string, Scheduled>();
  private readonly lastTick = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  /** One pass at a time; a request during a pass runs one more pass after it. */
  private pass: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(deps: TickerDeps) {
    this.store = deps.store;
    this.engine = deps.engine;
    this.log = deps.log.child({ part: "ticker" });
    this.now = deps.now ?? Date.now;
    this.observer = deps.observer ?? NO_OBSERVER;
  }

  /** Loads every registered workflow's schedule and its last tick, runs what is due, arms the timer. */
  async start(): Promise<void> {
    for (const row of await this.store.listWorkflows()) this.track(row.name, row.latestSpec, row.registeredAt);
    await this.poke();
  }

  /** A workflow was registered (maybe a new version, with or without a schedule): re-plan. */
  async workflowRegistered(name: string): Promise<void> {
    if (this.stopped) return;
    const rec = await this.store.getWorkflow(name);
    if (rec) this.track(name, rec.spec, rec.registeredAt);
    await this.poke();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.pass;
  }

  /** The next tick of a workflow after now, for listings; undefined when it has no schedule left. */
  next(workflow: string): number | undefined {
    const s = this.scheduled.get(workflow);
    return s && nextTick(s.schedule, Math.max(this.now(), this.lastTick.get(workflow) ?? Number.NEGATIVE_INFINITY));
  }

  private track(name: string, specBytes: Uint8Array, registeredAt: number): void {
    const wf = fromBinary(CompiledWorkflowSchema, specBytes).workflow;
    const previous = this.scheduled.get(name);
    if (!wf?.schedule?.trigger.case) {
      this.scheduled.delete(name);
      return;
    }
    this.scheduled.set(name, { workflow: wf, schedule: wf.schedule, registeredAt: previous?.registeredAt ?? registeredAt });
  }

  /** Runs a pass now (or right after the one in flight). */
  private poke(): Promise<void> {
    if (this.pass) {
      this.again = true;
      return this.pass;
    }
    this.pass = (async () => {
      try {
        do {
          this.again = false;
          await this.runDue();
        } while (this.again && !this.stopped);
      } finally {
        this.pass = undefined;
        this.arm();
      }
    })();
    return this.pass;
  }

  /** Creates the due ticks' executions of every scheduled workflow, then records the last tick. */
  private async runDue(): Promise<void> {
    for (const [name, s] of this.scheduled) {
      if (this.stopped) return;
      try {
        await this.runWorkflow(name, s);
      } catch (err) {
        this.log.error({ workflow: name, err }, "could not create the scheduled runs of this workflow; will retry at its next tick");
      }
    }
  }

  private async runWorkflow(name: string, s: Scheduled): Promise<void> {
    const now = this.now();
    let last = this.lastTick.get(name);
    if (last === undefined) {
      last = await this.store.getScheduleTick(name);
      if (last !== undefined) this.lastTick.set(name, last);
    }
    const win = scheduleWindow(s.schedule);
    // Never ticked: with catchup, from the schedule's start; otherwise from its registration.
    const from = Math.max(last !== undefined ? last + 1 : s.schedule.catchup && Number.isFinite(win.start) ? win.start : s.registeredAt, win.start);
    const to = Math.min(now, win.end);
    if (to < from) return;
    // Catchup off: only the latest missed tick runs; on: every missed tick, oldest first.
    const due = s.schedule.catchup
      ? scheduleTicks(s.schedule, from, to, TICKER_DEFAULTS.maxCatchupTicks, 0)
      : [latestTick(s.schedule, from, to, 0)].filter((x): x is number => x !== undefined);
    if (!due.length) return;
    // Catchup off: the ticks passed over for the latest are missed (counted only then: it costs a walk).
    let missed = s.schedule.catchup ? 0 : Math.max(0, scheduleTicks(s.schedule, from, to, TICKER_DEFAULTS.maxCatchupTicks, 0).length - 1);
    let fired = 0;
    for (const tick of due) {
      if (this.stopped) return;
      const inputs = create(LiteralSetSchema);
      const input = s.schedule.kickoffInput;
      if (input) inputs.literals[input] = kickoffLiteral(s.workflow.interface, input, tick, s.schedule.timezone);
      const id = scheduledExecutionId(name, tick);
      // A schedule supplies only the kickoff input: a workflow needing more cannot run unattended.
      const problems = checkExecutionInputs(s.workflow.interface, inputs);
      if (problems.length) {
        missed++;
        this.log.error(
          { workflow: name, tick: new Date(tick).toISOString(), problems },
          "scheduled run not created: a schedule gives only the kickoff input; make the other inputs optional",
        );
      } else {
        // Idempotent (deterministic id): after a crash between the creation and the tick record
        // below, the next pass asks for the same id and gets the existing execution back.
        await this.engine.createExecution({
          workflow: name,
          version: s.workflow.version,
          inputs,
          executionId: id,
          scheduledFor: tick,
        });
        fired++;
      }
      await this.store.commit({ ...emptyBatch(), scheduleTicks: [{ workflow: name, lastTick: tick }] });
      this.lastTick.set(name, tick);
    }
    this.observer.scheduleTicks(name, fired, missed);
    this.log.info({ workflow: name, runs: due.length, lastTick: new Date(due.at(-1)!).toISOString() }, "scheduled runs created");
  }

  /** Sleeps until the earliest next tick of any workflow. */
  private arm(): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    const now = this.now();
    let soonest = Number.POSITIVE_INFINITY;
    for (const name of this.scheduled.keys()) {
      try {
        soonest = Math.min(soonest, this.next(name) ?? Number.POSITIVE_INFINITY);
      } catch (err) {
        this.log.error({ workflow: name, err }, "the workflow's schedule cannot be evaluated; it will not tick");
      }
    }
    if (!Number.isFinite(soonest)) return;
    this.timer = setTimeout(() => void this.poke(), Math.min(Math.max(0, soonest - now), TICKER_DEFAULTS.maxSleepMs));
    this.timer.unref();
  }
}
