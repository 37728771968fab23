// Keeps an execution live on the page: WatchExecution (server-streaming, over Connect) gives the
// snapshot and then each committed change; the stream ends with the execution. A broken stream (a
// runtime restart) is opened again after a pause, starting from a fresh snapshot.
import { useEffect, useState } from "react";
import { admin, errorText, isAborted } from "../api/admin.ts";
import { applyEvent, type LiveExecution } from "./live-execution.ts";
import { workflowSpec } from "./workflow-specs.ts";

const RETRY_MS = 2_000;

export interface ExecutionWatch {
  live: LiveExecution | undefined;
  error: string | undefined;
  /** The stream ended because the execution did. */
  ended: boolean;
}

/** `restart` changes to watch again (after ClearNodes reruns nodes of an ended execution). */
export function useExecutionWatch(id: string, restart = 0): ExecutionWatch {
  const [state, setState] = useState<ExecutionWatch>({ live: undefined, error: undefined, ended: false });

  // biome-ignore lint/correctness/useExhaustiveDependencies: restart only forces a new stream
  useEffect(() => {
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const watch = async () => {
      try {
        for await (const event of admin.watchExecution({ id }, { signal: abort.signal })) {
          if (event.snapshot) {
            // Marks for measuring how a page opens (the browser suite reads them).
            performance.mark("weir:snapshot", { detail: event.snapshot.nodes.length });
            void workflowSpec(event.snapshot.workflow, event.snapshot.workflowVersion).catch(() => undefined);
          }
          setState((s) => ({ live: applyEvent(s.live, event), error: undefined, ended: false }));
        }
        if (!abort.signal.aborted) setState((s) => ({ ...s, ended: true }));
      } catch (err) {
        if (abort.signal.aborted || isAborted(err)) return;
        setState((s) => ({ ...s, error: errorText(err) }));
        timer = setTimeout(watch, RETRY_MS);
      }
    };
    setState((s) => ({ ...s, ended: false }));
    void watch();
    return () => {
      abort.abort();
      clearTimeout(timer);
    };
  }, [id, restart]);

  return state;
}
