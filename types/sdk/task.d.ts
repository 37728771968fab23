// Generated from sdk/task.ts by bench/types/generate-declarations.ts (npm run generate:types); do not edit.
// biome-ignore-all lint/complexity/noUselessEmptyExport: it keeps unexported declarations private
import type { CheckedInputs, LooseInputs } from "./edge-errors.ts";
import type { NodeOutputs } from "./ref.ts";
import type { JsValue, WeirType } from "./types.ts";
export type TypeMap = Record<string, WeirType>;
export interface RetryPolicy {
  attempts: number;
  /** Initial backoff, e.g. "2s"; grows exponentially with jitter. */
  backoff?: string;
  maxDelay?: string;
}
export interface Resources {
  pool?: string;
  cpu?: number;
  /** e.g. "4Gi" */
  memory?: string;
  gpu?: number;
  gpuType?: string;
}
export interface TaskConfig<I extends TypeMap, O extends TypeMap> {
  name: string;
  inputs: I;
  outputs: O;
  retries?: number | RetryPolicy;
  /** e.g. "30m" */
  timeout?: string;
  cache?:
    | boolean
    | {
        version?: string;
      };
  resources?: Resources;
  interruptible?: boolean;
}
export interface CommandTaskConfig<I extends TypeMap, O extends TypeMap> extends TaskConfig<I, O> {
  /** Inputs and outputs travel as files; the worker writes them and a JSON manifest. */
  command: string[];
  env?: Record<string, string>;
  cwd?: string;
}
export interface TaskContext {
  log(msg: string): void;
  attempt: number;
  executionId: string;
  nodeId: string;
  workdir: string;
}
export type TaskInputValues<I extends TypeMap> = {
  [K in keyof I]: JsValue<I[K]>;
};
export type TaskOutputValues<O extends TypeMap> = {
  [K in keyof O]: JsValue<O[K]>;
};
export type TaskFn<I extends TypeMap, O extends TypeMap> = (inputs: TaskInputValues<I>, ctx: TaskContext) => Promise<TaskOutputValues<O>> | TaskOutputValues<O>;
/**
 * A TypeScript task. The compiler reads `I` and `O` as its type arguments (or from `config`). A call
 * binds `BindInputs<I>`; the argument is inferred first so that a mismatch reads as a sentence
 * naming the column and both sides (`CheckedInputs`, edge-errors.ts).
 */
export interface Task<I extends TypeMap, O extends TypeMap> {
  <A extends LooseInputs<I>>(inputs: CheckedInputs<I, A>): NodeOutputs<O>;
  readonly kind: "task";
  readonly config: TaskConfig<I, O>;
  readonly fn: TaskFn<I, O>;
}
/** A task run as an external command, e.g. a Python training script. */
export interface CommandTask<I extends TypeMap, O extends TypeMap> {
  <A extends LooseInputs<I>>(inputs: CheckedInputs<I, A>): NodeOutputs<O>;
  readonly kind: "commandTask";
  readonly config: CommandTaskConfig<I, O>;
}
declare function defineTask<I extends TypeMap, O extends TypeMap>(config: TaskConfig<I, O>, fn: TaskFn<NoInfer<I>, NoInfer<O>>): Task<I, O>;
declare function command<I extends TypeMap, O extends TypeMap>(config: CommandTaskConfig<I, O>): CommandTask<I, O>;
export declare const task: typeof defineTask & {
  command: typeof command;
};
export {};
