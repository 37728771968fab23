// A map's items, one row each, virtualised (only the rows in view exist, so 10,000 items scroll as
// smoothly as 10), filterable by state; a row opens that item's attempts and logs.
import { useVirtualizer } from "@tanstack/react-virtual";
import { type ReactNode, useMemo, useRef, useState } from "react";
import type { NodeExecution } from "../../../proto/messages.ts";
import { type DisplayState, nodeState, stateLabel } from "../states/display-state.ts";
import { StateChip } from "../states/state-chip.tsx";
import { ms, spanText } from "../time/time-text.ts";
import type { MapItems } from "./map-items.ts";

const ROW_PX = 26;

export function MapItemsList(props: { mapId: string; items: MapItems; selected?: string; onSelect: (id: string) => void; onClose: () => void }): ReactNode {
  const [only, setOnly] = useState<DisplayState | "">("");
  const shown = useMemo(() => (only ? props.items.items.filter((n) => nodeState(n) === only) : props.items.items), [props.items, only]);
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: shown.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_PX, overscan: 20 });
  return (
    <section className="card map-items" data-testid={`map-items-${props.mapId}`}>
      <div className="panel-head">
        <h2>
          {props.mapId}: {props.items.items.length} items
        </h2>
        <select value={only} onChange={(e) => setOnly(e.target.value as DisplayState | "")} data-testid="map-items-filter">
          <option value="">all states</option>
          {props.items.counts.map(([s, n]) => (
            <option key={s} value={s}>
              {stateLabel(s)} ({n})
            </option>
          ))}
        </select>
        <button type="button" className="link" onClick={props.onClose}>
          hide
        </button>
      </div>
      <div className="items-scroll" ref={scroller} data-testid="map-items-scroll">
        <div style={{ height: virtual.getTotalSize(), position: "relative" }}>
          {virtual.getVirtualItems().map((v) => {
            const n = shown[v.index]!;
            return <ItemRow key={n.nodeId} n={n} top={v.start} selected={props.selected === n.nodeId} onSelect={props.onSelect} />;
          })}
        </div>
      </div>
    </section>
  );
}

function ItemRow(props: { n: NodeExecution; top: number; selected: boolean; onSelect: (id: string) => void }): ReactNode {
  const { n } = props;
  const last = n.attempts.at(-1);
  return (
    <button
      type="button"
      className={`item-row${props.selected ? " selected" : ""}`}
      style={{ transform: `translateY(${props.top}px)`, height: ROW_PX }}
      onClick={() => props.onSelect(n.nodeId)}
      data-testid={`item-row-${n.nodeId}`}
    >
      <span className="item-id">{n.nodeId}</span>
      <StateChip state={nodeState(n)} />
      <span className="muted small">{n.attempts.length > 1 ? `${n.attempts.length} attempts` : ""}</span>
      <span className="muted small">{last?.workerId ?? ""}</span>
      <span className="small" title="its last attempt's run">
        {last ? spanText(ms(last.startedAt), ms(last.finishedAt)) : ""}
      </span>
      <span className="small error-code">{n.error?.code ?? ""}</span>
    </button>
  );
}
