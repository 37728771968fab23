// Checks what a task produced against its declared outputs and stores it: every output present,
// each value (tables column by column) valid BEFORE anything is written, then converted to Literals.
import { create } from "@bufbuild/protobuf";
import { LiteralSetSchema } from "../../proto/index.ts";
import type { Literal, LiteralSet, Variable } from "../../proto/index.ts";
import { toLiteral, validateValue } from "../../sdk/values.ts";
import type { ArtifactWriter } from "../../sdk/values.ts";
import { AttemptFailure } from "./attempt-failure.ts";

/** A zod-like schema the task declared for a struct output; refinements are checked here. */
export interface Refinable {
  safeParse(value: unknown): { success: boolean; error?: { issues?: { path: PropertyKey[]; message: string }[] } };
}

export async function collectOutputs(
  values: unknown,
  outputs: Variable[],
  store: ArtifactWriter,
  refinements: Record<string, Refinable | undefined> = {},
): Promise<LiteralSet> {
  if (outputs.length > 0 && (values === null || typeof values !== "object")) {
    throw new AttemptFailure(
      "OUTPUT_INVALID",
      `the task returned ${values === undefined ? "nothing" : typeof values}; it must return an object with the outputs ${outputs.map((o) => `'${o.name}'`).join(", ")}`,
    );
  }
  const record = (values ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  for (const output of outputs) {
    const label = `output '${output.name}'`;
    const found = validateValue(record[output.name], output.type, label);
    problems.push(...found);
    const refine = refinements[output.name];
    if (found.length === 0 && refine) {
      const parsed = refine.safeParse(record[output.name]);
      for (const issue of parsed.success ? [] : (parsed.error?.issues ?? [{ path: [], message: "failed its schema" }])) {
        problems.push(`${label}${issue.path.map((p) => `.${String(p)}`).join("")}: ${issue.message}`);
      }
    }
  }
  if (problems.length > 0) throw new AttemptFailure("OUTPUT_INVALID", problems.join("\n"));
  const literals: Record<string, Literal> = {};
  for (const output of outputs) {
    literals[output.name] = await toLiteral(record[output.name], output.type!, store, `output '${output.name}'`);
  }
  return create(LiteralSetSchema, { literals });
}
