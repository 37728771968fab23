// The one table of every weir diagnostic (code, category, message template), like TypeScript's
// diagnosticMessages.json; nothing in the compiler or the runtime prints an ad-hoc string.

export type Category = "error" | "warning";

export interface DiagnosticDef {
  code: number;
  category: Category;
  /** Template with `{0}`, `{1}`… placeholders, filled by `diagnostic()`. */
  message: string;
}

/** A place in the user's project: 1-based line and column, file relative to the project root. */
export interface SourceSpan {
  file: string;
  line: number;
  column: number;
}

export interface Diagnostic {
  /** "WEIR1001". */
  code: string;
  category: Category;
  /** The filled template, one line. */
  message: string;
  /** One line per column difference, candidate, etc. */
  details: string[];
  location?: SourceSpan;
  workflow?: string;
  node?: string;
  /**
   * What inside its workflow, node or task it is about, when one property or variable: a config
   * property ("schedule.cron", "resources.cpu"), a node input ("inputs.data") or a workflow output
   * ("outputs.model"). The spec holds no location finer than a template's, so the compiler uses
   * this to point at the property itself and to tell a cascade from its cause.
   */
  path?: string;
}

const error = (code: number, message: string): DiagnosticDef => Object.freeze({ code, category: "error", message });
const warning = (code: number, message: string): DiagnosticDef => Object.freeze({ code, category: "warning", message });

/**
 * Ranges: 1xxx edges and types, 2xxx bindings and references, 3xxx graph, 4xxx branches and
 * workflow outputs, 5xxx resources, schedules, retries and task definitions, 6xxx warnings,
 * 9xxx front end (ts-morph). Codes are stable: never renumber, only add.
 */
export const Diagnostics = Object.freeze({
  // ---- 1xxx edges and types ----
  EdgeTypeMismatch: error(1001, "{0} of type {1} cannot feed {2} of type {3}"),
  LiteralTypeMismatch: error(1002, "literal {0} does not fit {1} of type {2}"),
  TemplatePartNotStringable: error(
    1003,
    "template part {0} of type {1} cannot be rendered into {2}: only strings, numbers, booleans, dates, durations and enums can",
  ),
  MapInputNotList: error(1004, "mapped input '{0}' of map node '{1}' must be bound to a list, but {2} is {3}"),
  InvalidTypeDefinition: error(1005, "{0} has an invalid type: {1}"),

  // ---- 2xxx bindings and references ----
  UnboundInput: error(2001, "required input '{0}' of {1} is not bound"),
  UnknownInput: error(2002, "{0} has no input '{1}'{2}"),
  InputBoundTwice: error(2003, "input '{0}' of {1} is bound more than once"),
  UnknownOutput: error(2004, "node '{0}' ({1}) has no output '{2}'{3}"),
  UnknownWorkflowInput: error(2005, "workflow '{0}' has no input '{1}'{2}"),
  UnknownStructField: error(2006, "{0} has no field '{1}'{2}"),
  AttributeOfNonStruct: error(2007, "cannot read field '{0}' of {1}: its type {2} is not a struct"),
  EmptyBinding: error(2008, "the value bound to {0} is empty (no reference, literal, workflow input or template)"),
  UnknownMappedInput: error(2009, "map node '{0}' maps over '{1}', which is not an input of task '{2}'{3}"),
  DuplicateVariable: error(2010, "{0} declares {1} '{2}' more than once"),

  // ---- 3xxx graph ----
  DuplicateNodeId: error(3001, "node id '{0}' is used more than once in workflow '{1}'"),
  UnknownNode: error(3002, "{0} refers to node '{1}', which does not exist in workflow '{2}'{3}"),
  UnknownUpstream: error(3003, "node '{0}' lists upstream node '{1}', which does not exist{2}"),
  Cycle: error(3004, "workflow '{0}' has a cycle: {1}"),
  EmptyWorkflow: error(3005, "workflow '{0}' has no nodes"),
  NodeNotInScope: error(3006, "{0} refers to node '{1}', which lives inside a branch arm; use the branch node's outputs instead"),
  NodeWithoutTarget: error(3007, "node '{0}' has no target (task, subworkflow, branch, map or sensor)"),
  MissingTask: error(3008, "node '{0}' uses task '{1}', which is not in the compiled workflow{2}"),
  MissingSubworkflow: error(3009, "node '{0}' uses subworkflow '{1}', which is not in the compiled workflow{2}"),
  MissingUpstream: error(3010, "node '{0}' reads an output of node '{1}' but does not list it as upstream"),
  DuplicateTemplateName: error(3011, "the compiled workflow holds two {0} named '{1}'"),
  SubworkflowCycle: error(3012, "subworkflows call each other in a cycle: {0}"),
  MissingWorkflow: error(3013, "the compiled workflow has no workflow template"),

  // ---- 4xxx branches and workflow outputs ----
  BranchWithoutDefault: error(4001, "branch '{0}' has no default arm; add .otherwise(...) (it may be empty)"),
  BranchOutputNotBoundInArm: error(4002, "{0} of branch '{1}' does not bind output '{2}', so it is not set on every path"),
  BranchConditionNotComparable: error(4003, "branch '{0}' compares {1} with {2} using '{3}': {4}"),
  WorkflowOutputUnbound: error(4004, "output '{0}' of workflow '{1}' is not bound"),
  UnknownWorkflowOutput: error(4005, "workflow '{0}' binds output '{1}', which it does not declare{2}"),
  WorkflowOutputBoundTwice: error(4006, "output '{0}' of workflow '{1}' is bound more than once"),
  UnknownBranchOutput: error(4007, "{0} of branch '{1}' binds output '{2}', which the branch does not declare{3}"),
  BranchWithoutCases: error(4008, "branch '{0}' has no conditional arm"),
  BranchCaseWithoutCondition: error(4009, "arm {0} of branch '{1}' has no condition; only the default arm may omit it"),
  BranchOutputBoundTwice: error(4010, "output '{0}' is bound more than once in {1} of branch '{2}'"),

  // ---- 5xxx resources, schedules, retries, task definitions ----
  InvalidCpu: error(5001, "task '{0}' asks for {1} CPUs; use a finite number ≥ 0"),
  TooManyGpus: error(5002, "task '{0}' asks for {1} GPUs; at most {2} per task are supported"),
  InvalidCron: error(5003, "cron expression '{0}' of workflow '{1}' is invalid: {2}"),
  UnknownTimezone: error(5004, "timezone '{0}' of workflow '{1}' is not an IANA time zone (e.g. 'Europe/Paris')"),
  ScheduleWithoutTrigger: error(5005, "the schedule of workflow '{0}' has neither a cron expression nor a fixed rate"),
  FixedRateTooShort: error(5006, "the fixed rate of workflow '{0}' is {1}; use at least {2}"),
  ScheduleStartAfterEnd: error(5007, "the schedule of workflow '{0}' starts ({1}) after it ends ({2})"),
  TooManyRetries: error(5008, "task '{0}' allows {1} {2}; at most {3} are supported"),
  InvalidTimeout: error(5009, "task '{0}' has a timeout of {1}; use more than 0 and at most {2}"),
  BackoffExceedsMaxDelay: error(5010, "task '{0}' has a retry backoff ({1}) longer than its max delay ({2})"),
  InvalidKickoffInput: error(5011, "the schedule of workflow '{0}' passes its tick time to input '{1}', {2}"),
  InvalidSensorInterval: error(5012, "sensor '{0}' has a {1} of {2}; use a duration greater than 0"),
  TaskWithoutRuntime: error(5013, "task '{0}' has no runtime (neither a TypeScript module nor a command)"),
  InvalidDuration: error(5014, "{0} of task '{1}' is {2}; durations must not be negative"),

  // ---- 6xxx warnings ----
  UncheckedEdge: warning(6001, "{0} of type {1} feeds {2} of type {3} unchecked, because one side is 'any'"),
  TopLevelSideEffect: warning(6002, "top-level call '{0}' in a workflow module runs every time the module is loaded; move it into a task"),
  AnyTypedValue: warning(6003, "{0} has type {1}; values of type 'any' are not checked at compile time"),

  // ---- 9xxx front end (reserved for compiler/project.ts, extract.ts, compile.ts) ----
  TscError: error(9001, "{0}"),
  UnsupportedWorkflowSyntax: error(9002, "'{0}' is not allowed in a workflow body: {1}"),
  NoWorkflowsFound: error(9003, "no exported workflows found in {0}"),
  UnresolvableTaskInterface: error(9004, "cannot read the interface of task '{0}': {1}"),
  ConfigurationError: error(9005, "configuration error: {0}"),
  DuplicateWorkflowName: error(9006, "workflow name '{0}' is used by more than one workflow ({1})"),
} satisfies { readonly [name: string]: DiagnosticDef });

/** The stable code of a definition, e.g. `WEIR1001`. */
export function codeOf(def: DiagnosticDef): string {
  return `WEIR${def.code}`;
}

/** Fills `{0}`, `{1}`… of the template with `args` and builds the diagnostic value. */
export function diagnostic(
  def: DiagnosticDef,
  args: ReadonlyArray<string | number>,
  location?: SourceSpan,
  details?: string[],
  extra?: { workflow?: string; node?: string; path?: string },
): Diagnostic {
  const message = def.message.replace(/\{(\d+)\}/g, (whole, index: string) => {
    const value = args[Number(index)];
    return value === undefined ? whole : String(value);
  });
  const result: Diagnostic = {
    code: codeOf(def),
    category: def.category,
    message: message.replace(/\r?\n/g, " "),
    details: details ?? [],
  };
  if (location !== undefined) result.location = location;
  if (extra?.workflow !== undefined) result.workflow = extra.workflow;
  if (extra?.node !== undefined) result.node = extra.node;
  if (extra?.path !== undefined) result.path = extra.path;
  return result;
}

/** Orders by file, line, column; diagnostics without a location come last (stable otherwise). */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  if (a.location === undefined || b.location === undefined) {
    return (a.location === undefined ? 1 : 0) - (b.location === undefined ? 1 : 0);
  }
  if (a.location.file !== b.location.file) return a.location.file < b.location.file ? -1 : 1;
  return a.location.line - b.location.line || a.location.column - b.location.column;
}

export function hasErrors(diags: ReadonlyArray<Diagnostic>): boolean {
  return diags.some((d) => d.category === "error");
}
