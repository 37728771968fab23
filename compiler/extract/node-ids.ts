// Stable node ids: the task (or workflow) name, then `-2`, `-3` for repeats, in body order.

export class NodeIds {
  private readonly used = new Map<string, number>();

  next(base: string): string {
    const name = base.replace(/[^A-Za-z0-9_.-]+/g, "_") || "node";
    const count = (this.used.get(name) ?? 0) + 1;
    this.used.set(name, count);
    return count === 1 ? name : `${name}-${count}`;
  }
}
