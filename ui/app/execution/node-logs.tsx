// A node's log lines (its task's ctx.log, a command's stdout and stderr), fetched again every second
// while the node runs, so they stream onto the page, and once more when it has ended.
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { type ReactNode, useEffect, useRef, useState } from "react";
import type { LogLine } from "../../../proto/messages.ts";
import { admin, errorText } from "../api/admin.ts";

const POLL_MS = 1_000;

export function NodeLogs(props: { executionId: string; nodeId: string; running: boolean }): ReactNode {
  const [lines, setLines] = useState<LogLine[]>();
  const [error, setError] = useState<string>();
  const box = useRef<HTMLPreElement>(null);
  const { executionId, nodeId, running } = props;

  useEffect(() => {
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const fetchLines = async () => {
      try {
        const r = await admin.getNodeLogs({ executionId, nodeId }, { signal: abort.signal });
        setLines(r.lines);
        setError(undefined);
      } catch (err) {
        if (!abort.signal.aborted) setError(errorText(err));
      }
      if (running && !abort.signal.aborted) timer = setTimeout(fetchLines, POLL_MS);
    };
    void fetchLines();
    return () => {
      abort.abort();
      clearTimeout(timer);
    };
  }, [executionId, nodeId, running]);

  // Follow the end while new lines come in, as a terminal would.
  // biome-ignore lint/correctness/useExhaustiveDependencies: scrolls whenever the lines change
  useEffect(() => {
    const el = box.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lines]);

  if (error) return <div className="error">{error}</div>;
  if (!lines) return <div className="muted">loading logs…</div>;
  if (lines.length === 0)
    return (
      <div className="muted" data-testid="node-logs-empty">
        no log lines{running ? " yet" : ""}
      </div>
    );
  return (
    <pre className="logs" ref={box} data-testid="node-logs">
      {lines.map((l, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: log lines are identified by their position
        <div key={i} className={`log-${l.stream}`}>
          <span className="log-meta">
            #{l.attempt} {l.at ? new Date(timestampMs(l.at)).toISOString().slice(11, 23) : ""} {l.stream}
          </span>{" "}
          {l.text}
        </div>
      ))}
    </pre>
  );
}
