// A weir diagnostic as the editor shows it: a ts.Diagnostic at the compiler's line and column,
// spanning the name or literal found there, with `source: "weir"` and the WEIR number as its code.
import type ts from "typescript";
import type { Diagnostic } from "../compiler/index.ts";

/** The name or quoted literal starting at a diagnostic's position (else one character). */
const TOKEN = /^(?:[A-Za-z_$][\w$]*|"[^"\n]*"|'[^'\n]*'|`[^`\n]*`)/;

export function editorDiagnostic(typescript: typeof ts, file: ts.SourceFile, found: Diagnostic): ts.Diagnostic | undefined {
  const at = found.location;
  if (!at) return undefined;
  const lines = file.getLineStarts();
  if (at.line - 1 >= lines.length) return undefined;
  const start = Math.min(typescript.getPositionOfLineAndCharacter(file, at.line - 1, 0) + at.column - 1, file.text.length);
  const token = TOKEN.exec(file.text.slice(start, start + 200))?.[0];
  return {
    file,
    start,
    length: token?.length ?? 1,
    messageText: [found.message, ...found.details].join("\n"),
    category: found.category === "error" ? typescript.DiagnosticCategory.Error : typescript.DiagnosticCategory.Warning,
    code: Number(found.code.replace(/^WEIR/, "")),
    source: "weir",
  };
}
