// What the suite broke and when: every fault with its wall-clock time, and for each worker the
// intervals it was really down (killed or stopped, until it registered again). An attempt LOST
// outside every down interval of its worker was lost while the worker lived.
export type FaultKind =
  | "runtime-sigkill"
  | "runtime-sigterm"
  | "runtime-start"
  | "runtime-listening"
  | "worker-sigkill"
  | "worker-sigstop"
  | "worker-sigcont"
  | "worker-sigterm"
  | "worker-exit"
  | "worker-start"
  | "worker-registered";

export interface Fault {
  readonly at: number;
  readonly kind: FaultKind;
  readonly target: string;
  readonly detail?: string;
}

export interface DownInterval {
  readonly from: number;
  /** Infinity while the worker has not registered again. */
  to: number;
  readonly why: "sigkill" | "sigstop" | "sigterm" | "crash";
}

export class Timeline {
  readonly faults: Fault[] = [];
  private readonly down = new Map<string, DownInterval[]>();

  record(kind: FaultKind, target: string, detail?: string, at = Date.now()): void {
    this.faults.push({ at, kind, target, detail });
  }

  /** The worker stopped serving at `from` (killed, stopped, crashed, or exited after SIGTERM). */
  workerDown(id: string, why: DownInterval["why"], from = Date.now()): void {
    const list = this.down.get(id) ?? [];
    list.push({ from, to: Infinity, why });
    this.down.set(id, list);
  }

  /** The worker registered again at `at`: closes its open down interval. */
  workerUp(id: string, at: number): void {
    for (const d of this.down.get(id) ?? []) if (d.to === Infinity && at >= d.from) d.to = at;
    this.record("worker-registered", id, undefined, at);
  }

  /**
   * The down interval of `worker` that explains an attempt lost between `start` and `end`, if any:
   * the worker went down before the attempt ended and came back after it started (plus slack for
   * the moment the runtime notices a re-registration).
   */
  explainingDowntime(worker: string, start: number, end: number, slackMs = 1_000): DownInterval | undefined {
    return (this.down.get(worker) ?? []).find((d) => d.from <= end + slackMs && d.to + slackMs >= start);
  }
}
