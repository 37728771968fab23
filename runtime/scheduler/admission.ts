// Max active runs: executions of a group (one backfill, or one workflow's scheduled runs) beyond
// the group's limit wait QUEUED and start, in creation order, as earlier ones end.
export class Admission {
  private readonly limits = new Map<string, number>();
  private readonly active = new Map<string, Set<string>>();
  private readonly waiting = new Map<string, string[]>();

  setLimit(group: string, limit: number): void {
    if (limit > 0) this.limits.set(group, limit);
  }

  /** Counts an execution that is already running (reloaded after a restart) against its group's limit. */
  occupy(group: string | undefined, id: string): void {
    if (group) this.activeOf(group).add(id);
  }

  hasLimit(group: string): boolean {
    return this.limits.has(group);
  }

  /** True when the execution may start now; otherwise it waits its turn. */
  admit(group: string | undefined, id: string): boolean {
    if (!group) return true;
    const active = this.activeOf(group);
    const limit = this.limits.get(group) ?? Number.POSITIVE_INFINITY;
    if (active.size < limit) {
      active.add(id);
      return true;
    }
    const q = this.waiting.get(group) ?? [];
    q.push(id);
    this.waiting.set(group, q);
    return false;
  }

  /** An execution ended: the ids that may start now. */
  release(group: string | undefined, id: string): string[] {
    if (!group) return [];
    const active = this.activeOf(group);
    active.delete(id);
    const q = this.waiting.get(group) ?? [];
    const limit = this.limits.get(group) ?? Number.POSITIVE_INFINITY;
    const started: string[] = [];
    while (q.length && active.size < limit) {
      const next = q.shift()!;
      active.add(next);
      started.push(next);
    }
    return started;
  }

  withdraw(group: string | undefined, id: string): void {
    if (!group) return;
    const q = this.waiting.get(group);
    if (q) this.waiting.set(group, q.filter((x) => x !== id));
  }

  private activeOf(group: string): Set<string> {
    let s = this.active.get(group);
    if (!s) this.active.set(group, (s = new Set()));
    return s;
  }
}
