// `workflow()`, `map()`, `when()` and sensors: the graph-building vocabulary of a workflow body.
// The compiler extracts the graph from bodies statically; at run time these only record nodes.
import { GraphRecorder, currentGraph, withGraph } from "./graph.ts";
import { assertOutputNames, isRef, makeRef } from "./ref.ts";
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

export type WorkflowInputRefs<I extends TypeMap> = { readonly [K in keyof I]: Ref<I[K]> };
export type WorkflowResult<O extends TypeMap> = { [K in keyof O]: Bindable<O[K]> };
export type WorkflowBody<I extends TypeMap, O extends TypeMap> = (inputs: WorkflowInputRefs<I>) => WorkflowResult<O> | void;

/** A workflow; callable inside another workflow's body as a subworkflow. */
export interface Workflow<I extends TypeMap, O extends TypeMap> {
  <A extends LooseInputs<I>>(inputs: CheckedInputs<I, A>): NodeOutputs<O>;
  readonly kind: "workflow";
  readonly config: WorkflowConfig<I, O>;
  readonly body: WorkflowBody<I, O>;
}

export function workflow<I extends TypeMap = {}, O extends TypeMap = {}>(
  config: WorkflowConfig<I, O>,
  body: (inputs: WorkflowInputRefs<NoInfer<I>>) => WorkflowResult<NoInfer<O>> | void,
): Workflow<I, O> {
  assertOutputNames(`workflow "${config.name}"`, config.outputs);
  const call = (inputs: object): NodeOutputs<O> => {
    const graph = currentGraph();
    const id = graph.add("workflow", config.name, { ...inputs });
    return graph.outputs<O>(id, Object.keys(config.outputs ?? {}));
  };
  return Object.assign(call, { kind: "workflow" as const, config, body: body as unknown as WorkflowBody<I, O> });
}

export interface WorkflowTrace {
  readonly nodes: GraphRecorder["nodes"];
  readonly outputs: Readonly<Record<string, unknown>>;
}

/** Runs a body against input refs and records the nodes it creates (for tests and tooling). */
export function traceWorkflow(wf: Workflow<any, any>): WorkflowTrace {
  const graph = new GraphRecorder();
  const inputs: Record<string, Ref<any>> = {};
  for (const name of Object.keys(wf.config.inputs ?? {})) inputs[name] = makeRef<any>("inputs", name);
  const outputs = withGraph(graph, () => wf.body(inputs)) ?? {};
  return { nodes: graph.nodes, outputs };
}

// A map's items are task attempts (spec.proto's MapNode names a task), so a workflow is refused here,
// in the editor, as `weir compile` refuses it (WEIR9002).
type Mappable<I extends TypeMap, O extends TypeMap> = Task<I, O> | CommandTask<I, O>;
export type ListOutputs<O extends TypeMap> = { [K in keyof O]: ListType<O[K]> };

/**
 * Fans `target` out over `items`: the one input not bound in `fixed` receives each item.
 * Each output becomes a list, in item order.
 */
export function map<I extends TypeMap, O extends TypeMap, F extends Partial<BindInputs<I>> = {}>(
  target: Mappable<I, O>,
  items: Ref<ListType<I[Exclude<keyof I, keyof F>]>>,
  fixed?: F,
): NodeOutputs<ListOutputs<O>> {
  const graph = currentGraph();
  const free = Object.keys(target.config.inputs ?? {}).filter((k) => !(k in (fixed ?? {})));
  const id = graph.add("map", target.config.name, { ...fixed, ...(free[0] ? { [free[0]]: items } : {}) }, { over: free[0] });
  return graph.outputs<ListOutputs<O>>(id, Object.keys(target.config.outputs ?? {}));
}

type RefType<R> = R extends Ref<infer X extends WeirType> ? X : never;
/** The descriptors of what a branch returns (refs or node outputs), `after` aside. */
export type BranchTypes<A> = A extends object ? { [K in Exclude<keyof A, "after"> as A[K] extends Ref<any> ? K : never]: RefType<A[K]> } : {};
type MergeBranches<A extends TypeMap, B extends TypeMap> = { [K in keyof A & keyof B]: Extract<A[K] | B[K], WeirType> };

export interface WhenThen<A extends TypeMap> {
  elif<B>(cond: Condition, branch: () => B): WhenThen<MergeBranches<A, BranchTypes<B>>>;
  /** Without `otherwise` the compiler reports the conditional as incomplete. */
  otherwise<B>(branch: () => B): NodeOutputs<MergeBranches<A, BranchTypes<B>>>;
}
export interface When {
  then<A>(branch: () => A): WhenThen<BranchTypes<A>>;
}

/** A conditional: only the taken branch runs; the others are skipped. */
export function when(cond: Condition): When {
  const graph = currentGraph();
  const branches: Array<{ cond?: Condition; outputs: Record<string, unknown> }> = [];
  const run = (b: () => unknown) => (b() ?? {}) as Record<string, unknown>;
  const finish = (): NodeOutputs<any> => {
    const keys = branches.map((b) => Object.keys(b.outputs).filter((k) => isRef(b.outputs[k]))).reduce((acc, k) => acc.filter((x) => k.includes(x)));
    const id = graph.add("when", "when", {}, { branches });
    return graph.outputs<any>(id, keys);
  };
  const then: WhenThen<any> = {
    elif: (c, b) => {
      branches.push({ cond: c, outputs: run(b) });
      return then;
    },
    otherwise: (b) => {
      branches.push({ outputs: run(b) });
      return finish() as never;
    },
  };
  return {
    // biome-ignore lint/suspicious/noThenProperty: `when(c).then(...)` is the authoring API; a When is never awaited.
    then: (b) => {
      branches.push({ cond, outputs: run(b) });
      return then;
    },
  };
}

export interface SensorOptions {
  /** How often the runtime re-checks, e.g. "5m". */
  pokeInterval?: string;
  timeout?: string;
}

/** Waits (without holding a worker slot) until a file exists at the path template. */
function fileSensor(pathTemplate: string, options?: SensorOptions): NodeOutputs<{ file: FileType<string> }> {
  const graph = currentGraph();
  const id = graph.add("sensor", pathTemplate, {}, { sensor: "file", path: pathTemplate, ...options });
  return graph.outputs<{ file: FileType<string> }>(id, ["file"]);
}

export const sensor = { file: fileSensor } as const;

export type { WeirType };
