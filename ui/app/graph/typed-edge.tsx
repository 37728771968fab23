// An edge of the graph: a path plus a small label naming what flows along it. Hovering either shows
// the types (edge-tooltip.tsx); the label is the easy thing to point at.
import { BaseEdge, type Edge, EdgeLabelRenderer, type EdgeProps, getSmoothStepPath } from "@xyflow/react";
import type { MouseEvent, ReactNode } from "react";
import type { GraphEdge } from "./spec-graph.ts";

export type TypedEdgeData = {
  e: GraphEdge;
  onHover: (edge: GraphEdge | undefined, event?: MouseEvent) => void;
};

export type TypedFlowEdge = Edge<TypedEdgeData, "typed">;

export function TypedEdgeView(props: EdgeProps<TypedFlowEdge>): ReactNode {
  const [path, labelX, labelY] = getSmoothStepPath({
    sourceX: props.sourceX,
    sourceY: props.sourceY,
    sourcePosition: props.sourcePosition,
    targetX: props.targetX,
    targetY: props.targetY,
    targetPosition: props.targetPosition,
    borderRadius: 8,
  });
  const data = props.data!;
  const names = [...new Set(data.e.flows.map((f) => f.output))];
  return (
    <>
      <BaseEdge id={props.id} path={path} markerEnd={props.markerEnd} interactionWidth={18} />
      <EdgeLabelRenderer>
        <button
          type="button"
          className="edge-label nodrag nopan"
          data-testid={`edge-label-${data.e.source}-${data.e.target}`}
          style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
          onMouseEnter={(ev) => data.onHover(data.e, ev)}
          onMouseMove={(ev) => data.onHover(data.e, ev)}
          onMouseLeave={() => data.onHover(undefined)}
        >
          {names.length > 0 ? names.join(", ") : "after"}
        </button>
      </EdgeLabelRenderer>
    </>
  );
}
