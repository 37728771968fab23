// What a source file imports, read with the TypeScript parser rather than a regex, so an import
// quoted in a comment or a string is not one: static imports and re-exports, `import()` (in code
// and in types), `require()` and `import x = require()`. Shared by the layering and boundary tests.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

export interface ImportSite {
  /** The module specifier as written. */
  specifier: string;
  /** 1-based line of the statement. */
  line: number;
}

/** The folders no layering rule reads: dependencies, generated state, user projects used as fixtures. */
const SKIPPED_DIRS = new Set(["node_modules", ".weir", ".git", "fixtures"]);

/** Every .ts, .tsx, .mts, .cts, .js and .mjs file under `dir` (declaration files excluded). */
export function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return SKIPPED_DIRS.has(name) ? [] : sourceFiles(path);
    return /\.([cm]?[tj]s|tsx)$/.test(name) && !/\.d\.[cm]?ts$/.test(name) ? [path] : [];
  });
}

export function importsOf(file: string, text: string = readFileSync(file, "utf8")): ImportSite[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const sites: ImportSite[] = [];
  const add = (node: ts.Node, literal: ts.Node | undefined) => {
    if (literal && ts.isStringLiteralLike(literal)) {
      sites.push({ specifier: literal.text, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1 });
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node, node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node, node.moduleReference.expression);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node, node.argument.literal);
    else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === "require")) add(node, node.arguments[0]);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return sites;
}

/**
 * The file a specifier names, relative to `root`: a relative path resolved as written (then with
 * `.ts` or `/index.ts`), or this package's own name through package.json's "exports"; undefined
 * for another package or a node built-in.
 */
export function resolveInPackage(root: string, from: string, specifier: string): string | undefined {
  if (specifier.startsWith(".")) {
    const target = resolve(dirname(from), specifier);
    const found = [target, `${target}.ts`, join(target, "index.ts")].find((p) => existsSync(p) && statSync(p).isFile());
    return relative(root, found ?? target);
  }
  const pkg = packageExports(root);
  if (specifier !== pkg.name && !specifier.startsWith(`${pkg.name}/`)) return undefined;
  const target = pkg.exports[`.${specifier.slice(pkg.name.length)}`];
  return target === undefined ? specifier : relative(root, resolve(root, target));
}

const packages = new Map<string, { name: string; exports: Record<string, string> }>();

function packageExports(root: string): { name: string; exports: Record<string, string> } {
  let pkg = packages.get(root);
  if (!pkg) {
    const json = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { name: string; exports?: Record<string, string | { default: string }> };
    // An entry with conditions ("types" for the declarations in types/) is the file node runs: "default".
    const exports = Object.entries(json.exports ?? {}).map(([entry, target]) => [entry, typeof target === "string" ? target : target.default]);
    pkg = { name: json.name, exports: Object.fromEntries(exports) };
    packages.set(root, pkg);
  }
  return pkg;
}
