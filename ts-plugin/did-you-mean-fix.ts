// The quick fix for a diagnostic whose message ends "; did you mean 'x'?": rename the unknown name
// to the suggestion. The name is the token at the diagnostic or, when the compiler points at a
// property's value (`{ valeu: n }`), that property's key. Offered only when that text is a name the
// message quotes, so a diagnostic placed elsewhere never yields an edit that changes the wrong thing.
import type ts from "typescript";

const SUGGESTION = /; did you mean '([^']+)'\?/;

export function didYouMeanFix(typescript: typeof ts, diagnostic: ts.Diagnostic): ts.CodeFixAction | undefined {
  const message = typescript.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
  const suggestion = SUGGESTION.exec(message)?.[1];
  const file = diagnostic.file;
  if (suggestion === undefined || !file || diagnostic.start === undefined) return undefined;
  const quotes = (name: string) => name !== suggestion && message.includes(`'${name}'`);
  const fix = (name: string, change: ts.TextChange): ts.CodeFixAction => ({
    fixName: "weirDidYouMean",
    description: `Change '${name}' to '${suggestion}'`,
    changes: [{ fileName: file.fileName, textChanges: [change] }],
  });

  const node = tokenAt(typescript, file, diagnostic.start);
  if (!node) return undefined;
  const parent = node.parent;
  // `{ valeu }` names a variable too: keep it as the value under the right key.
  if (parent && typescript.isShorthandPropertyAssignment(parent) && quotes(parent.name.text)) {
    return fix(parent.name.text, { span: { start: parent.name.getStart(file), length: 0 }, newText: `${suggestion}: ` });
  }
  const named = parent && typescript.isPropertyAssignment(parent) && parent.initializer === node ? parent.name : node;
  const name = typescript.isIdentifier(named) || typescript.isStringLiteralLike(named) ? named.text : undefined;
  if (name === undefined || !quotes(name)) return undefined;
  // Inside quotes only the text changes; an identifier key that is not a valid name gets quoted.
  const start = typescript.isIdentifier(named) ? named.getStart(file) : named.getStart(file) + 1;
  const newText = typescript.isIdentifier(named) && !/^[A-Za-z_$][\w$]*$/.test(suggestion) ? JSON.stringify(suggestion) : suggestion;
  return fix(name, { span: { start, length: name.length }, newText });
}

/** The innermost node whose own text starts at or spans `pos`. */
function tokenAt(typescript: typeof ts, file: ts.SourceFile, pos: number): ts.Node | undefined {
  let found: ts.Node | undefined;
  const visit = (node: ts.Node): void => {
    if (node.getStart(file) <= pos && pos < node.getEnd()) {
      found = node;
      typescript.forEachChild(node, visit);
    }
  };
  typescript.forEachChild(file, visit);
  return found;
}
