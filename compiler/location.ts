// Source locations as specs and diagnostics carry them: root-relative file, 1-based line/column.
import type { Node, SourceFile, ts } from "ts-morph";
import { relativeToRoot } from "./project.ts";

export interface Location {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** Where `node` starts (after leading trivia). */
export function locationOf(root: string, node: Node): Location {
  const file = node.getSourceFile();
  const { line, column } = lineAndColumn(file.compilerNode, node.getStart());
  return { file: relativeToRoot(root, filePathOf(file)), line, column };
}

// Paths are asked for once per node; ts-morph standardises them on every call.
const paths = new WeakMap<SourceFile, string>();
function filePathOf(file: SourceFile): string {
  let found = paths.get(file);
  if (found === undefined) {
    found = file.getFilePath();
    paths.set(file, found);
  }
  return found;
}

// Newline offsets per parsed file (a file's text never changes under one ts.SourceFile object).
const newlines = new WeakMap<ts.SourceFile, Int32Array>();

/**
 * 1-based line and column of `pos`, exactly as ts-morph's `getLineAndColumnAtPos` counts them (lines
 * by "\n", columns from the last "\n" or "\r"), by binary search instead of a scan from the start.
 */
export function lineAndColumn(file: ts.SourceFile, pos: number): { line: number; column: number } {
  const text = file.text;
  let starts = newlines.get(file);
  if (!starts) {
    const found: number[] = [];
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) found.push(i);
    starts = Int32Array.from(found);
    newlines.set(file, starts);
  }
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (starts[mid] < pos) lo = mid + 1;
    else hi = mid;
  }
  let lineStart = pos;
  while (lineStart > 0) {
    const c = text.charCodeAt(lineStart - 1);
    if (c === 10 || c === 13) break;
    lineStart--;
  }
  return { line: lo + 1, column: pos - lineStart + 1 };
}
