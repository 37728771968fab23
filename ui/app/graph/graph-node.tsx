// A node of the graph: its id, what it runs, and what the scheduler needs from it (pool, CPUs,
// memory, GPUs, retries, cache, timeout); on an execution page also its state, attempts and, for a
// map, its items counted by state.
import { durationMs } from "@bufbuild/protobuf/wkt";
import { Handle, type Node, type NodeProps, Position } from "@xyflow/react";
import type { ReactNode } from "react";
import { formatDuration } from "../../../core/duration.ts";
import type { TaskTemplate } from "../../../proto/messages.ts";
import { type DisplayState, stateLabel } from "../states/display-state.ts";
import { bytesText } from "../values/literal-text.ts";
import { conditionText, type GraphNode } from "./spec-graph.ts";

export interface NodeOverlay {
  state?: DisplayState;
  attempts?: number;
  /** A map's items by state, most urgent first. */
  counts?: ReadonlyArray<readonly [DisplayState, number]>;
  items?: number;
}

export type GraphNodeData = {
  g: GraphNode;
  overlay?: NodeOverlay;
  selected: boolean;
  /** Expands or collapses a subworkflow, a branch, or a map's item list. */
  onToggle?: (id: string) => void;
  /** A map whose items are listed (the execution page). */
  open?: boolean;
};

export type TaskFlowNode = Node<GraphNodeData, "task">;
export type BoxFlowNode = Node<GraphNodeData, "box">;

export function resourcesText(task: TaskTemplate | undefined): string[] {
  if (!task) return [];
  const r = task.resources;
  const out = [`pool ${r?.pool || "cpu"}`];
  if (r?.cpu) out.push(`${r.cpu} cpu`);
  if (r?.memory) out.push(bytesText(r.memory));
  if (r?.gpu) out.push(`gpu ×${r.gpu}${r.gpuType ? ` ${r.gpuType}` : ""}`);
  return out;
}

export function policyText(task: TaskTemplate | undefined): string[] {
  if (!task) return [];
  const out: string[] = [];
  if (task.retries?.attempts) out.push(`retries ${task.retries.attempts}`);
  if (task.cache?.enabled) out.push(task.cache.version ? `cache ${task.cache.version}` : "cache");
  if (task.timeout) out.push(`timeout ${formatDuration(durationMs(task.timeout))}`);
  if (task.interruptible) out.push("interruptible");
  return out;
}

const KIND_BADGE: Readonly<Record<GraphNode["kind"], string>> = Object.freeze({
  task: "",
  map: "map",
  subworkflow: "subworkflow",
  branch: "branch",
  sensor: "sensor",
});

function targetText(g: GraphNode): string {
  const t = g.spec.target;
  switch (t.case) {
    case "map":
      return `each item → ${t.value.task}`;
    case "subworkflow":
      return `workflow ${t.value}`;
    case "branch":
      return `if ${conditionText(t.value.cases[0]?.condition)} …`;
    case "sensor":
      return "waits for a file";
    default:
      // A task node named after its task: say how it runs instead of repeating the name.
      return g.target !== g.localId ? g.target : runtimeText(g.task);
  }
}

function runtimeText(task: TaskTemplate | undefined): string {
  const r = task?.runtime;
  if (r?.case === "node") return `${r.value.module} · ${r.value.exportName}`;
  if (r?.case === "command") return [...r.value.command, ...r.value.args].join(" ");
  return "";
}

export function TaskNodeView(props: NodeProps<TaskFlowNode>): ReactNode {
  const { g, overlay, selected, onToggle, open } = props.data;
  const state = overlay?.state;
  const gpu = (g.task?.resources?.gpu ?? 0) > 0;
  return (
    <div
      className={`gnode ${state ? `state-${state}` : "state-none"}${selected ? " selected" : ""}${gpu ? " gpu" : ""}`}
      data-testid={`graph-node-${g.id}`}
      data-state={state}
      title={state ? `${g.id}: ${stateLabel(state)}` : g.id}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <div className="gnode-head">
        <span className="gnode-id">{g.localId}</span>
        {KIND_BADGE[g.kind] && <span className="badge">{KIND_BADGE[g.kind]}</span>}
        {overlay?.attempts !== undefined && overlay.attempts > 1 && <span className="badge retry">attempt {overlay.attempts}</span>}
        {g.composite && onToggle && (
          <button
            type="button"
            className="toggle nodrag"
            data-testid={`expand-${g.id}`}
            onClick={(e) => {
              e.stopPropagation();
              onToggle(g.id);
            }}
            title="expand"
          >
            ▸
          </button>
        )}
      </div>
      <div className="gnode-target">
        {targetText(g)}
        {g.arm && <span className="arm"> · {g.arm}</span>}
      </div>
      <div className="gnode-meta" title={[...resourcesText(g.task), ...policyText(g.task)].join(" · ")}>
        {[...resourcesText(g.task), ...policyText(g.task)].join(" · ")}
      </div>
      {overlay?.counts && (
        <div className="counts" data-testid={`map-counts-${g.id}`}>
          <span className="muted">{overlay.items ?? 0} items</span>
          {overlay.counts.map(([s, n]) => (
            <span key={s} className={`count state-${s}`} data-testid={`map-count-${s}`} title={stateLabel(s)}>
              {n} {stateLabel(s)}
            </span>
          ))}
          {onToggle && (
            <button
              type="button"
              className="link nodrag"
              data-testid={`expand-${g.id}`}
              onClick={(e) => {
                e.stopPropagation();
                onToggle(g.id);
              }}
            >
              {open ? "hide items" : "show items"}
            </button>
          )}
        </div>
      )}
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
}

/** An expanded subworkflow or branch: a box around its nodes, its state on its border. */
export function BoxNodeView(props: NodeProps<BoxFlowNode>): ReactNode {
  const { g, overlay, onToggle } = props.data;
  const state = overlay?.state;
  return (
    <div className={`gbox ${state ? `state-${state}` : "state-none"}`} data-testid={`graph-node-${g.id}`} data-state={state}>
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <div className="gbox-head">
        <span className="gnode-id">{g.localId}</span>
        <span className="badge">{g.kind === "subworkflow" ? `workflow ${g.target}` : "branch"}</span>
        {onToggle && (
          <button
            type="button"
            className="toggle nodrag"
            data-testid={`collapse-${g.id}`}
            onClick={(e) => {
              e.stopPropagation();
              onToggle(g.id);
            }}
            title="collapse"
          >
            ▾
          </button>
        )}
      </div>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
}
