// Concise builders for CompiledWorkflow protos in the compiler core tests.
import { create } from "@bufbuild/protobuf";
import type { MessageInitShape } from "@bufbuild/protobuf";
import {
  ArrowTypeId,
  BindingSchema,
  BlobKind,
  CompiledWorkflowSchema,
  DataFrameColumnSchema,
  LiteralSchema,
  LiteralTypeSchema,
  NodeSchema,
  SimpleType,
  TaskTemplateSchema,
  TimeUnit,
  WorkflowTemplateSchema,
} from "../../proto/index.ts";
import type {
  ArrowType,
  Binding,
  BindingValue,
  CompiledWorkflow,
  DataFrameColumn,
  Literal,
  LiteralType,
  Node,
  TaskTemplate,
  WorkflowTemplate,
} from "../../proto/index.ts";

const simple = (value: SimpleType): LiteralType => create(LiteralTypeSchema, { type: { case: "simple", value } });

export const T = {
  int: () => simple(SimpleType.INTEGER),
  float: () => simple(SimpleType.FLOAT),
  string: () => simple(SimpleType.STRING),
  bool: () => simple(SimpleType.BOOLEAN),
  date: () => simple(SimpleType.DATE),
  datetime: () => simple(SimpleType.DATETIME),
  duration: () => simple(SimpleType.DURATION),
  any: () => simple(SimpleType.ANY),
  enum: (...values: string[]) => create(LiteralTypeSchema, { type: { case: "enumType", value: { values } } }),
  file: (format = "") => create(LiteralTypeSchema, { type: { case: "blob", value: { kind: BlobKind.FILE, format } } }),
  dir: (format = "") => create(LiteralTypeSchema, { type: { case: "blob", value: { kind: BlobKind.DIRECTORY, format } } }),
  list: (item: LiteralType) => create(LiteralTypeSchema, { type: { case: "collection", value: { item } } }),
  map: (value: LiteralType) => create(LiteralTypeSchema, { type: { case: "map", value: { value } } }),
  optional: (inner: LiteralType) => create(LiteralTypeSchema, { type: { case: "optional", value: { inner } } }),
  union: (...variants: LiteralType[]) => create(LiteralTypeSchema, { type: { case: "union", value: { variants } } }),
  struct: (fields: Record<string, LiteralType>, optional: string[] = []) =>
    create(LiteralTypeSchema, {
      type: {
        case: "struct",
        value: { fields: Object.entries(fields).map(([name, type]) => ({ name, type, optional: optional.includes(name) })) },
      },
    }),
  df: (columns: DataFrameColumn[]) => create(LiteralTypeSchema, { type: { case: "dataframe", value: { columns, format: "arrow" } } }),
  dfAny: () => create(LiteralTypeSchema, { type: { case: "dataframe", value: { any: true, format: "arrow" } } }),
};

type ArrowInit = MessageInitShape<typeof DataFrameColumnSchema>["type"];

export const A = {
  int: (bitWidth: number, signed = true) => ({ id: ArrowTypeId.INT, bitWidth, signed }) as ArrowInit,
  uint: (bitWidth: number) => ({ id: ArrowTypeId.INT, bitWidth, signed: false }) as ArrowInit,
  float: (bitWidth: number) => ({ id: ArrowTypeId.FLOAT, bitWidth }) as ArrowInit,
  bool: () => ({ id: ArrowTypeId.BOOL }) as ArrowInit,
  utf8: () => ({ id: ArrowTypeId.UTF8 }) as ArrowInit,
  largeUtf8: () => ({ id: ArrowTypeId.LARGE_UTF8 }) as ArrowInit,
  binary: () => ({ id: ArrowTypeId.BINARY }) as ArrowInit,
  date: (unit = TimeUnit.DAY) => ({ id: ArrowTypeId.DATE, unit }) as ArrowInit,
  timestamp: (unit: TimeUnit, timezone = "") => ({ id: ArrowTypeId.TIMESTAMP, unit, timezone }) as ArrowInit,
  duration: (unit: TimeUnit) => ({ id: ArrowTypeId.DURATION, unit }) as ArrowInit,
  decimal: (precision: number, scale: number) => ({ id: ArrowTypeId.DECIMAL, precision, scale }) as ArrowInit,
  list: (item: ArrowInit, nullable = false) => ({ id: ArrowTypeId.LIST, children: [{ name: "item", type: item, nullable }] }) as ArrowInit,
  struct: (...children: DataFrameColumn[]) => ({ id: ArrowTypeId.STRUCT, children }) as ArrowInit,
  dictionary: (value: ArrowInit, index?: { bitWidth: number; signed: boolean }) =>
    ({ id: ArrowTypeId.DICTIONARY, ...index, children: [{ name: "value", type: value }] }) as ArrowInit,
};

export function col(name: string, type: ArrowInit, nullable = false): DataFrameColumn {
  return create(DataFrameColumnSchema, { name, type, nullable });
}

export function arrow(type: ArrowInit): ArrowType {
  return col("x", type).type as ArrowType;
}

export const loc = (line: number, column = 1, file = "src/flow.ts") => ({ file, line, column });

export const V = {
  ref: (nodeId: string, output: string, attrPath: string[] = []): BindingValue =>
    ({ value: { case: "ref", value: { nodeId, output, attrPath } } }) as BindingValue,
  input: (name: string): BindingValue => ({ value: { case: "workflowInput", value: name } }) as BindingValue,
  lit: (literal: Literal): BindingValue => ({ value: { case: "literal", value: literal } }) as BindingValue,
  template: (...parts: Array<string | BindingValue>): BindingValue =>
    ({
      value: {
        case: "template",
        value: {
          parts: parts.map((p) =>
            typeof p === "string"
              ? { part: { case: "text", value: p } }
              : p.value.case === "ref"
                ? { part: { case: "ref", value: p.value.value } }
                : { part: { case: "workflowInput", value: p.value.value as string } },
          ),
        },
      },
    }) as BindingValue,
};

export const L = {
  int: (n: number) => create(LiteralSchema, { value: { case: "scalar", value: { value: { case: "integer", value: BigInt(n) } } } }),
  float: (n: number) => create(LiteralSchema, { value: { case: "scalar", value: { value: { case: "float", value: n } } } }),
  string: (s: string) => create(LiteralSchema, { value: { case: "scalar", value: { value: { case: "string", value: s } } } }),
  bool: (b: boolean) => create(LiteralSchema, { value: { case: "scalar", value: { value: { case: "boolean", value: b } } } }),
  date: (s: string) => create(LiteralSchema, { value: { case: "scalar", value: { value: { case: "date", value: s } } } }),
  enumValue: (s: string) => create(LiteralSchema, { value: { case: "scalar", value: { value: { case: "enumValue", value: s } } } }),
  json: (s: string) => create(LiteralSchema, { value: { case: "scalar", value: { value: { case: "json", value: s } } } }),
  none: () => create(LiteralSchema, { value: { case: "none", value: {} } }),
  list: (...items: Literal[]) => create(LiteralSchema, { value: { case: "collection", value: { items } } }),
};

/** `{ var: value }` bindings, each with its own line (line numbers follow the order given). */
export function bind(values: Record<string, BindingValue>, firstLine = 10): Binding[] {
  return Object.entries(values).map(([name, value], i) => create(BindingSchema, { var: name, value, source: loc(firstLine + i, 5) }));
}

export function task(
  name: string,
  inputs: Record<string, LiteralType>,
  outputs: Record<string, LiteralType>,
  extra: Omit<MessageInitShape<typeof TaskTemplateSchema>, "name"> = {},
): TaskTemplate {
  return create(TaskTemplateSchema, {
    name,
    version: "v1",
    interface: {
      inputs: Object.entries(inputs).map(([n, type]) => ({ name: n, type })),
      outputs: Object.entries(outputs).map(([n, type]) => ({ name: n, type })),
    },
    runtime: { case: "node", value: { module: `src/${name}.ts`, exportName: name } },
    source: loc(1, 1, `src/${name}.ts`),
    ...extra,
  } as MessageInitShape<typeof TaskTemplateSchema>);
}

export function node(id: string, target: MessageInitShape<typeof NodeSchema>["target"], inputs: Binding[] = [], upstream: string[] = [], line = 10): Node {
  return create(NodeSchema, { id, target, inputs, upstream: [...upstream].sort(), source: loc(line, 3) });
}

/** A task node whose upstream is derived from the refs in its bindings (as the front end does). */
export function call(id: string, taskName: string, values: Record<string, BindingValue> = {}, line = 10): Node {
  const inputs = bind(values, line);
  const upstream = new Set<string>();
  for (const b of inputs) {
    const v = b.value?.value;
    if (v?.case === "ref") upstream.add(v.value.nodeId);
    if (v?.case === "template") for (const p of v.value.parts) if (p.part.case === "ref") upstream.add(p.part.value.nodeId);
  }
  return node(id, { case: "task", value: taskName }, inputs, [...upstream], line);
}

export function workflow(
  name: string,
  opts: {
    inputs?: Record<string, LiteralType>;
    outputs?: Record<string, LiteralType>;
    nodes: Node[];
    bindOutputs?: Record<string, BindingValue>;
    extra?: Omit<MessageInitShape<typeof WorkflowTemplateSchema>, "name">;
  },
): WorkflowTemplate {
  return create(WorkflowTemplateSchema, {
    name,
    version: "w1",
    interface: {
      inputs: Object.entries(opts.inputs ?? {}).map(([n, type]) => ({ name: n, type })),
      outputs: Object.entries(opts.outputs ?? {}).map(([n, type]) => ({ name: n, type })),
    },
    nodes: opts.nodes,
    outputs: bind(opts.bindOutputs ?? {}, 90),
    source: loc(1, 1),
    ...opts.extra,
  } as MessageInitShape<typeof WorkflowTemplateSchema>);
}

export function compiled(main: WorkflowTemplate, tasks: TaskTemplate[], subworkflows: WorkflowTemplate[] = []): CompiledWorkflow {
  return create(CompiledWorkflowSchema, { workflow: main, tasks, subworkflows, compilerVersion: "test" });
}

export const codes = (diags: ReadonlyArray<{ code: string }>): string[] => diags.map((d) => d.code);
