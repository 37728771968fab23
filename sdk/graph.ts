// Run-time record of the nodes a workflow body creates. The compiler never runs bodies (it reads
// them statically); this exists so that calling a task or tracing a workflow is never broken.
import { isRef, makeRef } from "./ref.ts";
import type { AfterTarget, NodeOutputs } from "./ref.ts";
import type { WeirType } from "./types.ts";

export type RecordedNodeKind = "task" | "commandTask" | "workflow" | "map" | "sensor" | "when";

export interface RecordedNode {
  readonly id: string;
  readonly kind: RecordedNodeKind;
  /** The task or workflow name, or the sensor's path template. */
  readonly target: string;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly after: string[];
  readonly details?: Readonly<Record<string, unknown>>;
}

export class GraphRecorder {
  readonly nodes: RecordedNode[] = [];
  private readonly used = new Map<string, number>();

  add(kind: RecordedNodeKind, target: string, inputs: Record<string, unknown>, details?: Record<string, unknown>): string {
    const base = target.replace(/[^A-Za-z0-9_-]+/g, "_") || kind;
    const count = (this.used.get(base) ?? 0) + 1;
    this.used.set(base, count);
    const id = count === 1 ? base : `${base}_${count}`;
    this.nodes.push({ id, kind, target, inputs, after: [], ...(details ? { details } : {}) });
    return id;
  }

  outputs<O extends Record<string, WeirType>>(nodeId: string, names: readonly string[]): NodeOutputs<O> {
    const refs: Record<string, unknown> = {};
    for (const name of names) refs[name] = makeRef(nodeId, name);
    const node = this.nodes.find((n) => n.id === nodeId);
    const outputs = {
      ...refs,
      after: (...upstream: AfterTarget[]) => {
        for (const up of upstream) node?.after.push(...upstreamIds(up));
        return outputs;
      },
    } as unknown as NodeOutputs<O>;
    return outputs;
  }
}

function upstreamIds(up: AfterTarget): string[] {
  if (isRef(up)) return [up.target.node];
  const ids = Object.values(up as object)
    .filter(isRef)
    .map((r) => r.target.node);
  return [...new Set(ids)];
}

let active: GraphRecorder | undefined;
const detached = new GraphRecorder();

/** The graph of the body being traced, or a detached one when called outside any body. */
export function currentGraph(): GraphRecorder {
  return active ?? detached;
}

export function withGraph<R>(graph: GraphRecorder, fn: () => R): R {
  const previous = active;
  active = graph;
  try {
    return fn();
  } finally {
    active = previous;
  }
}
