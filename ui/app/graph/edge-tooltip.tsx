// What an edge carries, shown on hover: each value's producer output and consumer input, and its
// type; a dataframe as its columns with their Arrow types and nullability, columns the consumer
// does not read dimmed (extra producer columns are fine: a projection).
import type { ReactNode } from "react";
import { typeName } from "../../../core/type-names.ts";
import { TypeView } from "../values/type-view.tsx";
import type { GraphEdge } from "./spec-graph.ts";

export function EdgeTooltip(props: { edge: GraphEdge; x: number; y: number; flip: boolean }): ReactNode {
  const { edge } = props;
  return (
    <div
      className="edge-tooltip"
      data-testid="edge-tooltip"
      style={{ left: props.flip ? props.x - 14 : props.x + 14, top: props.y + 14, transform: props.flip ? "translateX(-100%)" : undefined }}
    >
      <div className="edge-tooltip-head">
        {edge.source} → {edge.target}
      </div>
      {edge.flows.length === 0 && <div className="muted">ordering only (.after): no value flows</div>}
      {edge.flows.map((f) => {
        const type = f.type ?? f.consumerType;
        const consumer = f.consumerType?.type.case === "dataframe" ? f.consumerType.type.value : undefined;
        const read = consumer && !consumer.any ? new Set(consumer.columns.map((c) => c.name)) : undefined;
        const differs = f.type && f.consumerType && typeName(f.type) !== typeName(f.consumerType);
        return (
          <div key={`${f.output}>${f.input}`} className="flow" data-testid={`flow-${f.input}`}>
            <div>
              <code>{f.output}</code> → <code>{f.input}</code>
            </div>
            <TypeView type={type} read={read} />
            {differs && f.consumerType?.type.case !== "dataframe" && (
              <div className="muted small">
                read as <code>{typeName(f.consumerType)}</code>
              </div>
            )}
          </div>
        );
      })}
    </div>
  );
}
