// The machine-readable format (`weir compile --format json`), a stable schema for CI and editors.
//
// Schema, version 1 (fields are only ever added; a breaking change bumps `version`):
//   {
//     "version": 1,
//     "diagnostics": [
//       {
//         "code": "WEIR1001",              // stable code, see core/diagnostics.ts
//         "category": "error" | "warning",
//         "message": string,                // one line
//         "details": string[],              // one line each (e.g. one per differing column)
//         "file": string | null,            // relative to the project root, forward slashes
//         "line": number | null,            // 1-based
//         "column": number | null,          // 1-based
//         "workflow": string | null,        // the workflow the diagnostic belongs to, if any
//         "node": string | null             // the node id, if any
//       }
//     ],
//     "errorCount": number,
//     "warningCount": number
//   }
import type { Category, Diagnostic } from "../../core/index.ts";
import { countDiagnostics } from "./summary.ts";

export interface JsonDiagnostic {
  code: string;
  category: Category;
  message: string;
  details: string[];
  file: string | null;
  line: number | null;
  column: number | null;
  workflow: string | null;
  node: string | null;
}

export interface JsonReport {
  version: 1;
  diagnostics: JsonDiagnostic[];
  errorCount: number;
  warningCount: number;
}

export function toJsonReport(diags: ReadonlyArray<Diagnostic>): JsonReport {
  return {
    version: 1,
    diagnostics: diags.map((d) => ({
      code: d.code,
      category: d.category,
      message: d.message,
      details: [...d.details],
      file: d.location?.file ?? null,
      line: d.location?.line ?? null,
      column: d.location?.column ?? null,
      workflow: d.workflow ?? null,
      node: d.node ?? null,
    })),
    ...countDiagnostics(diags),
  };
}

export function formatJson(diags: Diagnostic[]): string {
  return `${JSON.stringify(toJsonReport(diags), null, 2)}\n`;
}
