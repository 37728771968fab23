// Generated from sdk/graph.ts by bench/types/generate-declarations.ts (npm run generate:types); do not edit.
import type { NodeOutputs } from "./ref.ts";
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
export declare class GraphRecorder {
  readonly nodes: RecordedNode[];
  private readonly used;
  add(kind: RecordedNodeKind, target: string, inputs: Record<string, unknown>, details?: Record<string, unknown>): string;
  outputs<O extends Record<string, WeirType>>(nodeId: string, names: readonly string[]): NodeOutputs<O>;
}
/** The graph of the body being traced, or a detached one when called outside any body. */
export declare function currentGraph(): GraphRecorder;
export declare function withGraph<R>(graph: GraphRecorder, fn: () => R): R;
