// The code hash algorithm, over whichever copy of the TypeScript parser its caller holds: the worker
// passes the `typescript` package and parses from disk (code-hash.ts); the compiler passes the copy
// ts-morph bundles and the files its program already parsed, so one compile loads TypeScript once
// and parses each file once. The hash depends only on the files' text, so both agree byte for byte.
// sha256 over the task's own declaration, the rest of its module except other task/workflow
// declarations, and the full text of every project-local module it imports, transitively.
import { toBinary } from "@bufbuild/protobuf";
import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import type ts from "typescript";
import { TypedInterfaceSchema } from "../proto/messages.ts";
import type { TypedInterface } from "../proto/messages.ts";

export type CodeHashErrorCode = "MODULE_NOT_FOUND" | "EXPORT_NOT_FOUND";

/** Thrown when the module or export a spec names is not there (the worker reports it as such). */
export class CodeHashError extends Error {
  constructor(
    readonly code: CodeHashErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The TypeScript API the hash walks trees with (the `typescript` package's shape). */
export type TypeScriptApi = typeof ts;

/** Where parsed files come from: `parse` returns the file's syntax tree over its current text on disk. */
export interface CodeHashSources {
  readonly ts: TypeScriptApi;
  parse(file: string): ts.SourceFile;
}

const RESOLVE_SUFFIXES: readonly string[] = Object.freeze(["", ".ts", ".tsx", ".mts", "/index.ts", "/index.tsx"]);
// Calls that declare something weir runs separately; their text is hashed only for their own task.
const DECLARING_CALLEES: readonly string[] = Object.freeze(["task", "task.command", "workflow"]);

/**
 * sha256 (hex) of the task exported as `exportName` from `moduleFile` (relative to `projectRoot`
 * or absolute) and the project-local modules it depends on.
 */
export function computeTaskCodeHash(sources: CodeHashSources, projectRoot: string, moduleFile: string, exportName: string): string {
  const root = path.resolve(projectRoot);
  const file = path.resolve(root, moduleFile);
  if (!existsSync(file)) throw new CodeHashError("MODULE_NOT_FOUND", `module '${moduleFile}' does not exist under ${root}`);
  const found = findExport(sources, file, exportName, new Set());
  if (!found) throw new CodeHashError("EXPORT_NOT_FOUND", `module '${moduleFile}' has no exported task '${exportName}'`);

  const hash = createHash("sha256");
  const own = sources.parse(found.file);
  hash.update(`task\0${found.declaration.getText(own)}\0`);
  hash.update(`module\0${ownModuleText(sources.ts, own, found.declaration)}\0`);
  const modules = new Set<string>();
  collectImports(sources, found.file, root, modules);
  modules.delete(found.file);
  for (const dep of [...modules].sort()) {
    hash.update(`import\0${path.relative(root, dep).split(path.sep).join("/")}\0${sources.parse(dep).text}\0`);
  }
  return hash.digest("hex");
}

/** The task version the spec carries: sha256 over the interface's binary form and the code hash. */
export function taskVersion(iface: TypedInterface, codeHash: string): string {
  return createHash("sha256").update(toBinary(TypedInterfaceSchema, iface)).update(codeHash).digest("hex");
}

interface FoundExport {
  readonly file: string;
  readonly declaration: ts.VariableDeclaration;
}

function findExport(sources: CodeHashSources, file: string, name: string, seen: Set<string>): FoundExport | undefined {
  if (seen.has(`${file}#${name}`)) return undefined;
  seen.add(`${file}#${name}`);
  const { ts } = sources;
  const source = sources.parse(file);
  let local: string | undefined;
  for (const statement of source.statements) {
    if (ts.isVariableStatement(statement) && hasExportModifier(ts, statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name) && declaration.name.text === name) return { file, declaration };
      }
    }
    if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) {
        if (element.name.text !== name) continue;
        const original = (element.propertyName ?? element.name).text;
        const specifier = statement.moduleSpecifier;
        if (specifier && ts.isStringLiteral(specifier)) {
          const target = resolveRelative(file, specifier.text);
          return target ? findExport(sources, target, original, seen) : undefined;
        }
        local = original;
      }
    }
    if (ts.isExportDeclaration(statement) && !statement.exportClause && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
      const target = resolveRelative(file, statement.moduleSpecifier.text);
      const found = target ? findExport(sources, target, name, seen) : undefined;
      if (found) return found;
    }
  }
  if (local === undefined) return undefined;
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      if (ts.isIdentifier(declaration.name) && declaration.name.text === local) return { file, declaration };
    }
  }
  // `import { x } from "./a.ts"; export { x as y }`
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const bindings = statement.importClause?.namedBindings;
    if (!bindings || !ts.isNamedImports(bindings)) continue;
    for (const element of bindings.elements) {
      if (element.name.text !== local) continue;
      const target = resolveRelative(file, statement.moduleSpecifier.text);
      return target ? findExport(sources, target, (element.propertyName ?? element.name).text, seen) : undefined;
    }
  }
  return undefined;
}

function hasExportModifier(ts: TypeScriptApi, statement: ts.VariableStatement): boolean {
  return statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false;
}

// The module's text minus every other task/workflow declaration, so editing a sibling task does
// not change this one's hash while editing a helper function in the same module does.
function ownModuleText(ts: TypeScriptApi, source: ts.SourceFile, self: ts.VariableDeclaration): string {
  const parts: string[] = [];
  for (const statement of source.statements) {
    if (ts.isVariableStatement(statement)) {
      const kept = statement.declarationList.declarations.filter((d) => d === self || !isDeclaringCall(ts, d.initializer, source));
      if (kept.length === 0) continue;
      if (kept.includes(self)) continue;
    }
    parts.push(statement.getText(source));
  }
  return parts.join("\n");
}

function isDeclaringCall(ts: TypeScriptApi, init: ts.Expression | undefined, source: ts.SourceFile): boolean {
  let expr = init;
  while (expr && (ts.isAsExpression(expr) || ts.isSatisfiesExpression(expr) || ts.isParenthesizedExpression(expr))) expr = expr.expression;
  return !!expr && ts.isCallExpression(expr) && DECLARING_CALLEES.includes(expr.expression.getText(source));
}

function collectImports(sources: CodeHashSources, file: string, root: string, into: Set<string>): void {
  if (into.has(file)) return;
  into.add(file);
  const { ts } = sources;
  const source = sources.parse(file);
  for (const statement of source.statements) {
    const specifier =
      (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)
        ? statement.moduleSpecifier.text
        : undefined;
    if (!specifier) continue;
    const target = resolveRelative(file, specifier);
    if (!target) continue;
    const rel = path.relative(root, target);
    if (rel.startsWith("..") || rel.split(path.sep).includes("node_modules")) continue;
    collectImports(sources, target, root, into);
  }
}

/** A relative import resolved to a file; bare specifiers (packages) resolve to nothing. */
function resolveRelative(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  const base = path.resolve(path.dirname(from), specifier);
  for (const suffix of RESOLVE_SUFFIXES) {
    const candidate = base + suffix;
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  // `./x.js` written for a `./x.ts` source
  const swapped = base.replace(/\.js$/, ".ts");
  return swapped !== base && existsSync(swapped) ? swapped : undefined;
}
