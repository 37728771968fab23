// Turns `--input name=value` flags into typed literals, checked against the workflow's interface
// before anything is sent (the runtime re-validates them anyway).
import type { Literal, Variable } from "../../proto/index.ts";
import { parseInputValue, toLiteral, type ArtifactWriter } from "../../sdk/literals.ts";
import { CliError } from "./action.ts";

/**
 * The CLI has no artifact store of its own (the runtime's may live on another machine), so a
 * file, directory or table input cannot be uploaded from here; say so instead of guessing a path.
 */
const NO_UPLOADS: ArtifactWriter = {
  put: () => Promise.reject(new CliError("INPUT_NEEDS_UPLOAD", "file inputs cannot be uploaded from `weir run` yet; pass the file's path as a string input, or produce it with a task", 2)),
  putDir: () => Promise.reject(new CliError("INPUT_NEEDS_UPLOAD", "directory inputs cannot be uploaded from `weir run` yet; pass the directory's path as a string input, or produce it with a task", 2)),
};

export async function parseInputs(flags: string[], variables: Variable[], workflow: string): Promise<Record<string, Literal>> {
  const byName = new Map(variables.map((v) => [v.name, v]));
  const literals: Record<string, Literal> = {};
  for (const flag of flags) {
    const eq = flag.indexOf("=");
    if (eq <= 0) throw new CliError("BAD_INPUT", `--input ${flag} is not name=value (e.g. --input day=2024-05-01)`, 2);
    const name = flag.slice(0, eq);
    const variable = byName.get(name);
    if (!variable?.type) {
      const known = variables.map((v) => v.name).join(", ") || "none";
      throw new CliError("UNKNOWN_INPUT", `${workflow} has no input named ${name} (its inputs: ${known})`, 2);
    }
    try {
      literals[name] = await toLiteral(parseInputValue(flag.slice(eq + 1), variable.type, name), variable.type, NO_UPLOADS, name);
    } catch (err) {
      if (err instanceof CliError) throw err;
      throw new CliError("BAD_INPUT", `--input ${(err as Error).message}`, 2);
    }
  }
  return literals;
}
