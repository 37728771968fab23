// One WatchExecution stream: the engine's committed changes of an execution as ExecutionEvent
// bytes. Changes are gathered over a short window and sent as one event holding each changed
// node once, in its latest committed state: a node going queued → running → succeeded inside the
// window is sent once, and a 10,000-node fan-out costs tens of messages rather than 20,000.
import { encodeNodesEvent, encodeSnapshotEvent, type NodeView } from "../../proto/index.ts";
import type { Engine } from "../scheduler/index.ts";

export interface WatchSettings {
  /** How long changes are gathered before they are sent. */
  coalesceMs: number;
}

export const WATCH_DEFAULTS: Readonly<WatchSettings> = Object.freeze({ coalesceMs: 50 });

/** Where the events go: the gRPC call, which sends ready-made bytes as they are. */
export interface WatchStream {
  /** One ExecutionEvent's bytes. */
  write(event: Uint8Array): void;
  end(): void;
  fail(err: unknown): void;
}

/**
 * Streams execution `id` to its end: a snapshot, node events, a final snapshot. An execution not
 * in flight gets one snapshot, `fromStore(withNodes)`. Returns how to stop early (client gone).
 */
export function streamExecution(
  engine: Engine,
  id: string,
  endOnly: boolean,
  out: WatchStream,
  fromStore: (withNodes: boolean) => Promise<Uint8Array>,
  settings: Partial<WatchSettings> = {},
): () => void {
  const { coalesceMs } = { ...WATCH_DEFAULTS, ...settings };
  const pending = new Map<string, NodeView>();
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    clearTimeout(timer);
    timer = undefined;
    if (!pending.size) return;
    out.write(encodeNodesEvent(pending.values(), Date.now()));
    pending.clear();
  };
  const unwatch = engine.watch(id, {
    nodes: !endOnly,
    start: (execution) => out.write(encodeSnapshotEvent(execution, Date.now())),
    changed: (views) => {
      for (const v of views) pending.set(v.id, v);
      timer ??= setTimeout(flush, coalesceMs);
    },
    ended: (execution) => {
      flush();
      out.write(encodeSnapshotEvent(execution, Date.now()));
      out.end();
    },
    failed: (err) => {
      clearTimeout(timer);
      out.fail(err);
    },
  });
  if (!unwatch) {
    fromStore(!endOnly).then((execution) => {
      out.write(encodeSnapshotEvent(execution, Date.now()));
      out.end();
    }, out.fail);
    return () => {};
  }
  return () => {
    clearTimeout(timer);
    unwatch();
  };
}
