// Data for a page: one AdminService call (or a few), re-run when its inputs change and, for lists
// that move on their own (executions, workers), every `refreshMs`. The last good answer stays on
// screen while a refresh is in flight, so lists do not flicker.
import { useCallback, useEffect, useRef, useState } from "react";
import { errorText } from "./admin.ts";

export interface CallState<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  reload: () => void;
}

export function useCall<T>(call: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[], refreshMs?: number): CallState<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  const callRef = useRef(call);
  callRef.current = call;

  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps decide when the call changes; tick forces a re-run
  useEffect(() => {
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = () => {
      setLoading(true);
      callRef.current(abort.signal).then(
        (value) => {
          if (abort.signal.aborted) return;
          setData(value);
          setError(undefined);
          setLoading(false);
          if (refreshMs) timer = setTimeout(run, refreshMs);
        },
        (err: unknown) => {
          if (abort.signal.aborted) return;
          setError(errorText(err));
          setLoading(false);
          if (refreshMs) timer = setTimeout(run, refreshMs);
        },
      );
    };
    run();
    return () => {
      abort.abort();
      clearTimeout(timer);
    };
  }, [...deps, tick, refreshMs]);

  return { data, error, loading, reload };
}
