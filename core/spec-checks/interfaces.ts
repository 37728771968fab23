// Interfaces of tasks and workflows: well-formed types, no name declared twice, and a warning for
// each value typed 'any' (SIMPLE_TYPE_ANY or df.any()), which no check can see through.
import type { SourceSpan } from "../diagnostics.ts";
import { Diagnostics } from "../diagnostics.ts";
import { isAnyType } from "../compatibility.ts";
import { typeName } from "../type-names.ts";
import type { TypedInterface } from "../../proto/messages.ts";
import type { CheckContext } from "./context.ts";
import { typeProblem } from "./type-validity.ts";

export function checkInterface(ctx: CheckContext, owner: string, iface: TypedInterface | undefined, location: SourceSpan | undefined, workflow?: string): void {
  if (iface === undefined) return;
  const at = { ...(location === undefined ? {} : { location }), ...(workflow === undefined ? {} : { workflow }) };
  for (const [kind, vars] of [
    ["input", iface.inputs],
    ["output", iface.outputs],
  ] as const) {
    const seen = new Set<string>();
    for (const v of vars) {
      if (seen.has(v.name)) ctx.report(Diagnostics.DuplicateVariable, [owner, kind, v.name], at);
      seen.add(v.name);
      const label = `${kind} '${v.name}' of ${owner}`;
      const problem = typeProblem(v.type);
      if (problem !== undefined) {
        ctx.report(Diagnostics.InvalidTypeDefinition, [label, problem], at);
        continue;
      }
      if (isAnyType(v.type)) ctx.report(Diagnostics.AnyTypedValue, [label, typeName(v.type)], at);
    }
  }
}
