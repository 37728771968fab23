// Small compiled specs built by hand for the UI's model tests: every node kind, scoped ids, and
// edges carrying dataframes, struct fields, lists and ordering-only dependencies.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import {
  ArrowTypeId,
  type Binding,
  BindingSchema,
  type CompiledWorkflow,
  CompiledWorkflowSchema,
  Comparison_Operator,
  type LiteralType,
  LiteralTypeSchema,
  type Node,
  NodeSchema,
  SimpleType,
  type TaskTemplate,
  TaskTemplateSchema,
  TypedInterfaceSchema,
  NodeModuleRuntimeSchema,
  type Variable,
  VariableSchema,
} from "../../proto/index.ts";

export const INT = create(LiteralTypeSchema, { type: { case: "simple", value: SimpleType.INTEGER } });
export const BOOL = create(LiteralTypeSchema, { type: { case: "simple", value: SimpleType.BOOLEAN } });
export const DATE = create(LiteralTypeSchema, { type: { case: "simple", value: SimpleType.DATE } });
export const STATS = create(LiteralTypeSchema, { type: { case: "struct", value: { fields: [{ name: "rows", type: INT }] } } });
export const LIST_INT = create(LiteralTypeSchema, { type: { case: "collection", value: { item: INT } } });

export function frame(columns: Array<[string, ArrowTypeId, boolean, number?]>): LiteralType {
  return create(LiteralTypeSchema, {
    type: {
      case: "dataframe",
      value: {
        columns: columns.map(([name, id, nullable, bitWidth]) => ({ name, nullable, type: { id, bitWidth: bitWidth ?? 0, signed: id === ArrowTypeId.INT } })),
      },
    },
  });
}

export const USERS = frame([
  ["id", ArrowTypeId.INT, false, 64],
  ["name", ArrowTypeId.UTF8, true],
  ["extra", ArrowTypeId.FLOAT, false, 64],
]);
export const IDS = frame([["id", ArrowTypeId.INT, false, 64]]);

const v = (name: string, type: LiteralType): Variable => create(VariableSchema, { name, type });

export function taskTemplate(
  name: string,
  inputs: Record<string, LiteralType>,
  outputs: Record<string, LiteralType>,
  extra: MessageInitShape<typeof TaskTemplateSchema> = {},
): TaskTemplate {
  const t = create(TaskTemplateSchema, extra);
  t.name = name;
  t.version = `${name}-v1`;
  t.interface = create(TypedInterfaceSchema, {
    inputs: Object.entries(inputs).map(([k, x]) => v(k, x)),
    outputs: Object.entries(outputs).map(([k, x]) => v(k, x)),
  });
  t.runtime = { case: "node", value: create(NodeModuleRuntimeSchema, { module: "tasks.ts", exportName: name }) };
  return t;
}

export const ref = (input: string, nodeId: string, output: string, attrPath: string[] = []): Binding =>
  create(BindingSchema, { var: input, value: { value: { case: "ref", value: { nodeId, output, attrPath } } } });
export const wfInput = (input: string, name: string): Binding =>
  create(BindingSchema, { var: input, value: { value: { case: "workflowInput", value: name } } });

export function taskNode(id: string, task: string, inputs: Binding[], upstream: string[]): Node {
  return create(NodeSchema, { id, target: { case: "task", value: task }, inputs, upstream });
}

/**
 * load → use (a projection of load's table, and a field of its stats struct) → sub (a subworkflow
 * whose body squares its input) and br (a branch on use.ok); nums → fan (a map of sq over a list);
 * later runs after use with no value passed.
 */
export function demoSpec(): CompiledWorkflow {
  const tasks = [
    taskTemplate(
      "load",
      { day: DATE },
      { table: USERS, stats: STATS },
      { resources: { pool: "gpu", gpu: 1, cpu: 2 }, retries: { attempts: 2 }, cache: { enabled: true } },
    ),
    taskTemplate("use", { t: IDS, n: INT }, { out: INT, ok: BOOL }),
    taskTemplate("nums", {}, { items: LIST_INT }),
    taskTemplate("sq", { x: INT }, { y: INT }),
  ];
  const inner = {
    name: "inner",
    version: "inner-v1",
    interface: { inputs: [v("v", INT)], outputs: [v("w", INT)] },
    nodes: [taskNode("a", "sq", [wfInput("x", "v")], []), taskNode("b", "sq", [ref("x", "a", "y")], ["a"])],
    outputs: [ref("w", "b", "y")],
  };
  const branch = create(NodeSchema, {
    id: "br",
    upstream: ["load", "use"],
    target: {
      case: "branch",
      value: {
        cases: [
          {
            condition: {
              expr: {
                case: "comparison",
                value: {
                  operator: Comparison_Operator.EQ,
                  left: { value: { case: "ref", value: { nodeId: "use", output: "ok" } } },
                  right: { value: { case: "literal", value: { value: { case: "scalar", value: { value: { case: "boolean", value: true } } } } } },
                },
              },
            },
            nodes: [taskNode("yes", "sq", [ref("x", "load", "stats", ["rows"])], ["load"])],
            outputs: [ref("r", "yes", "y")],
          },
        ],
        otherwise: { nodes: [taskNode("no", "sq", [ref("x", "use", "out")], ["use"])], outputs: [ref("r", "no", "y")] },
        interface: { outputs: [v("r", INT)] },
      },
    },
  });
  return create(CompiledWorkflowSchema, {
    workflow: {
      name: "demo",
      version: "demo-v1",
      interface: { inputs: [v("day", DATE)], outputs: [] },
      nodes: [
        taskNode("load", "load", [wfInput("day", "day")], []),
        taskNode("use", "use", [ref("t", "load", "table"), ref("n", "load", "stats", ["rows"])], ["load"]),
        create(NodeSchema, { id: "sub", target: { case: "subworkflow", value: "inner" }, inputs: [ref("v", "use", "out")], upstream: ["use"] }),
        branch,
        taskNode("nums", "nums", [], []),
        create(NodeSchema, {
          id: "fan",
          target: { case: "map", value: { task: "sq", mappedInput: "x" } },
          inputs: [ref("x", "nums", "items")],
          upstream: ["nums"],
        }),
        taskNode(
          "later",
          "sq",
          [
            create(BindingSchema, {
              var: "x",
              value: { value: { case: "literal", value: { value: { case: "scalar", value: { value: { case: "integer", value: 7n } } } } } },
            }),
          ],
          ["use"],
        ),
      ],
    },
    subworkflows: [inner],
    tasks,
  });
}
