// Turns `--input name=value` flags into typed literals, checked against the workflow's interface
// before anything is sent (the runtime re-validates them anyway). `name=@path` gives a file,
// directory or dataframe input from a local file, uploaded to the runtime's artifact store.
import { readFile, stat } from "node:fs/promises";
import { extname } from "node:path";
import { tableFromIPC, type Table } from "apache-arrow";
import type { DataFrameType, Literal, LiteralType, Variable } from "../../proto/index.ts";
import { parseInputValue, toLiteral, type ArtifactWriter } from "../../sdk/values.ts";
import { UPLOAD_LIMITS } from "../config.ts";
import { CliError } from "./action.ts";

/** Without a runtime to upload to (the demo), or for a bare path: say how to pass a file instead. */
const NO_UPLOADS: ArtifactWriter = {
  put: () => Promise.reject(new CliError("INPUT_NEEDS_UPLOAD", "file inputs are uploaded from a local path written with @: --input name=@path/to/file", 2)),
  putDir: () =>
    Promise.reject(new CliError("INPUT_NEEDS_UPLOAD", "directory inputs are uploaded from a local path written with @: --input name=@path/to/dir", 2)),
};

export async function parseInputs(
  flags: string[],
  variables: Variable[],
  workflow: string,
  uploads: ArtifactWriter = NO_UPLOADS,
): Promise<Record<string, Literal>> {
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
    const text = flag.slice(eq + 1);
    const local = uploadable(variable.type) && text.startsWith("@") ? text.slice(1) : undefined;
    try {
      const value = local === undefined ? parseInputValue(text, variable.type, name) : await localValue(local, variable.type, name);
      literals[name] = await toLiteral(value, variable.type, local === undefined ? NO_UPLOADS : uploads, name);
    } catch (err) {
      if (err instanceof CliError) throw err;
      throw new CliError("BAD_INPUT", `--input ${(err as Error).message}`, 2);
    }
  }
  return literals;
}

/** The file, directory or dataframe type under an optional, when the input is one. */
function uploadable(type: LiteralType): LiteralType | undefined {
  const t = type.type;
  if (t.case === "optional") return t.value.inner ? uploadable(t.value.inner) : undefined;
  return t.case === "blob" || t.case === "dataframe" ? type : undefined;
}

/** `@path` as the value toLiteral takes: `{ path }` for a file or directory, a Table for a dataframe. */
async function localValue(path: string, type: LiteralType, name: string): Promise<unknown> {
  const target = uploadable(type)!.type;
  if (target.case !== "dataframe") return parseInputValue(path, type, name);
  return readTable(path, target.value, name);
}

/** A dataframe from Arrow IPC (.arrow, .feather) or CSV, converted to the declared schema as command tasks' CSV is. */
async function readTable(path: string, schema: DataFrameType, name: string): Promise<Table> {
  const size = (await stat(path).catch(() => undefined))?.size;
  if (size === undefined) throw new CliError("INPUT_FILE_MISSING", `--input ${name}=@${path}: cannot read '${path}'`, 2);
  if (size > UPLOAD_LIMITS.maxBytes)
    throw new CliError("INPUT_TOO_LARGE", `--input ${name}=@${path}: ${size} bytes is over the ${UPLOAD_LIMITS.maxBytes / 2 ** 30} GiB upload limit`, 2);
  const ext = extname(path).toLowerCase();
  if (ext === ".arrow" || ext === ".feather") return tableFromIPC(await readFile(path));
  if (ext === ".csv") {
    const { csvToTable } = await import("../../sdk/values.ts");
    try {
      return csvToTable(await readFile(path, "utf8"), schema);
    } catch (err) {
      throw new CliError("BAD_INPUT", `--input ${name}=@${path}: ${(err as Error).message}`, 2);
    }
  }
  throw new CliError("BAD_INPUT", `--input ${name}=@${path}: a dataframe is read from .csv or Arrow IPC (.arrow, .feather) files`, 2);
}
