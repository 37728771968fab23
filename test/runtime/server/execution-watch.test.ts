import { fromBinary } from "@bufbuild/protobuf";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { encodeExecution, ExecutionEventSchema, ExecutionState, NodeState, type NodeView } from "../../../proto/index.ts";
import type { Engine, ExecutionWatcher } from "../../../runtime/scheduler/index.ts";
import { streamExecution, WATCH_DEFAULTS } from "../../../runtime/server/execution-watch.ts";

/** An engine that only hands out the watcher, so the test plays the commits. */
function fakeEngine() {
  const held: { watcher?: ExecutionWatcher; unwatched: boolean } = { unwatched: false };
  const engine = {
    watch: (_id: string, w: ExecutionWatcher) => {
      held.watcher = w;
      return () => void (held.unwatched = true);
    },
  } as unknown as Engine;
  return { engine, held };
}

function recorder() {
  const events: ReturnType<typeof fromBinary<typeof ExecutionEventSchema>>[] = [];
  let ended = false;
  return {
    events,
    ended: () => ended,
    out: {
      write: (b: Uint8Array) => void events.push(fromBinary(ExecutionEventSchema, b)),
      end: () => void (ended = true),
      fail: (e: unknown) => {
        throw e;
      },
    },
  };
}

const header = (state: ExecutionState) => ({
  id: "ex",
  workflow: "wf",
  version: "v",
  state,
  inputs: undefined,
  outputs: undefined,
  error: undefined,
  createdAt: 1_000,
  startedAt: 1_000,
  finishedAt: 0,
  scheduledFor: 0,
  backfillId: "",
  recoveredFrom: "",
});
const view = (id: string, state: NodeState): NodeView => ({
  id,
  state,
  target: "t",
  outputs: undefined,
  error: undefined,
  startedAt: 2_000,
  finishedAt: state === NodeState.SUCCEEDED ? 3_000 : 0,
  source: undefined,
  attempts: [{ number: 1, state, workerId: "w", queuedAt: 1_500, startedAt: 2_000, finishedAt: 0, error: undefined, gpus: [] }],
});

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("a watch stream", () => {
  it("sends a node's changes within one window once, in their latest state, and flushes before the end", () => {
    const { engine, held } = fakeEngine();
    const rec = recorder();
    streamExecution(engine, "ex", false, rec.out, () => Promise.reject(new Error("not used")));
    const w = held.watcher!;
    expect(w.nodes).toBe(true);
    w.start(encodeExecution(header(ExecutionState.RUNNING), [view("a", NodeState.PENDING), view("b", NodeState.PENDING)]));
    expect(rec.events).toHaveLength(1);
    // Three commits inside one window: a queued, running, succeeded; b queued.
    w.changed([view("a", NodeState.QUEUED), view("b", NodeState.QUEUED)]);
    vi.advanceTimersByTime(WATCH_DEFAULTS.coalesceMs / 2);
    w.changed([view("a", NodeState.RUNNING)]);
    w.changed([view("a", NodeState.SUCCEEDED)]);
    expect(rec.events).toHaveLength(1);
    vi.advanceTimersByTime(WATCH_DEFAULTS.coalesceMs / 2);
    expect(rec.events).toHaveLength(2);
    expect(rec.events[1]!.nodes.map((n) => [n.nodeId, n.state])).toEqual([
      ["a", NodeState.SUCCEEDED],
      ["b", NodeState.QUEUED],
    ]);
    // The next window's changes are not lost when the execution ends before it closes.
    w.changed([view("b", NodeState.SUCCEEDED)]);
    w.ended(encodeExecution(header(ExecutionState.SUCCEEDED), []));
    expect(rec.events.map((e) => (e.snapshot ? "snapshot" : e.nodes.map((n) => `${n.nodeId}:${NodeState[n.state]}`).join()))).toEqual([
      "snapshot",
      "a:SUCCEEDED,b:QUEUED",
      "b:SUCCEEDED",
      "snapshot",
    ]);
    expect(rec.ended()).toBe(true);
    vi.advanceTimersByTime(WATCH_DEFAULTS.coalesceMs * 2);
    expect(rec.events).toHaveLength(4);
  });

  it("an end-only watch asks for no node changes; a stopped one sends nothing more", () => {
    const { engine, held } = fakeEngine();
    const rec = recorder();
    streamExecution(engine, "ex", true, rec.out, () => Promise.reject(new Error("not used")));
    expect(held.watcher!.nodes).toBe(false);

    const second = fakeEngine();
    const rec2 = recorder();
    const stop = streamExecution(second.engine, "ex", false, rec2.out, () => Promise.reject(new Error("not used")));
    second.held.watcher!.changed([view("a", NodeState.QUEUED)]);
    stop();
    vi.advanceTimersByTime(WATCH_DEFAULTS.coalesceMs);
    expect(second.held.unwatched).toBe(true);
    expect(rec2.events).toHaveLength(0);
  });
});
