// The weir SDK (`weir`): the authoring API, what user projects import to write typed tasks and
// workflows. Everything here is public; `graph.ts` (run-time node recording) is internal. Moving
// values in and out of literals is the runtime's business: `weir/values` (values.ts).
export { t } from "./types.ts";
export type {
  AssignableView,
  BoolType,
  DateType,
  DatetimeType,
  DirType,
  DurationType,
  EnumType,
  FileType,
  FileValue,
  FloatType,
  IntType,
  JsValue,
  ListType,
  MapType,
  OptionalType,
  StringType,
  StructType,
  UnionType,
  WeirType,
  WeirTypeKind,
} from "./types.ts";
export { df } from "./dataframe.ts";
export { arrowSchema } from "./table.ts";
export type { TableColumns } from "./table.ts";
export type {
  AnyDataFrameType,
  ArrowTypeName,
  AssignableDataFrameView,
  Column,
  ColumnBuilder,
  ColumnInput,
  ColumnOf,
  ColumnView,
  DataFrameType,
  DateUnit,
  NullableColumn,
  TimeUnit,
} from "./dataframe.ts";
export { task } from "./task.ts";
export type {
  CommandTask,
  CommandTaskConfig,
  Resources,
  RetryPolicy,
  Task,
  TaskConfig,
  TaskContext,
  TaskFn,
  TaskInputValues,
  TaskOutputValues,
  TypeMap,
} from "./task.ts";
export type { CheckedInputs, LooseInputs } from "./edge-errors.ts";
export { and, or, not, RESERVED_OUTPUT_NAMES } from "./ref.ts";
export type { AfterTarget, BindInputs, Bindable, Condition, NodeOutputs, Operand, Ref, RefShape, RefTarget, StructFields } from "./ref.ts";
export { map, sensor, traceWorkflow, when, workflow } from "./workflow.ts";
export type {
  BranchTypes,
  ListOutputs,
  Schedule,
  SensorOptions,
  When,
  WhenThen,
  Workflow,
  WorkflowBody,
  WorkflowConfig,
  WorkflowInputRefs,
  WorkflowResult,
  WorkflowTrace,
} from "./workflow.ts";
export { parseDuration, parseMemory } from "./duration.ts";
