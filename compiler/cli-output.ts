// Prints a compile result in the chosen format: diagnostics on stdout (what CI parses), a one-line
// summary on stderr for humans.
import { readFileSync } from "node:fs";
import path from "node:path";
import pc from "picocolors";
import type { CompileResult } from "./compile.ts";
import { formatGithub, formatHuman, formatJson } from "./format/index.ts";
import type { OutputFormat } from "./options.ts";

export function print(result: CompileResult, format: OutputFormat, elapsedMs: number | undefined, written: readonly string[]): void {
  const diags = result.diagnostics;
  const readSource = (file: string): string | undefined => {
    try {
      return readFileSync(path.resolve(result.root ?? ".", file), "utf8");
    } catch {
      return undefined;
    }
  };
  const text =
    format === "json" ? formatJson(diags) : format === "github" ? formatGithub(diags) : formatHuman(diags, { color: pc.isColorSupported, readSource });
  if (text) process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  if (format !== "human") return;
  const errors = diags.filter((d) => d.category === "error").length;
  const warnings = diags.length - errors;
  const time = elapsedMs === undefined ? "" : ` in ${Math.round(elapsedMs)} ms`;
  const wrote = written.length > 0 ? `, wrote ${written.length / 2} spec(s) to ${path.relative(process.cwd(), path.dirname(written[0])) || "."}` : "";
  process.stderr.write(`${result.specs.length} workflow(s), ${errors} error(s), ${warnings} warning(s)${time}${wrote}\n`);
}
