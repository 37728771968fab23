// What RegisterWorkflow checks beyond the compiler's spec checks: the spec's ids and names follow
// the identifier rule, its literals pass the literal door check (depth, refs inside the artifact
// store), a sensor path written in the spec stays inside the sensor roots, and one execution of it
// expands to at most maxNodes nodes.
import { workflowNodes } from "../../core/index.ts";
import type { CompiledWorkflow, Literal, Node, TypedInterface, WorkflowTemplate } from "../../proto/index.ts";
import { RuntimeError } from "../error-codes.ts";
import { expandedNodeCount, expandedSizeProblem, sensorPath, type SensorRoots } from "../scheduler/index.ts";
import { quoted } from "./client-text.ts";
import { checkIdentifiers } from "./identifiers.ts";
import type { LiteralAdmission } from "./literal-admission.ts";

export interface SpecAdmissionDeps {
  readonly literals: LiteralAdmission;
  readonly sensorRoots: Pick<SensorRoots, "projectRoot" | "extra">;
  readonly maxNodes: number;
}

/** Throws INVALID_ARGUMENT for the first kind of problem the spec has. */
export function admitSpec(spec: CompiledWorkflow, deps: SpecAdmissionDeps): void {
  checkIdentifiers(specIdentifiers(spec));
  const literals = specLiterals(spec);
  const problems = deps.literals.problems(Object.fromEntries(literals.map((lit, i) => [String(i), lit])), () => "a literal in the spec");
  if (problems.length)
    throw new RuntimeError("INVALID_ARGUMENT", `the spec of ${spec.workflow?.name} holds literals the runtime refuses:\n${problems.join("\n")}`);
  for (const wf of templates(spec)) {
    for (const { node: n } of workflowNodes(wf)) {
      const path = staticSensorPath(n);
      if (path === undefined) continue;
      try {
        sensorPath(path, deps.sensorRoots);
      } catch (err) {
        throw new RuntimeError("INVALID_ARGUMENT", `${wf.name}: sensor "${n.id}": ${(err as Error).message}`);
      }
    }
  }
  const name = spec.workflow?.name ?? "";
  const size = expandedSizeProblem(name, expandedNodeCount(spec), deps.maxNodes);
  if (size) throw new RuntimeError("INVALID_ARGUMENT", size);
}

function templates(spec: CompiledWorkflow): WorkflowTemplate[] {
  return [...(spec.workflow ? [spec.workflow] : []), ...spec.subworkflows];
}

function* specIdentifiers(spec: CompiledWorkflow): Generator<readonly [string, string]> {
  const variables = function* (where: string, iface: TypedInterface | undefined) {
    for (const v of [...(iface?.inputs ?? []), ...(iface?.outputs ?? [])]) yield [`${where}: variable name`, v.name] as const;
  };
  for (const wf of templates(spec)) {
    yield ["workflow name", wf.name];
    yield [`workflow ${quoted(wf.name)}: version`, wf.version];
    yield* variables(`workflow ${quoted(wf.name)}`, wf.interface);
    if (wf.schedule) yield [`workflow ${quoted(wf.name)}: kickoff input`, wf.schedule.kickoffInput];
    for (const { node: n } of workflowNodes(wf)) {
      yield [`workflow ${quoted(wf.name)}: node id`, n.id];
      if (n.target.case === "map") {
        yield [`node ${quoted(n.id)}: map task`, n.target.value.task];
        yield [`node ${quoted(n.id)}: mapped input`, n.target.value.mappedInput];
      } else if (n.target.case === "branch") yield* variables(`branch ${quoted(n.id)}`, n.target.value.interface);
      for (const b of n.inputs) yield [`node ${quoted(n.id)}: input name`, b.var];
    }
  }
  for (const t of spec.tasks) {
    yield ["task name", t.name];
    yield [`task ${quoted(t.name)}: version`, t.version];
    yield* variables(`task ${quoted(t.name)}`, t.interface);
    if (t.resources?.pool) yield [`task ${quoted(t.name)}: pool`, t.resources.pool];
  }
}

/** Every Literal message in the spec (binding values, branch conditions), not descending into them. */
function specLiterals(spec: CompiledWorkflow): Literal[] {
  const out: Literal[] = [];
  const stack: object[] = [spec];
  while (stack.length) {
    const value = stack.pop()!;
    if ((value as { $typeName?: string }).$typeName === "weir.v1.Literal") {
      out.push(value as Literal);
      continue;
    }
    for (const field of Object.values(value)) {
      if (typeof field !== "object" || field === null || ArrayBuffer.isView(field)) continue;
      if (Array.isArray(field)) for (const item of field) typeof item === "object" && item !== null && stack.push(item);
      else stack.push(field);
    }
  }
  return out;
}

/** A sensor's path when the spec gives it whole (a literal string, or a template of text alone). */
function staticSensorPath(n: Node): string | undefined {
  if (n.target.case !== "sensor") return undefined;
  const v = n.inputs.find((b) => b.var === "path")?.value?.value;
  if (v?.case === "literal") {
    const s = v.value.value;
    return s.case === "scalar" && s.value.value.case === "string" ? s.value.value.value : undefined;
  }
  if (v?.case === "template" && v.value.parts.every((p) => p.part.case === "text")) return v.value.parts.map((p) => p.part.value as string).join("");
  return undefined;
}
