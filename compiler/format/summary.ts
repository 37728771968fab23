// Error and warning counts, and the closing line of the human format.
import type { Diagnostic } from "../../core/index.ts";

export interface Counts {
  errorCount: number;
  warningCount: number;
}

export function countDiagnostics(diags: ReadonlyArray<Diagnostic>): Counts {
  let errorCount = 0;
  for (const d of diags) if (d.category === "error") errorCount++;
  return { errorCount, warningCount: diags.length - errorCount };
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

/** "Found 2 errors and 1 warning.", "Found 1 error.", "No problems found." */
export function summaryLine(counts: Counts): string {
  const parts: string[] = [];
  if (counts.errorCount > 0) parts.push(plural(counts.errorCount, "error"));
  if (counts.warningCount > 0) parts.push(plural(counts.warningCount, "warning"));
  return parts.length === 0 ? "No problems found." : `Found ${parts.join(" and ")}.`;
}
