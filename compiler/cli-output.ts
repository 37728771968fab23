// Prints a compile result in the chosen format: diagnostics on stdout (what CI parses), a one-line
// summary on stderr for humans.
import { readFileSync } from "node:fs";
import path from "node:path";
import pc from "picocolors";
import { formatDuration } from "../core/index.ts";
import type { CompileResult } from "./compile.ts";
import { formatGithub, formatHuman, formatJson } from "./format/index.ts";
import type { OutputFormat } from "./options.ts";

export function print(result: CompileResult, format: OutputFormat, elapsedMs: number | undefined, written: readonly string[]): void {
  // Specs and the JSON format keep paths relative to the project root; people and GitHub
  // annotations need them relative to where the command ran, so the file opens from there.
  const root = result.root ?? ".";
  const located = result.diagnostics.map((d) =>
    d.location ? { ...d, location: { ...d.location, file: path.relative(process.cwd(), path.resolve(root, d.location.file)) } } : d,
  );
  const readSource = (file: string): string | undefined => {
    try {
      return readFileSync(path.resolve(file), "utf8");
    } catch {
      return undefined;
    }
  };
  const text =
    format === "json"
      ? formatJson(result.diagnostics)
      : format === "github"
        ? formatGithub(located)
        : formatHuman(located, { color: pc.isColorSupported, readSource });
  const diags = result.diagnostics;
  if (text) process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  if (format !== "human") return;
  const errors = diags.filter((d) => d.category === "error").length;
  const warnings = diags.length - errors;
  const time = elapsedMs === undefined ? "" : ` in ${formatDuration(elapsedMs)}`;
  const wrote = written.length > 0 ? `, wrote ${written.length / 2} spec(s) to ${path.relative(process.cwd(), path.dirname(written[0])) || "."}` : "";
  process.stderr.write(`${result.specs.length} workflow(s), ${errors} error(s), ${warnings} warning(s)${time}${wrote}\n`);
}
