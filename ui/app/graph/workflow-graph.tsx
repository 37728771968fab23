// The workflow drawn as a graph (React Flow over ELK's layout): the spec alone on a workflow's page,
// coloured by each node's state on an execution's page. The layout is computed once per shape
// (which nodes, which boxes expanded), so live state changes only repaint the nodes.
import "@xyflow/react/dist/style.css";
import { Background, Controls, MarkerType, ReactFlow, useReactFlow } from "@xyflow/react";
import { type MouseEvent, type ReactNode, type RefObject, useEffect, useMemo, useRef, useState } from "react";
import type { CompiledWorkflow } from "../../../proto/messages.ts";
import { EdgeTooltip } from "./edge-tooltip.tsx";
import { type BoxFlowNode, BoxNodeView, type NodeOverlay, type TaskFlowNode, TaskNodeView } from "./graph-node.tsx";
import { layoutGraph, NODE_SIZE, type Placed } from "./graph-layout.ts";
import { type GraphEdge, specGraph } from "./spec-graph.ts";
import { type TypedFlowEdge, TypedEdgeView } from "./typed-edge.tsx";

const nodeTypes = { task: TaskNodeView, box: BoxNodeView };
const edgeTypes = { typed: TypedEdgeView };

export interface WorkflowGraphProps {
  spec: CompiledWorkflow;
  /** Expanded subworkflows and branches. */
  expanded: ReadonlySet<string>;
  onToggle: (id: string) => void;
  overlay?: (id: string) => NodeOverlay | undefined;
  /** Changes whenever overlay would answer differently (a counter of applied events). */
  overlayVersion?: number;
  selected?: string;
  onSelect?: (id: string) => void;
  /** The map whose items are listed beside the graph. */
  openMap?: string;
  onToggleMap?: (id: string) => void;
}

export function WorkflowGraph(props: WorkflowGraphProps): ReactNode {
  const graph = useMemo(() => specGraph(props.spec, props.expanded), [props.spec, props.expanded]);
  const shape = useMemo(() => graph.nodes.map((n) => `${n.id}:${n.parent ?? ""}:${n.expanded}`).join("|"), [graph]);
  const [layout, setLayout] = useState<{ shape: string; placed: Map<string, Placed> }>();
  const [layoutError, setLayoutError] = useState<string>();
  const [hover, setHover] = useState<{ edge: GraphEdge; x: number; y: number; flip: boolean }>();
  const frame = useRef<HTMLDivElement>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: laid out again only when the shape changes
  useEffect(() => {
    let live = true;
    layoutGraph(graph).then(
      (placed) => {
        performance.mark("weir:graph-laid-out");
        if (live) setLayout({ shape, placed });
      },
      (err: unknown) => live && setLayoutError(String(err)),
    );
    return () => {
      live = false;
    };
  }, [shape]);

  const onHover = useMemo(
    () => (edge: GraphEdge | undefined, event?: MouseEvent) => {
      if (!edge || !event || !frame.current) return setHover(undefined);
      const box = frame.current.getBoundingClientRect();
      const x = event.clientX - box.left;
      // Near the right edge the tooltip opens to the left of the pointer, inside the frame.
      setHover({ edge, x, y: event.clientY - box.top, flip: x > box.width / 2 });
    },
    [],
  );

  const { overlay, overlayVersion, selected, onToggle, openMap, onToggleMap } = props;
  // biome-ignore lint/correctness/useExhaustiveDependencies: overlayVersion stands for the overlay's answers
  const nodes = useMemo(() => {
    if (!layout) return [];
    return graph.nodes.map((g): TaskFlowNode | BoxFlowNode => {
      const at = layout.placed.get(g.id) ?? { x: 0, y: 0, ...NODE_SIZE };
      const o = overlay?.(g.id);
      const isMap = g.kind === "map";
      return {
        id: g.id,
        type: g.expanded ? "box" : "task",
        position: { x: at.x, y: at.y },
        parentId: g.parent,
        extent: g.parent ? "parent" : undefined,
        width: at.width,
        height: at.height,
        draggable: false,
        connectable: false,
        style: g.expanded ? { width: at.width, height: at.height } : undefined,
        data: {
          g,
          overlay: o,
          selected: selected === g.id,
          onToggle: isMap ? (o?.counts ? onToggleMap : undefined) : g.composite ? onToggle : undefined,
          open: isMap && openMap === g.id,
        },
      };
    });
  }, [layout, graph, overlayVersion, selected, onToggle, openMap, onToggleMap]);

  const edges = useMemo(
    (): TypedFlowEdge[] =>
      layout
        ? graph.edges.map((e) => ({
            id: e.id,
            source: e.source,
            target: e.target,
            type: "typed",
            markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16 },
            data: { e, onHover },
          }))
        : [],
    [layout, graph, onHover],
  );

  if (layoutError) return <div className="error">could not lay the graph out: {layoutError}</div>;
  return (
    <div className="graph" ref={frame} data-testid="workflow-graph" data-ready={layout?.shape === shape ? "true" : "false"}>
      {layout && (
        <ReactFlow
          key={layout.shape}
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          edgeTypes={edgeTypes}
          fitView
          fitViewOptions={{ padding: 0.15, maxZoom: 1.1 }}
          minZoom={0.1}
          nodesDraggable={false}
          nodesConnectable={false}
          onNodeClick={(_, n) => props.onSelect?.(n.id)}
          onEdgeMouseEnter={(ev, e) => onHover(e.data?.e, ev)}
          onEdgeMouseMove={(ev, e) => onHover(e.data?.e, ev)}
          onEdgeMouseLeave={() => onHover(undefined)}
        >
          <FitOnResize frame={frame} />
          <Background gap={16} size={1} />
          <Controls showInteractive={false} />
        </ReactFlow>
      )}
      {hover && <EdgeTooltip edge={hover.edge} x={hover.x} y={hover.y} flip={hover.flip} />}
    </div>
  );
}

/** Fits the graph again when its frame changes size (a side panel opened or closed beside it). */
function FitOnResize(props: { frame: RefObject<HTMLDivElement | null> }): null {
  const flow = useReactFlow();
  useEffect(() => {
    const el = props.frame.current;
    if (!el) return;
    let width = el.clientWidth;
    const observer = new ResizeObserver(() => {
      if (el.clientWidth === width) return;
      width = el.clientWidth;
      void flow.fitView({ padding: 0.15, maxZoom: 1.1 });
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [flow, props.frame]);
  return null;
}
