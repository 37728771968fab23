// A node's inputs as they were given to it, read back from what the execution recorded: a
// reference is the producer's output (a struct field picked out of it), a workflow input the
// execution's (or, inside a subworkflow, its caller's binding), a literal itself, a template its
// text. A map item's mapped input is its element of the map's list.
import { create } from "@bufbuild/protobuf";
import {
  BindingValueSchema,
  LiteralSchema,
  type BindingValue,
  type Execution,
  type Literal,
  type NodeExecution,
  type TaskTemplate,
} from "../../../proto/messages.ts";
import { type Level, type Resolved, resolveIn } from "../graph/spec-scopes.ts";
import { scalarText } from "../values/literal-text.ts";
import { itemOf } from "./map-items.ts";

export interface ShownInput {
  name: string;
  literal: Literal | undefined;
  /** Where it came from: "clean.features", "workflow input day", "literal". */
  from: string;
}

interface Context {
  execution: Execution;
  nodes: ReadonlyMap<string, NodeExecution>;
  placed: ReadonlyMap<string, Resolved>;
}

export function nodeInputs(ctx: Context, nodeId: string, tasks: ReadonlyMap<string, TaskTemplate>): ShownInput[] {
  const item = itemOf(nodeId);
  const at = ctx.placed.get(item && !ctx.placed.has(nodeId) ? item.map : nodeId);
  if (!at) return [];
  const t = at.node.target;
  const mapped = item && t.case === "map" ? t.value.mappedInput : undefined;
  const shown = at.node.inputs.map((b): ShownInput => {
    const { literal, from } = bindingValue(ctx, b.value, at.level, 0);
    if (b.var !== mapped || !item) return { name: b.var, literal, from };
    const list = literal?.value.case === "collection" ? literal.value.value.items : undefined;
    return { name: b.var, literal: list?.[item.index], from: `${from}[${item.index}]` };
  });
  // Inputs the task declares but no binding gives (optional ones left out).
  const task = t.case === "task" ? tasks.get(t.value) : t.case === "map" ? tasks.get(t.value.task) : undefined;
  for (const v of task?.interface?.inputs ?? []) {
    if (!shown.some((s) => s.name === v.name)) shown.push({ name: v.name, literal: undefined, from: "not given" });
  }
  return shown;
}

function bindingValue(ctx: Context, value: BindingValue | undefined, level: Level, depth: number): { literal: Literal | undefined; from: string } {
  const v = value?.value;
  if (!v || depth > 64) return { literal: undefined, from: "unknown" };
  switch (v.case) {
    case "literal":
      return { literal: v.value, from: "literal" };
    case "ref": {
      const producer = resolveIn(level, v.value.nodeId);
      const from = [v.value.nodeId, v.value.output, ...v.value.attrPath].join(".");
      const out = producer && ctx.nodes.get(producer.id)?.outputs?.literals[v.value.output];
      return { literal: out && v.value.attrPath.length > 0 ? field(out, v.value.attrPath) : out, from };
    }
    case "workflowInput": {
      const caller = level.caller;
      if (!caller) return { literal: ctx.execution.inputs?.literals[v.value], from: `workflow input ${v.value}` };
      const b = caller.node.inputs.find((x) => x.var === v.value);
      const up = bindingValue(ctx, b?.value, caller.level, depth + 1);
      return { literal: up.literal, from: `${caller.level.prefix}${caller.node.id} input ${v.value} ← ${up.from}` };
    }
    case "template": {
      let text = "";
      for (const part of v.value.parts) {
        const p = part.part;
        if (p.case === "text") text += p.value;
        else {
          const part = create(BindingValueSchema, {
            value: p.case === "ref" ? { case: "ref", value: p.value } : { case: "workflowInput", value: p.value ?? "" },
          });
          const got = bindingValue(ctx, part, level, depth + 1);
          const s = got.literal?.value.case === "scalar" ? scalarText(got.literal.value.value) : undefined;
          if (s === undefined) return { literal: undefined, from: "template (a part is not available yet)" };
          text += s;
        }
      }
      return { literal: create(LiteralSchema, { value: { case: "scalar", value: { value: { case: "string", value: text } } } }), from: "template" };
    }
    default:
      return { literal: undefined, from: "unknown" };
  }
}

/** A struct's field (structs travel as JSON), as a JSON literal. */
function field(struct: Literal, path: readonly string[]): Literal | undefined {
  const s = struct.value.case === "scalar" && struct.value.value.value.case === "json" ? struct.value.value.value.value : undefined;
  if (s === undefined) return undefined;
  try {
    let v: unknown = JSON.parse(s);
    for (const p of path) v = (v as Record<string, unknown>)?.[p];
    if (v === undefined) return undefined;
    return create(LiteralSchema, { value: { case: "scalar", value: { value: { case: "json", value: JSON.stringify(v) } } } });
  } catch {
    return undefined;
  }
}
