// Follows one execution to its end over WatchExecution, printing a line per node change, and
// re-attaches when the stream drops (a runtime restart must not end `weir run --follow`).
import type { AdminClient } from "../client.ts";
import type { CompiledWorkflow, Execution, ExecutionEvent } from "../../proto/index.ts";
import { QUEUE_HINT_DEFAULTS, QueueHints } from "./queue-hints.ts";
import { isTerminalExecution, ProgressRenderer } from "./render.ts";

export interface FollowSettings {
  reconnectForMs: number;
  reconnectDelayMs: number;
  /** A first attempt queued this long gets a note when no connected worker could take it. */
  queuedHintMs: number;
}

export const FOLLOW_DEFAULTS: Readonly<FollowSettings> = Object.freeze({
  /** How long to keep re-attaching while the runtime is unreachable. */
  reconnectForMs: 120_000,
  reconnectDelayMs: 500,
  queuedHintMs: QUEUE_HINT_DEFAULTS.afterMs,
});

export interface FollowOptions {
  spec?: CompiledWorkflow;
  /** Where progress lines go; nothing is printed when absent. */
  write?: (line: string) => void;
  /** Sees every event before it is rendered (the demo drops its data file in on a sensor wait). */
  onEvent?: (event: ExecutionEvent) => void;
  signal?: AbortSignal;
  /**
   * Wait for the end only: no node events are streamed and nothing is rendered, and the returned
   * Execution has no nodes (GetExecution has them). The cheap way for a script to wait.
   */
  endOnly?: boolean;
}

export async function followExecution(client: AdminClient, executionId: string, options: FollowOptions & Partial<FollowSettings> = {}): Promise<Execution> {
  const settings = { ...FOLLOW_DEFAULTS, ...options };
  const hints = options.write && options.spec && !options.endOnly ? new QueueHints(client, options.spec, options.write, settings.queuedHintMs) : undefined;
  try {
    return await follow(client, executionId, options, settings, hints);
  } finally {
    hints?.stop();
  }
}

async function follow(
  client: AdminClient,
  executionId: string,
  options: FollowOptions,
  settings: FollowSettings,
  hints: QueueHints | undefined,
): Promise<Execution> {
  let renderer: ProgressRenderer | undefined;
  let unreachableSince: number | undefined;
  for (;;) {
    try {
      for await (const event of client.watchExecution({ id: executionId, endOnly: options.endOnly }, { signal: options.signal })) {
        unreachableSince = undefined;
        options.onEvent?.(event);
        if (!renderer) renderer = new ProgressRenderer(options.write ?? (() => {}), options.spec, event.snapshot?.inputs);
        const done = renderer.onEvent(event);
        if (done) return done;
        hints?.onNodes(event.snapshot ? event.snapshot.nodes : event.nodes);
      }
      // The stream ended without a final snapshot: ask once, and keep watching if still running.
      const { execution } = await client.getExecution({ id: executionId });
      if (execution && isTerminalExecution(execution.state)) {
        renderer?.onEvent({ snapshot: execution } as never);
        return execution;
      }
    } catch (err) {
      if ((err as { code?: string }).code !== "UNREACHABLE" || options.signal?.aborted) throw err;
      unreachableSince ??= Date.now();
      if (Date.now() - unreachableSince > settings.reconnectForMs) throw err;
    }
    await new Promise((r) => setTimeout(r, settings.reconnectDelayMs));
  }
}
