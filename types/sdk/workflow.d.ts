// Generated from sdk/workflow.ts by bench/types/generate-declarations.ts (npm run generate:types); do not edit.
// biome-ignore-all lint/suspicious/noExplicitAny: generic constraints top out at any, as in sdk/
import { GraphRecorder } from "./graph.ts";
import type { BindInputs, Bindable, Condition, NodeOutputs, Ref } from "./ref.ts";
import type { CheckedInputs, LooseInputs } from "./edge-errors.ts";
import type { CommandTask, Task, TypeMap } from "./task.ts";
import type { FileType, ListType, WeirType } from "./types.ts";
export type { BindInputs, Bindable, Condition, NodeOutputs, Ref } from "./ref.ts";
export { and, not, or } from "./ref.ts";
export interface Schedule {
  cron?: string;
  timezone?: string;
  /** Fixed rate, e.g. "15m". */
  every?: string;
  start?: string;
  end?: string;
  catchup?: boolean;
  maxActiveRuns?: number;
  /** The date or datetime input that receives each tick's time (e.g. "day"). */
  kickoffInput?: string;
}
export interface WorkflowConfig<I extends TypeMap, O extends TypeMap> {
  name: string;
  inputs?: I;
  outputs?: O;
  schedule?: Schedule;
  maxParallelism?: number;
}
export type WorkflowInputRefs<I extends TypeMap> = {
  readonly [K in keyof I]: Ref<I[K]>;
};
export type WorkflowResult<O extends TypeMap> = {
  [K in keyof O]: Bindable<O[K]>;
};
export type WorkflowBody<I extends TypeMap, O extends TypeMap> = (inputs: WorkflowInputRefs<I>) => WorkflowResult<O> | void;
/** A workflow; callable inside another workflow's body as a subworkflow. */
export interface Workflow<I extends TypeMap, O extends TypeMap> {
  <A extends LooseInputs<I>>(inputs: CheckedInputs<I, A>): NodeOutputs<O>;
  readonly kind: "workflow";
  readonly config: WorkflowConfig<I, O>;
  readonly body: WorkflowBody<I, O>;
}
export declare function workflow<I extends TypeMap = {}, O extends TypeMap = {}>(
  config: WorkflowConfig<I, O>,
  body: (inputs: WorkflowInputRefs<NoInfer<I>>) => WorkflowResult<NoInfer<O>> | void,
): Workflow<I, O>;
export interface WorkflowTrace {
  readonly nodes: GraphRecorder["nodes"];
  readonly outputs: Readonly<Record<string, unknown>>;
}
/** Runs a body against input refs and records the nodes it creates (for tests and tooling). */
export declare function traceWorkflow(wf: Workflow<any, any>): WorkflowTrace;
type Mappable<I extends TypeMap, O extends TypeMap> = Task<I, O> | CommandTask<I, O>;
export type ListOutputs<O extends TypeMap> = {
  [K in keyof O]: ListType<O[K]>;
};
/**
 * Fans `target` out over `items`: the one input not bound in `fixed` receives each item.
 * Each output becomes a list, in item order.
 */
export declare function map<I extends TypeMap, O extends TypeMap, F extends Partial<BindInputs<I>> = {}>(
  target: Mappable<I, O>,
  items: Ref<ListType<I[Exclude<keyof I, keyof F>]>>,
  fixed?: F,
): NodeOutputs<ListOutputs<O>>;
type RefType<R> = R extends Ref<infer X extends WeirType> ? X : never;
/** The descriptors of what a branch returns (refs or node outputs), `after` aside. */
export type BranchTypes<A> = A extends object
  ? {
      [K in Exclude<keyof A, "after"> as A[K] extends Ref<any> ? K : never]: RefType<A[K]>;
    }
  : {};
type MergeBranches<A extends TypeMap, B extends TypeMap> = {
  [K in keyof A & keyof B]: Extract<A[K] | B[K], WeirType>;
};
export interface WhenThen<A extends TypeMap> {
  elif<B>(cond: Condition, branch: () => B): WhenThen<MergeBranches<A, BranchTypes<B>>>;
  /** Without `otherwise` the compiler reports the conditional as incomplete. */
  otherwise<B>(branch: () => B): NodeOutputs<MergeBranches<A, BranchTypes<B>>>;
}
export interface When {
  then<A>(branch: () => A): WhenThen<BranchTypes<A>>;
}
/** A conditional: only the taken branch runs; the others are skipped. */
export declare function when(cond: Condition): When;
export interface SensorOptions {
  /** How often the runtime re-checks, e.g. "5m". */
  pokeInterval?: string;
  timeout?: string;
}
/** Waits (without holding a worker slot) until a file exists at the path template. */
declare function fileSensor(
  pathTemplate: string,
  options?: SensorOptions,
): NodeOutputs<{
  file: FileType<string>;
}>;
export declare const sensor: {
  readonly file: typeof fileSensor;
};
export type { WeirType };
