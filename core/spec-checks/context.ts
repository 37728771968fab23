// What every spec check shares: the compiled workflow's tasks and subworkflows by name, and one
// place to report a diagnostic with its location and its workflow/node context.
import type { CompiledWorkflow, SourceLocation, TaskTemplate, WorkflowTemplate } from "../../proto/messages.ts";
import { diagnostic } from "../diagnostics.ts";
import type { Diagnostic, DiagnosticDef, SourceSpan } from "../diagnostics.ts";

export class CheckContext {
  readonly diagnostics: Diagnostic[] = [];
  readonly tasks = new Map<string, TaskTemplate>();
  readonly workflows = new Map<string, WorkflowTemplate>();

  constructor(readonly spec: CompiledWorkflow) {
    for (const task of spec.tasks) if (!this.tasks.has(task.name)) this.tasks.set(task.name, task);
    for (const wf of spec.subworkflows) if (!this.workflows.has(wf.name)) this.workflows.set(wf.name, wf);
    // The main workflow may also be referenced by name (a recursion the cycle check reports).
    if (spec.workflow !== undefined && !this.workflows.has(spec.workflow.name)) {
      this.workflows.set(spec.workflow.name, spec.workflow);
    }
  }

  report(
    def: DiagnosticDef,
    args: ReadonlyArray<string | number>,
    where: { location?: SourceSpan; workflow?: string; node?: string; path?: string; details?: string[] } = {},
  ): void {
    const extra: { workflow?: string; node?: string; path?: string } = {};
    if (where.workflow !== undefined) extra.workflow = where.workflow;
    if (where.node !== undefined) extra.node = where.node;
    if (where.path !== undefined) extra.path = where.path;
    this.diagnostics.push(diagnostic(def, args, where.location, where.details, extra));
  }
}

/** The first location that is set, as a `SourceSpan`; an empty file means "not recorded". */
export function spanOf(...candidates: ReadonlyArray<SourceLocation | undefined>): SourceSpan | undefined {
  for (const c of candidates) {
    if (c !== undefined && c.file !== "") return { file: c.file, line: Math.max(1, c.line), column: Math.max(1, c.column) };
  }
  return undefined;
}
