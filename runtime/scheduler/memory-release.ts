// Gives a large execution's memory back soon after it ends. The engine drops the execution at its
// last commit, but V8 collects old-space garbage only when its own heuristics say so (often at the
// next heap growth, seconds later), so a 10,000-node run left the server ~25 MB larger than its
// live data meanwhile. One full collection, a short while after the end (when the replies that
// read the execution are done) and only while nothing else runs, returns it: a pause of a few ms,
// once per large execution, never in the middle of other work (there V8's own collections, driven
// by the allocation that work does, reclaim it).
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let collect: (() => void) | null | undefined;

/** V8's full collection; `null` where it cannot be had (flags refused). */
export function fullCollection(): (() => void) | null {
  if (collect !== undefined) return collect;
  try {
    // The flag adds `gc` to contexts made after it; the main context is left as it was.
    setFlagsFromString("--expose-gc");
    collect = runInNewContext("gc") as () => void;
  } catch {
    collect = null;
  }
  return collect;
}

export class MemoryRelease {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    /** Executions with at least this many nodes trigger a collection when they end. */
    private readonly minNodes: number,
    private readonly delayMs: number,
    /** Whether executions are in flight (then no collection). */
    private readonly busy: () => boolean,
    private readonly collectGarbage: () => void = () => fullCollection()?.(),
  ) {}

  /** An execution of `nodes` nodes ended; collects once after the delay (calls meanwhile share it). */
  ended(nodes: number): void {
    if (nodes < this.minNodes || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.busy()) this.collectGarbage();
    }, this.delayMs);
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
