// Where `weir register` and `weir demo` get CompiledWorkflow messages from: a binary .pb spec, a
// JSON spec (`fromJsonString`, so a hand-edited spec still goes through server-side validation),
// or a project directory compiled on the spot.
import { readFileSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { fromBinary, fromJsonString } from "@bufbuild/protobuf";
import { CompiledWorkflowSchema, type CompiledWorkflow } from "../../proto/index.ts";
import { CliError } from "./action.ts";

export async function loadSpecs(target: string): Promise<CompiledWorkflow[]> {
  const path = resolve(target);
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new CliError("NOT_FOUND", `${target} does not exist — pass a compiled spec (.pb or .json) or a project directory`, 2);
  if (info.isDirectory()) return compileProject(path);
  if (path.endsWith(".json")) {
    try {
      return [fromJsonString(CompiledWorkflowSchema, await readFile(path, "utf8"), { ignoreUnknownFields: false })];
    } catch (err) {
      throw new CliError("BAD_SPEC", `${target} is not a CompiledWorkflow in JSON form: ${(err as Error).message}`);
    }
  }
  try {
    return [fromBinary(CompiledWorkflowSchema, await readFile(path))];
  } catch (err) {
    throw new CliError("BAD_SPEC", `${target} is not a binary CompiledWorkflow (.pb): ${(err as Error).message} — recompile it with \`weir compile\``);
  }
}

/** Compiles a project in process; diagnostics are printed the way `weir compile` prints them. */
export async function compileProject(root: string): Promise<CompiledWorkflow[]> {
  const { compileProject: compile, formatHuman } = await import("../../compiler/index.ts");
  const result = compile(root);
  if (result.diagnostics.length > 0) {
    const readSource = (file: string) => readFileSync(resolve(result.root ?? root, file), "utf8");
    process.stderr.write(`${formatHuman(result.diagnostics, { color: Boolean(process.stderr.isTTY), readSource })}\n`);
  }
  const errors = result.diagnostics.filter((d) => d.category === "error").length;
  if (result.configError) throw new CliError("PROJECT_UNLOADABLE", `${root} could not be loaded as a TypeScript project (see above)`, 2);
  if (errors > 0) throw new CliError("COMPILE_FAILED", `${root} has ${errors} compile error(s); fix them (see above) and register again`);
  return result.specs;
}
