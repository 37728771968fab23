// Turns what the suite saw into its verdicts: executions and map items lost, task bodies that
// completed again after their node's success was recorded, and attempts LOST while their worker
// lived. Inputs are the final executions (GetExecution), every success the API showed before a
// kill (sightings), the side-effect log and the timeline of faults.
import { ExecutionState, NodeState, type Attempt, type Execution, type Literal } from "../../proto/index.ts";
import type { BodyRun } from "./side-effect-log.ts";
import type { Timeline } from "./timeline.ts";

/** An execution the suite created: a `fan` over items 0..items-1 whose item i must output y = 3i+1. */
export interface TrackedExecution {
  readonly id: string;
  readonly phase: string;
  readonly items: number;
  readonly tag: string;
}

/** The map node of the fixture's `fan` workflow; its items are `work[0]`, `work[1]`, ... */
export const MAP_NODE = "work";
export const itemNode = (i: number): string => `${MAP_NODE}[${i}]`;
export const expectedY = (item: number): bigint => BigInt(item * 3 + 1);

export interface SuccessSighting {
  readonly attempt: number;
  /** When the response showing it arrived: the success was committed (if the API only shows committed state) by then. */
  readonly at: number;
}

/** The first success the API showed for each node, per execution. */
export class Sightings {
  private readonly seen = new Map<string, Map<string, SuccessSighting>>();

  record(execution: Execution, at: number): void {
    let nodes = this.seen.get(execution.id);
    if (!nodes) this.seen.set(execution.id, (nodes = new Map()));
    for (const n of execution.nodes) {
      if (n.state !== NodeState.SUCCEEDED || nodes.has(n.nodeId)) continue;
      const won = n.attempts.find((a) => a.state === NodeState.SUCCEEDED);
      nodes.set(n.nodeId, { attempt: won?.number ?? 0, at });
    }
  }

  get(execution: string, node: string): SuccessSighting | undefined {
    return this.seen.get(execution)?.get(node);
  }

  count(): number {
    let n = 0;
    for (const nodes of this.seen.values()) n += nodes.size;
    return n;
  }
}

export interface LostExecution {
  id: string;
  phase: string;
  state: string;
  error?: string;
}
export interface LostNode {
  execution: string;
  node: string;
  why: string;
}
export interface Rerun {
  execution: string;
  node: string;
  /** The attempt whose body completed again, and when. */
  attempt: number;
  at: number;
  /** The success recorded before it: which attempt, when, and how the suite knows. */
  recordedAttempt: number;
  recordedAt: number;
  recordedBy: "shown by GetExecution before a kill" | "committed (final GetExecution)";
  /** The process that ran it, when the suite knows it (e.g. "w2#1, SIGSTOPped earlier"). */
  ranBy: string;
}
export interface LostAttempt {
  execution: string;
  node: string;
  attempt: number;
  worker: string;
  error: string;
  /** Faults of the runtime around the attempt ("runtime SIGKILL 12 ms after it started") and whether its body ran. */
  context: string;
}

export interface Findings {
  executionsLost: LostExecution[];
  nodesLost: LostNode[];
  rerunsAfterSuccess: Rerun[];
  lostWhileLived: LostAttempt[];
  /** LOST attempts explained by a worker kill, stop or SIGTERM exit. */
  lostExplained: number;
  /** Of the LOST attempts, those whose error says the worker "reconnected without" them. */
  reconnectedWithout: number;
  /** Bodies completed in all, and nodes checked. */
  bodies: number;
  nodesChecked: number;
}

export const timestampMs = (t: { seconds: bigint; nanos: number } | undefined): number | undefined =>
  t ? Number(t.seconds) * 1000 + Math.floor(t.nanos / 1e6) : undefined;

const intOf = (lit: Literal | undefined): bigint | undefined =>
  lit?.value.case === "scalar" && lit.value.value.value.case === "integer" ? lit.value.value.value.value : undefined;
const stringOf = (lit: Literal | undefined): string | undefined =>
  lit?.value.case === "scalar" && lit.value.value.value.case === "string" ? lit.value.value.value.value : undefined;

export function assess(input: {
  tracked: readonly TrackedExecution[];
  /** The final state of each tracked execution; missing when the runtime does not know it. */
  finals: ReadonlyMap<string, Execution>;
  sightings: Sightings;
  bodies: readonly BodyRun[];
  timeline: Timeline;
  /** Which suite process each pid was (for the reruns' `ranBy`). */
  processOfPid: ReadonlyMap<number, string>;
  /** The end of the run: LOST attempts without a finish time count up to here. */
  endedAt: number;
}): Findings {
  const { tracked, finals, sightings, bodies, timeline, processOfPid, endedAt } = input;
  const findings: Findings = {
    executionsLost: [],
    nodesLost: [],
    rerunsAfterSuccess: [],
    lostWhileLived: [],
    lostExplained: 0,
    reconnectedWithout: 0,
    bodies: bodies.length,
    nodesChecked: 0,
  };
  const bodiesByNode = new Map<string, BodyRun[]>();
  for (const b of bodies) {
    const key = `${b.execution} ${b.node}`;
    const list = bodiesByNode.get(key) ?? [];
    list.push(b);
    bodiesByNode.set(key, list);
  }

  for (const t of tracked) {
    const execution = finals.get(t.id);
    if (!execution || execution.state !== ExecutionState.SUCCEEDED) {
      findings.executionsLost.push({
        id: t.id,
        phase: t.phase,
        state: execution ? ExecutionState[execution.state] : "MISSING",
        error: execution?.error ? `${execution.error.code}: ${execution.error.message}` : undefined,
      });
    }
    const nodes = new Map((execution?.nodes ?? []).map((n) => [n.nodeId, n]));
    const ys = execution?.outputs?.literals.ys;
    const listed = ys?.value.case === "collection" ? ys.value.value.items : undefined;
    for (let i = 0; i < t.items; i++) {
      findings.nodesChecked++;
      const id = itemNode(i);
      const n = nodes.get(id);
      let why: string | undefined;
      if (!n) why = "missing from GetExecution";
      else if (n.state !== NodeState.SUCCEEDED && n.state !== NodeState.CACHED)
        why = `${NodeState[n.state]}${n.error ? ` (${n.error.code}: ${n.error.message})` : ""}`;
      else if (intOf(n.outputs?.literals.y) !== expectedY(i) || stringOf(n.outputs?.literals.tag) !== t.tag) why = "outputs missing or wrong";
      else if (execution?.state === ExecutionState.SUCCEEDED && intOf(listed?.[i]) !== expectedY(i)) why = `execution output ys[${i}] missing or wrong`;
      if (why) findings.nodesLost.push({ execution: t.id, node: id, why });

      if (n) judgeAttempts(findings, t.id, id, n.attempts, bodiesByNode.get(`${t.id} ${id}`) ?? [], timeline, endedAt);
      judgeBodies(findings, t.id, id, n?.attempts ?? [], bodiesByNode.get(`${t.id} ${id}`) ?? [], sightings.get(t.id, id), timeline, processOfPid);
    }
  }
  return findings;
}

/** LOST attempts: explained by a fault of their worker, or lost while it lived. */
function judgeAttempts(
  findings: Findings,
  execution: string,
  node: string,
  attempts: readonly Attempt[],
  runs: readonly BodyRun[],
  timeline: Timeline,
  endedAt: number,
): void {
  for (const a of attempts) {
    if (a.state !== NodeState.LOST) continue;
    const message = a.error?.message ?? "";
    if (message.includes("reconnected without")) findings.reconnectedWithout++;
    const start = timestampMs(a.startedAt) ?? timestampMs(a.queuedAt) ?? 0;
    const end = timestampMs(a.finishedAt) ?? endedAt;
    if (a.workerId && timeline.explainingDowntime(a.workerId, start, end)) findings.lostExplained++;
    else {
      // Runtime faults while it was live; a SIGTERM just before it started too (the runtime may dispatch while it stops).
      const faults = timeline.faults.filter(
        (f) => (f.kind === "runtime-sigkill" && f.at >= start && f.at <= end) || (f.kind === "runtime-sigterm" && f.at >= start - 1_000 && f.at <= end),
      );
      const body = runs.find((r) => r.attempt === a.number);
      const context = [
        ...faults.map(
          (f) =>
            `${f.kind === "runtime-sigkill" ? "runtime SIGKILL" : "runtime SIGTERM"} ${Math.abs(f.at - start)} ms ${f.at >= start ? "after" : "before"} it started`,
        ),
        ...(faults.length ? [] : ["no runtime fault around it"]),
        body ? `its body completed ${body.at - start} ms after it started: its result was lost` : "its body never completed",
      ].join("; ");
      findings.lostWhileLived.push({
        execution,
        node,
        attempt: a.number,
        worker: a.workerId || "(none)",
        error: `${a.error?.code ?? ""}: ${message}`,
        context,
      });
    }
  }
}

/**
 * Bodies completed after their node's success was recorded: the success is recorded from the
 * earlier of the first time GetExecution showed the node SUCCEEDED and the succeeded attempt's
 * finish; every body completed after that, other than that attempt's own single completion, ran again.
 */
function judgeBodies(
  findings: Findings,
  execution: string,
  node: string,
  attempts: readonly Attempt[],
  runs: readonly BodyRun[],
  sighting: SuccessSighting | undefined,
  timeline: Timeline,
  processOfPid: ReadonlyMap<number, string>,
): void {
  const won = attempts.find((a) => a.state === NodeState.SUCCEEDED);
  const finished = won ? timestampMs(won.finishedAt) : undefined;
  let recorded: { attempt: number; at: number; by: Rerun["recordedBy"] } | undefined;
  if (sighting) recorded = { attempt: sighting.attempt, at: sighting.at, by: "shown by GetExecution before a kill" };
  if (won && finished !== undefined && (!recorded || finished < recorded.at))
    recorded = { attempt: won.number, at: finished, by: "committed (final GetExecution)" };
  if (!recorded) return;
  let ownSeen = false;
  for (const run of [...runs].sort((p, q) => p.at - q.at)) {
    if (run.attempt === recorded.attempt && !ownSeen) {
      // The recorded attempt's own completion (it precedes the record, give or take a millisecond).
      ownSeen = true;
      continue;
    }
    if (run.at <= recorded.at) continue;
    const proc = processOfPid.get(run.pid);
    const stopped = proc && timeline.faults.some((f) => f.kind === "worker-sigstop" && f.detail === `pid ${run.pid}`);
    findings.rerunsAfterSuccess.push({
      execution,
      node,
      attempt: run.attempt,
      at: run.at,
      recordedAttempt: recorded.attempt,
      recordedAt: recorded.at,
      recordedBy: recorded.by,
      ranBy: proc ? `${proc}${stopped ? " (SIGSTOPped, then resumed: a zombie)" : ""}` : `pid ${run.pid}`,
    });
  }
}
