// Source locations as specs and diagnostics carry them: root-relative file, 1-based line/column.
import type { Node } from "ts-morph";
import { relativeToRoot } from "./project.ts";

export interface Location {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** Where `node` starts (after leading trivia). */
export function locationOf(root: string, node: Node): Location {
  const file = node.getSourceFile();
  const { line, column } = file.getLineAndColumnAtPos(node.getStart());
  return { file: relativeToRoot(root, file.getFilePath()), line, column };
}
