// "Why is my task still queued?": while `weir run --follow` watches, a node queued on its first
// attempt for a while makes it ask the runtime for its workers once, and say so when no connected
// worker could ever take the task (no worker serves its pool, or none has the GPUs it asks for).
// `weir status` prints the same notes for the nodes queued when it looks.
import type { AdminClient } from "../client.ts";
import { NodeState, type CompiledWorkflow, type Node, type NodeExecution, type Resources, type WorkerInfo } from "../../proto/index.ts";
import { gpusWanted, gpuTypeMatches } from "../../core/index.ts";

export const QUEUE_HINT_DEFAULTS = Object.freeze({
  /** How long a first attempt may sit queued before the workers are looked at. */
  afterMs: 3_000,
});

/** What a task needs of a worker, and whether a worker has it. */
interface Need {
  pool: string;
  gpus: number;
  gpuType: string;
}

export class QueueHints {
  private readonly since = new Map<string, number>();
  /** Needs already explained (or found servable): each is looked at once. */
  private readonly checked = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: AdminClient,
    private readonly spec: CompiledWorkflow,
    private readonly write: (line: string) => void,
    private readonly afterMs: number = QUEUE_HINT_DEFAULTS.afterMs,
  ) {}

  onNodes(nodes: Iterable<NodeExecution>): void {
    for (const n of nodes) {
      if (!waitsForAWorker(n)) this.since.delete(n.nodeId);
      else if (!this.since.has(n.nodeId)) this.since.set(n.nodeId, Date.now());
    }
    if (this.since.size && !this.timer) this.timer = setTimeout(() => void this.check(), this.afterMs);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async check(): Promise<void> {
    this.timer = undefined;
    const due = [...this.since].filter(([, at]) => Date.now() - at >= this.afterMs).map(([id]) => id);
    const unchecked = groupByNeed(this.spec, due).filter((g) => !this.checked.has(g.key));
    if (unchecked.length) {
      let workers: WorkerInfo[];
      try {
        workers = (await this.client.listWorkers({})).workers;
      } catch {
        return this.onNodes([]); // the runtime is away: look again later
      }
      for (const g of unchecked) this.checked.add(g.key);
      for (const line of notesFor(unchecked, workers)) this.write(line);
    }
    for (const id of due) this.since.delete(id);
    this.onNodes([]);
  }
}

/**
 * Notes for queued nodes that no connected worker could ever take: one line per distinct need
 * (pool, GPUs, GPU type), naming its nodes, what is missing and the command that starts a worker.
 */
export function queueNotes(spec: CompiledWorkflow, queuedNodeIds: readonly string[], workers: readonly WorkerInfo[]): string[] {
  return notesFor(groupByNeed(spec, queuedNodeIds), workers);
}

/** A queued node is on its first attempt, not yet started (a retry waiting out its backoff is not). */
export function waitsForAWorker(n: NodeExecution): boolean {
  return n.state === NodeState.QUEUED && n.attempts.length <= 1 && (n.attempts[0]?.state ?? NodeState.QUEUED) === NodeState.QUEUED;
}

interface NeedGroup {
  key: string;
  need: Need;
  nodes: string[];
}

function groupByNeed(spec: CompiledWorkflow, nodeIds: readonly string[]): NeedGroup[] {
  const groups = new Map<string, NeedGroup>();
  for (const id of nodeIds) {
    const need = needOf(spec, id);
    if (!need) continue;
    const key = `${need.pool}/${need.gpus}/${need.gpuType}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { key, need, nodes: [] }));
    group.nodes.push(id);
  }
  return [...groups.values()];
}

function notesFor(groups: readonly NeedGroup[], workers: readonly WorkerInfo[]): string[] {
  const connected = workers.filter((w) => w.connected);
  return groups
    .filter((g) => !connected.some((w) => serves(w, g.need)))
    .map(
      (g) => `  note      ${g.nodes.join(", ")} ${g.nodes.length === 1 ? "waits" : "wait"}: ${missing(g.need, connected)}; start one: ${startCommand(g.need)}`,
    );
}

function serves(w: WorkerInfo, need: Need): boolean {
  const pools = w.pools.length ? w.pools : ["cpu"];
  if (!pools.includes(need.pool)) return false;
  const devices = need.gpuType ? w.gpus.filter((g) => gpuTypeMatches(g.name, need.gpuType)) : w.gpus;
  return devices.length >= need.gpus;
}

function missing(need: Need, workers: readonly WorkerInfo[]): string {
  if (!workers.length) return "no worker is connected";
  const pool = `pool "${need.pool}"`;
  if (!workers.some((w) => (w.pools.length ? w.pools : ["cpu"]).includes(need.pool))) return `no connected worker serves ${pool}`;
  return `no connected worker of ${pool} has ${need.gpus} GPU${need.gpus === 1 ? "" : "s"}${need.gpuType ? ` of type ${need.gpuType}` : ""}`;
}

function startCommand(need: Need): string {
  return `weir worker --server <host:port> --pool ${need.pool}${need.gpus ? " --gpus auto" : ""}`;
}

/** The resources of the task a node id runs: top-level nodes, branch arms (`b.inner`), map items (`m[3]`). */
function needOf(spec: CompiledWorkflow, nodeId: string): Need | undefined {
  const task = taskNameOf(spec.workflow?.nodes ?? [], nodeId.replace(/\[\d+\]$/, ""), "");
  if (!task) return undefined;
  const resources: Resources | undefined = spec.tasks.find((t) => t.name === task)?.resources;
  return { pool: resources?.pool || "cpu", gpus: gpusWanted(resources), gpuType: resources?.gpuType ?? "" };
}

function taskNameOf(nodes: Node[], id: string, prefix: string): string | undefined {
  for (const n of nodes) {
    const full = prefix + n.id;
    if (full === id) return n.target.case === "task" ? n.target.value : n.target.case === "map" ? n.target.value.task : undefined;
    if (n.target.case === "branch" && id.startsWith(`${full}.`)) {
      const arms = [...n.target.value.cases, ...(n.target.value.otherwise ? [n.target.value.otherwise] : [])];
      for (const arm of arms) {
        const found = taskNameOf(arm.nodes, id, `${full}.`);
        if (found) return found;
      }
    }
  }
  return undefined;
}
