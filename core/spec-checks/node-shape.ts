// The interface a node presents to the graph: which inputs it takes and which outputs it gives,
// derived from its target (task, subworkflow, branch, map over a task, sensor).
import { create } from "@bufbuild/protobuf";
import { LiteralTypeSchema, SimpleType } from "../../proto/messages.ts";
import type { LiteralType, Node, Variable } from "../../proto/messages.ts";
import { sensorFileType } from "../sensor-file.ts";
import type { CheckContext } from "./context.ts";

export interface InputSlot {
  name: string;
  type: LiteralType | undefined;
  /** The type the binding must have (for a map's mapped input: a list of `type`). */
  mapped: boolean;
}

export interface NodeShape {
  /** "task 'train'", "subworkflow 'etl'", "branch", "map over task 'score'", "file sensor". */
  label: string;
  /** Undefined when the target is unknown: input checks are skipped, the target error says why. */
  inputs: InputSlot[] | undefined;
  outputs: Map<string, LiteralType | undefined> | undefined;
  /** The task that does the work, for "(task 'x')" in messages. */
  taskName?: string;
}

const stringType = create(LiteralTypeSchema, { type: { case: "simple", value: SimpleType.STRING } });

export function listOf(item: LiteralType | undefined): LiteralType {
  return create(LiteralTypeSchema, { type: { case: "collection", value: { item } } });
}

function slots(vars: Variable[]): InputSlot[] {
  return vars.map((v) => ({ name: v.name, type: v.type, mapped: false }));
}

function outputsOf(vars: Variable[], wrap?: (t: LiteralType | undefined) => LiteralType): Map<string, LiteralType | undefined> {
  return new Map(vars.map((v) => [v.name, wrap ? wrap(v.type) : v.type]));
}

export function nodeShape(ctx: CheckContext, node: Node): NodeShape {
  const target = node.target;
  switch (target.case) {
    case "task": {
      const task = ctx.tasks.get(target.value);
      const iface = task?.interface;
      return {
        label: `task '${target.value}'`,
        taskName: target.value,
        inputs: task ? slots(iface?.inputs ?? []) : undefined,
        outputs: task ? outputsOf(iface?.outputs ?? []) : undefined,
      };
    }
    case "subworkflow": {
      const wf = ctx.workflows.get(target.value);
      return {
        label: `subworkflow '${target.value}'`,
        inputs: wf ? slots(wf.interface?.inputs ?? []) : undefined,
        outputs: wf ? outputsOf(wf.interface?.outputs ?? []) : undefined,
      };
    }
    case "map": {
      const task = ctx.tasks.get(target.value.task);
      const iface = task?.interface;
      return {
        label: `map over task '${target.value.task}'`,
        taskName: target.value.task,
        inputs: task ? (iface?.inputs ?? []).map((v) => ({ name: v.name, type: v.type, mapped: v.name === target.value.mappedInput })) : undefined,
        // Each output of the task becomes a list, one item per element.
        outputs: task ? outputsOf(iface?.outputs ?? [], listOf) : undefined,
      };
    }
    case "branch":
      // A branch reads its operands in its conditions, not through bindings.
      return { label: "branch", inputs: [], outputs: outputsOf(target.value.interface?.outputs ?? []) };
    case "sensor":
      return {
        label: "file sensor",
        inputs: [{ name: "path", type: stringType, mapped: false }],
        outputs: new Map([["file", sensorFileType(node)]]),
      };
    default:
      return { label: "node without target", inputs: undefined, outputs: undefined };
  }
}

/** Whether an input may stay unbound: only optional-typed inputs may. */
export function isOptionalInput(slot: InputSlot): boolean {
  return slot.type?.type.case === "optional";
}
