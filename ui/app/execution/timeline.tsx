// The execution's timeline (a Gantt of attempts): one row per node, each attempt drawn as its time
// queued (grey) and its time running (its state's colour), so a retry shows as a second bar after a
// red or orange one; sensors and composites as their span. Rows are virtualised.
import { useVirtualizer } from "@tanstack/react-virtual";
import { type ReactNode, useMemo, useRef } from "react";
import type { NodeExecution } from "../../../proto/messages.ts";
import { formatDuration } from "../../../core/duration.ts";
import { attemptState, nodeState, stateLabel } from "../states/display-state.ts";
import { instantText, ms } from "../time/time-text.ts";

const ROW_PX = 24;
const LABEL_PX = 180;

interface Bar {
  key: string;
  from: number;
  to: number;
  className: string;
  title: string;
}

interface Row {
  nodeId: string;
  bars: Bar[];
}

export function Timeline(props: {
  nodes: readonly NodeExecution[];
  start: number;
  now: number;
  end: number | undefined;
  selected?: string;
  onSelect: (id: string) => void;
}): ReactNode {
  const { nodes, now } = props;
  const rows = useMemo(() => timelineRows(nodes, now), [nodes, now]);
  const t0 = Math.min(props.start, ...rows.flatMap((r) => r.bars.map((b) => b.from)));
  const t1 = Math.max(props.end ?? now, t0 + 1_000);
  const span = t1 - t0;
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_PX, overscan: 12 });
  const pct = (t: number) => `${((t - t0) / span) * 100}%`;
  return (
    <div className="timeline" data-testid="timeline">
      <div className="timeline-axis" style={{ marginLeft: LABEL_PX }}>
        {[0, 0.25, 0.5, 0.75, 1].map((f) => (
          <span key={f} style={{ left: `${f * 100}%` }}>
            +{formatDuration(span * f)}
          </span>
        ))}
      </div>
      <div className="timeline-rows" ref={scroller} style={{ maxHeight: Math.min(rows.length, 14) * ROW_PX + 4 }}>
        <div style={{ height: virtual.getTotalSize(), position: "relative" }}>
          {virtual.getVirtualItems().map((v) => {
            const row = rows[v.index]!;
            return (
              <button
                type="button"
                key={row.nodeId}
                className={`timeline-row${props.selected === row.nodeId ? " selected" : ""}`}
                style={{ transform: `translateY(${v.start}px)`, height: ROW_PX }}
                onClick={() => props.onSelect(row.nodeId)}
                data-testid={`timeline-row-${row.nodeId}`}
              >
                <span className="timeline-label" style={{ width: LABEL_PX }}>
                  {row.nodeId}
                </span>
                <span className="timeline-track">
                  {row.bars.map((b) => (
                    <span
                      key={b.key}
                      className={`bar ${b.className}`}
                      title={b.title}
                      style={{ left: pct(b.from), width: `max(2px, ${((b.to - b.from) / span) * 100}%)` }}
                    />
                  ))}
                </span>
              </button>
            );
          })}
        </div>
      </div>
    </div>
  );
}

/** Rows in the order nodes began; nodes that have not begun last. */
export function timelineRows(nodes: readonly NodeExecution[], now: number): Row[] {
  const rows: Array<Row & { first: number }> = nodes.map((n) => {
    const bars: Bar[] = [];
    for (const a of n.attempts) {
      const queued = ms(a.queuedAt);
      const started = ms(a.startedAt);
      const finished = ms(a.finishedAt);
      const s = attemptState(a);
      if (queued !== undefined) {
        const until = started ?? finished ?? now;
        bars.push({
          key: `${a.number}q`,
          from: queued,
          to: until,
          className: "seg-queued",
          title: `attempt ${a.number} queued ${formatDuration(until - queued)}`,
        });
      }
      if (started !== undefined) {
        const until = finished ?? now;
        bars.push({
          key: `${a.number}r`,
          from: started,
          to: until,
          className: `state-${s}`,
          title: `attempt ${a.number} ${stateLabel(s)} on ${a.workerId || "?"}: ${formatDuration(until - started)} from ${instantText(started)}${a.error ? ` (${a.error.code})` : ""}`,
        });
      }
    }
    if (bars.length === 0) {
      const started = ms(n.startedAt);
      if (started !== undefined) {
        const until = ms(n.finishedAt) ?? now;
        const s = nodeState(n);
        bars.push({ key: "span", from: started, to: until, className: `state-${s}`, title: `${stateLabel(s)} ${formatDuration(until - started)}` });
      }
    }
    return { nodeId: n.nodeId, bars, first: bars.length ? Math.min(...bars.map((b) => b.from)) : Number.POSITIVE_INFINITY };
  });
  return rows.sort((a, b) => a.first - b.first);
}
