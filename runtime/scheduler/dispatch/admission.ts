// Max active runs: an execution belongs to admission groups (its workflow, whose schedule's
// maxActiveRuns bounds every run of it, manual, scheduled or backfilled; and its backfill, bounded by
// the backfill's own limit). It starts when every group it belongs to has room; otherwise it waits
// QUEUED and starts, in creation order, as earlier ones end.
import type { CompiledWorkflow } from "../../../proto/index.ts";

/** The groups of one execution, with their limits as the spec and the backfill give them. */
export interface AdmissionGroup {
  readonly name: string;
  /** 0: no limit known here (a reload restores it from the backfill record). */
  readonly limit: number;
}

/** What an execution counts against: its workflow's limit (when set) and its backfill. */
export function admissionGroups(workflow: string, spec: CompiledWorkflow | undefined, backfill?: { id: string; maxActiveRuns: number }): AdmissionGroup[] {
  const groups: AdmissionGroup[] = [];
  const limit = spec?.workflow?.schedule?.maxActiveRuns ?? 0;
  if (limit > 0) groups.push({ name: `workflow:${workflow}`, limit });
  if (backfill?.id) groups.push({ name: `backfill:${backfill.id}`, limit: backfill.maxActiveRuns });
  return groups;
}

interface Waiting {
  readonly id: string;
  readonly groups: readonly string[];
}

export class Admission {
  private readonly limits = new Map<string, number>();
  private readonly active = new Map<string, Set<string>>();
  /** Every waiting execution, in creation order across groups. */
  private waiting: Waiting[] = [];
  /** The groups each known execution counts against. */
  private readonly groupsOf = new Map<string, readonly string[]>();

  hasLimit(group: string): boolean {
    return this.limits.has(group);
  }

  /** Counts an execution that is already running (reloaded after a restart) against its groups. */
  occupy(groups: readonly AdmissionGroup[], id: string): void {
    const names = this.learn(groups, id);
    for (const g of names) this.activeOf(g).add(id);
  }

  /** True when the execution may start now; otherwise it waits its turn. */
  admit(groups: readonly AdmissionGroup[], id: string): boolean {
    const names = this.learn(groups, id);
    if (!names.length) return true;
    // Nobody jumps the queue: one waiting earlier in a shared group goes first.
    const queuedAhead = this.waiting.some((w) => w.groups.some((g) => names.includes(g)));
    if (!queuedAhead && this.hasRoom(names)) {
      for (const g of names) this.activeOf(g).add(id);
      return true;
    }
    this.waiting.push({ id, groups: names });
    return false;
  }

  /** An execution ended: the ids that may start now, in creation order. */
  release(id: string): string[] {
    const names = this.groupsOf.get(id) ?? [];
    this.groupsOf.delete(id);
    for (const g of names) this.active.get(g)?.delete(id);
    this.withdraw(id);
    const started: string[] = [];
    const blocked = new Set<string>();
    const still: Waiting[] = [];
    for (const w of this.waiting) {
      if (!w.groups.some((g) => blocked.has(g)) && this.hasRoom(w.groups)) {
        for (const g of w.groups) this.activeOf(g).add(w.id);
        started.push(w.id);
      } else {
        for (const g of w.groups) blocked.add(g);
        still.push(w);
      }
    }
    this.waiting = still;
    return started;
  }

  /** A queued execution leaves the line (terminated before it started). */
  withdraw(id: string): void {
    this.waiting = this.waiting.filter((w) => w.id !== id);
  }

  private learn(groups: readonly AdmissionGroup[], id: string): readonly string[] {
    for (const g of groups) if (g.limit > 0) this.limits.set(g.name, g.limit);
    const names = groups.map((g) => g.name);
    if (names.length) this.groupsOf.set(id, names);
    return names;
  }

  private hasRoom(groups: readonly string[]): boolean {
    return groups.every((g) => (this.active.get(g)?.size ?? 0) < (this.limits.get(g) ?? Number.POSITIVE_INFINITY));
  }

  private activeOf(group: string): Set<string> {
    let s = this.active.get(group);
    if (!s) this.active.set(group, (s = new Set()));
    return s;
  }
}
