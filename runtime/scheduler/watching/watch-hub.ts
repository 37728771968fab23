// Watches of executions in flight. What a watcher gets is committed state: the group commit hands
// this hub each commit's changed nodes and executions while the commit runs, and what the hub takes
// from them (copies, snapshots) goes to the watchers once that commit has resolved.
import { encodeExecution, ExecutionState, type NodeView } from "../../../proto/index.ts";
import type { LiveExecution, LiveNode } from "../model/execution-graph.ts";
import type { CommitObserver } from "../durability/group-commit.ts";
import { executionViewOf, nodeViewOf } from "./snapshot.ts";

/**
 * Follows one execution. Everything it is given is committed state: taken from the state a commit
 * holds and handed over once that commit has resolved.
 */
export interface ExecutionWatcher {
  /** False: the start and the end only (no node changes, snapshots without their nodes). */
  readonly nodes: boolean;
  /** The execution when the watch began, as `Execution` bytes (not called when it had ended: see `ended`). */
  start(execution: Uint8Array): void;
  /** Nodes that changed in one commit (only when `nodes`). */
  changed(nodes: readonly NodeView[]): void;
  /** The execution ended: its final state as `Execution` bytes. The last call. */
  ended(execution: Uint8Array): void;
  /** The runtime could not record the execution's changes (its store failed). The last call. */
  failed(err: Error): void;
}

/** A watch waiting for the next commit to take its first snapshot. */
interface WatchStart {
  readonly exec: LiveExecution;
  readonly watcher: ExecutionWatcher;
}

export class WatchHub implements CommitObserver {
  private readonly watchers = new Map<string, Set<ExecutionWatcher>>();
  private starts: WatchStart[] = [];
  /** Watches whose first snapshot is not delivered yet (a cancelled one is dropped from here). */
  private readonly pendingWatches = new Set<ExecutionWatcher>();

  /** `requestCommit`: a commit soon, which takes a new watch's first snapshot. */
  constructor(private readonly requestCommit: () => void) {}

  /** Watches an execution in flight from the next commit on; returns how to stop. */
  watch(exec: LiveExecution, w: ExecutionWatcher): () => void {
    this.starts.push({ exec, watcher: w });
    this.pendingWatches.add(w);
    this.requestCommit();
    return () => {
      this.pendingWatches.delete(w);
      const set = this.watchers.get(exec.id);
      if (set?.delete(w) && !set.size) this.watchers.delete(exec.id);
    };
  }

  waiting(): boolean {
    return this.starts.length > 0;
  }

  /** Ends every watch, started or waiting for its first snapshot: no commit will follow. */
  failed(err: Error): void {
    const all = new Set([...this.pendingWatches, ...[...this.watchers.values()].flatMap((set) => [...set])]);
    this.starts = [];
    this.pendingWatches.clear();
    this.watchers.clear();
    for (const w of all) w.failed(err);
  }

  /**
   * Takes what watchers get from one commit: copies of the changed nodes, snapshots of ended
   * executions and of those whose watch starts now (encoded from memory, each shape once), and
   * returns what hands them over once the commit has resolved.
   */
  take(nodes: ReadonlySet<LiveNode>, execs: ReadonlySet<LiveExecution>): (() => void) | undefined {
    const starts = this.starts;
    this.starts = [];
    if (!this.watchers.size && !starts.length) return undefined;
    const encoded = new Map<LiveExecution, [Uint8Array?, Uint8Array?]>();
    const snapshot = (e: LiveExecution, withNodes: boolean): Uint8Array => {
      let pair = encoded.get(e);
      if (!pair) encoded.set(e, (pair = [undefined, undefined]));
      const i = withNodes ? 1 : 0;
      return (pair[i] ??= encodeExecution(executionViewOf(e), withNodes ? e.nodes.values() : []));
    };
    const changed = new Map<string, NodeView[]>();
    for (const n of nodes) {
      const set = this.watchers.get(n.exec.id);
      if (!set || !wantsNodes(set)) continue;
      let list = changed.get(n.exec.id);
      if (!list) changed.set(n.exec.id, (list = []));
      list.push(nodeViewOf(n));
    }
    const ended: Array<[string, ExecutionWatcher, Uint8Array]> = [];
    for (const e of execs) {
      if (e.init.state < ExecutionState.SUCCEEDED) continue;
      for (const w of this.watchers.get(e.id) ?? []) ended.push([e.id, w, snapshot(e, w.nodes)]);
    }
    const started = starts.map((s) => ({ ...s, over: s.exec.init.state >= ExecutionState.SUCCEEDED, bytes: snapshot(s.exec, s.watcher.nodes) }));
    return () => {
      for (const [id, views] of changed) for (const w of this.watchers.get(id) ?? []) if (w.nodes) w.changed(views);
      for (const [id, w, bytes] of ended) {
        const set = this.watchers.get(id);
        if (!set?.delete(w)) continue; // unwatched meanwhile
        if (!set.size) this.watchers.delete(id);
        w.ended(bytes);
      }
      for (const s of started) {
        if (!this.pendingWatches.delete(s.watcher)) continue; // unwatched meanwhile
        if (s.over) {
          s.watcher.ended(s.bytes);
          continue;
        }
        let set = this.watchers.get(s.exec.id);
        if (!set) this.watchers.set(s.exec.id, (set = new Set()));
        set.add(s.watcher);
        s.watcher.start(s.bytes);
      }
    };
  }
}

function wantsNodes(watchers: Set<ExecutionWatcher>): boolean {
  for (const w of watchers) if (w.nodes) return true;
  return false;
}
