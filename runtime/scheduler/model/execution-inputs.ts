// Checks an execution's inputs against its workflow's interface (the runtime's door check), with
// the SDK's validateLiteral so that the runtime and the worker agree on what a valid value is.
import type { LiteralSet, TypedInterface } from "../../../proto/index.ts";
import { describeType, validateLiteral } from "../../../sdk/values.ts";

/** Problems with the inputs; [] when they fit the interface. */
export function checkExecutionInputs(iface: TypedInterface | undefined, inputs: LiteralSet): string[] {
  const problems: string[] = [];
  const declared = new Map((iface?.inputs ?? []).map((v) => [v.name, v]));
  for (const v of declared.values()) {
    const lit = inputs.literals[v.name];
    if (!lit) {
      if (v.type?.type.case !== "optional") problems.push(`missing input "${v.name}": expected ${describeType(v.type)}`);
      continue;
    }
    problems.push(...validateLiteral(lit, v.type, `input "${v.name}"`));
  }
  for (const name of Object.keys(inputs.literals)) {
    if (!declared.has(name)) {
      problems.push(`unknown input "${name}": the workflow takes ${[...declared.keys()].map((n) => `"${n}"`).join(", ") || "no inputs"}`);
    }
  }
  return problems;
}
