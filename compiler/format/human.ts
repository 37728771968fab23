// The default, human format: `file:line:col - error WEIR1001: message`, detail lines indented, a
// code frame (@babel/code-frame) when the source is readable, then a summary line.
import { codeFrameColumns } from "@babel/code-frame";
import { createColors } from "picocolors";
import type { Diagnostic } from "../../core/index.ts";
import { countDiagnostics, summaryLine } from "./summary.ts";

export interface HumanFormatOptions {
  color: boolean;
  /** Returns a file's text (path relative to the project root), or undefined when unreadable. */
  readSource?: (file: string) => string | undefined;
}

export function formatHuman(diags: Diagnostic[], opts: HumanFormatOptions): string {
  const c = createColors(opts.color);
  const sources = new Map<string, string | undefined>();
  const read = (file: string): string | undefined => {
    if (!sources.has(file)) {
      let text: string | undefined;
      try {
        text = opts.readSource?.(file);
      } catch {
        text = undefined; // a frame is a nicety; an unreadable file must not hide the diagnostic
      }
      sources.set(file, text);
    }
    return sources.get(file);
  };
  const blocks: string[] = [];
  for (const d of diags) {
    const lines: string[] = [];
    const category = d.category === "error" ? c.red("error") : c.yellow("warning");
    const where = d.location ? `${c.cyan(d.location.file)}:${c.yellow(String(d.location.line))}:${c.yellow(String(d.location.column))} - ` : "";
    lines.push(`${where}${category} ${c.gray(d.code)}: ${d.message}`);
    for (const detail of d.details) lines.push(`  ${detail}`);
    if (d.location) {
      const text = read(d.location.file);
      if (text !== undefined) {
        const frame = codeFrameColumns(
          text,
          { start: { line: d.location.line, column: d.location.column } },
          {
            highlightCode: opts.color,
            forceColor: opts.color,
          },
        );
        if (frame.trim() !== "") lines.push("", frame);
      }
    }
    blocks.push(lines.join("\n"));
  }
  blocks.push(summaryLine(countDiagnostics(diags)));
  return `${blocks.join("\n\n")}\n`;
}
