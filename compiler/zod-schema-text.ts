// What an importer reads of a file beyond its types: the compiler reads zod schemas from their source
// (zod-integers.ts: `.int()` leaves the type as it was), following consts into the files that declare
// them. So a file's fingerprint for its importers carries the text of its zod calls too; an edit
// that adds `.int()` in a schemas file then re-reads the tasks that use it, and one in a task's body
// (which holds no zod call) does not.
import { createHash } from "node:crypto";
import { ts } from "ts-morph";

// By syntax tree: the editor and the watch loop keep an unchanged file's tree across programs.
const digests = new WeakMap<ts.SourceFile, string>();

/** A short digest of `file`'s zod calls ("" when it has none), for its importers' fingerprints. */
export function zodSchemaDigest(file: ts.SourceFile): string {
  let digest = digests.get(file);
  if (digest === undefined) {
    const text = zodSchemaText(file);
    digest = text ? createHash("sha256").update(text).digest("base64").slice(0, 16) : "";
    digests.set(file, digest);
  }
  return digest;
}

/** The text of every outermost `z.…(…)` call chain in `file`, in order ("" when there is none). */
export function zodSchemaText(file: ts.SourceFile): string {
  const parts: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && startsAtZod(node.expression)) {
      parts.push(outermostChain(node).getText(file));
      return;
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(file, visit);
  return parts.join("\n");
}

/** Whether a callee is `z.x` or a chain on one (`z.number().int`). */
function startsAtZod(expr: ts.Expression): boolean {
  let e: ts.Expression = expr;
  for (;;) {
    if (ts.isPropertyAccessExpression(e)) e = e.expression;
    else if (ts.isCallExpression(e)) e = e.expression;
    else return ts.isIdentifier(e) && e.text === "z";
  }
}

/** The call at the top of the chain a zod call starts (`z.number()` in `z.number().int().optional()`). */
function outermostChain(call: ts.CallExpression): ts.Node {
  let node: ts.Node = call;
  while (
    (ts.isPropertyAccessExpression(node.parent) && node.parent.expression === node) ||
    (ts.isCallExpression(node.parent) && node.parent.expression === node)
  )
    node = node.parent;
  return node;
}
