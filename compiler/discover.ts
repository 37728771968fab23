// Finds every task and workflow the project declares (`task(...)`, `task.command(...)`,
// `workflow(...)` bound to a top-level const) and under which module/name each is exported,
// following re-exports and aliases, plus top-level side effects in the modules that declare them.
import { Node, SyntaxKind } from "ts-morph";
import type { CallExpression, Expression, SourceFile, VariableDeclaration, ts } from "ts-morph";
import { Diagnostics, diagnostic } from "../core/index.ts";
import type { Diagnostic } from "../core/index.ts";
import { checkerOf, symbolAt, unaliased } from "./compiler-symbols.ts";
import { locationOf } from "./location.ts";
import { relativeToRoot } from "./project.ts";
import { isSdkFile, resolveAlias, sdkFunctionOf } from "./sdk-calls.ts";

export type DefinitionKind = "task" | "commandTask" | "workflow";

export interface ExportSite {
  /** Module path relative to the project root. */
  readonly module: string;
  readonly exportName: string;
}

export interface Definition {
  readonly kind: DefinitionKind;
  readonly declaration: VariableDeclaration;
  /** The `task(...)` / `workflow(...)` call. */
  readonly call: CallExpression;
  /** The declared `name` (from the config literal), or undefined when it is not a literal. */
  readonly name: string | undefined;
  /** Module path relative to the root where the const is declared. */
  readonly module: string;
  readonly localName: string;
  /** How a worker imports it: the declaring module's own export when there is one. */
  exportSite?: ExportSite;
}

export interface Discovery {
  /** Every definition, in file then position order. */
  readonly definitions: Definition[];
  readonly workflows: Definition[];
  readonly tasks: Definition[];
  readonly diagnostics: Diagnostic[];
  /** The definition a callee resolves to (through imports, re-exports and aliases). */
  definitionOf(callee: Node): Definition | undefined;
}

const DEFINING: Readonly<Record<string, DefinitionKind>> = Object.freeze({
  task: "task",
  "task.command": "commandTask",
  workflow: "workflow",
});

/** Per-file findings kept between watch recompiles, valid while the file's key is unchanged. */
export type DiscoveryCache = Map<string, { readonly key: string; readonly definitions: readonly Definition[]; readonly diagnostics: readonly Diagnostic[] }>;

/**
 * With `cache` and `keyOf` (the watch loop: a file's version and its imports' signatures), a file
 * whose key is unchanged is not read again; export sites are always recomputed across files.
 */
export function discover(root: string, files: readonly SourceFile[], cache?: DiscoveryCache, keyOf?: (file: SourceFile) => string): Discovery {
  const byDeclaration = new Map<VariableDeclaration, Definition>();
  const definitions: Definition[] = [];
  const diagnostics: Diagnostic[] = [];

  for (const file of files) {
    const key = cache && keyOf ? keyOf(file) : undefined;
    const known = key !== undefined ? cache?.get(file.getFilePath()) : undefined;
    if (known && known.key === key) {
      for (const definition of known.definitions) {
        definition.exportSite = undefined;
        byDeclaration.set(definition.declaration, definition);
        definitions.push(definition);
      }
      diagnostics.push(...known.diagnostics);
      continue;
    }
    const firstDefinition = definitions.length;
    const firstDiagnostic = diagnostics.length;
    readFile(root, file, byDeclaration, definitions, diagnostics);
    if (key !== undefined) {
      cache?.set(file.getFilePath(), { key, definitions: definitions.slice(firstDefinition), diagnostics: diagnostics.slice(firstDiagnostic) });
    }
  }
  return withExports(root, files, byDeclaration, definitions, diagnostics);
}

function readFile(
  root: string,
  file: SourceFile,
  byDeclaration: Map<VariableDeclaration, Definition>,
  definitions: Definition[],
  diagnostics: Diagnostic[],
): void {
  {
    let declares = false;
    for (const statement of file.getVariableStatements()) {
      for (const declaration of statement.getDeclarations()) {
        const call = definingCall(declaration.getInitializer());
        if (!call) continue;
        const kind = DEFINING[sdkFunctionOf(call) ?? ""];
        if (!kind) continue;
        const definition: Definition = {
          kind,
          declaration,
          call,
          name: configName(call),
          module: relativeToRoot(root, file.getFilePath()),
          localName: declaration.getName(),
        };
        byDeclaration.set(declaration, definition);
        definitions.push(definition);
        declares = true;
      }
    }
    if (declares) diagnostics.push(...topLevelSideEffects(root, file));
  }
}

function withExports(
  root: string,
  files: readonly SourceFile[],
  byDeclaration: Map<VariableDeclaration, Definition>,
  definitions: Definition[],
  diagnostics: Diagnostic[],
): Discovery {
  // Exports: the declaring module's own export wins; otherwise the first re-export by path.
  for (const file of files) {
    const module = relativeToRoot(root, file.getFilePath());
    for (const [exportName, declarations] of [...file.getExportedDeclarations()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      for (const declaration of declarations) {
        const definition = Node.isVariableDeclaration(declaration) ? byDeclaration.get(declaration) : undefined;
        if (!definition) continue;
        const own = module === definition.module;
        const current = definition.exportSite;
        if (!current || (own && current.module !== module)) definition.exportSite = { module, exportName };
      }
    }
  }

  const exported = definitions.filter((d) => d.exportSite);
  // Looked up once per call in a body: by the compiler's declaration node, no wrappers on the way.
  const byCompilerDeclaration = new Map<ts.Node, Definition>();
  for (const [declaration, definition] of byDeclaration) byCompilerDeclaration.set(declaration.compilerNode, definition);
  return {
    definitions,
    workflows: exported.filter((d) => d.kind === "workflow"),
    tasks: exported.filter((d) => d.kind !== "workflow"),
    diagnostics,
    definitionOf: (callee) => {
      const checker = checkerOf(callee);
      const resolved = unaliased(checker, symbolAt(checker, callee.compilerNode));
      for (const declaration of resolved?.declarations ?? []) {
        const found = byCompilerDeclaration.get(declaration);
        if (found) return found;
      }
      return undefined;
    },
  };
}

/** The call under `as`, `satisfies` and parentheses, if the initializer is one. */
function definingCall(initializer: Expression | undefined): CallExpression | undefined {
  let expr: Node | undefined = initializer;
  while (expr && (Node.isAsExpression(expr) || Node.isSatisfiesExpression(expr) || Node.isParenthesizedExpression(expr))) {
    expr = expr.getExpression();
  }
  return expr && Node.isCallExpression(expr) ? expr : undefined;
}

function configName(call: CallExpression): string | undefined {
  const config = call.getArguments()[0];
  if (!config || !Node.isObjectLiteralExpression(config)) return undefined;
  const property = config.getProperty("name");
  if (!property || !Node.isPropertyAssignment(property)) return undefined;
  const value = property.getInitializer()?.getType().getLiteralValue();
  return typeof value === "string" ? value : undefined;
}

// A call, `new` or `await` at the top level of a module that declares tasks or workflows runs
// whenever a worker loads the module (the seed's "DAG parse time" anti-pattern: a database
// connection at top level); the compiler never runs it, but says so. Declarations built with the
// SDK or zod (`df.schema(...)`, `z.object(...)`) are data, not effects.
function topLevelSideEffects(root: string, file: SourceFile): Diagnostic[] {
  const found: Diagnostic[] = [];
  const check = (expr: Node | undefined) => {
    while (expr && (Node.isAsExpression(expr) || Node.isSatisfiesExpression(expr) || Node.isParenthesizedExpression(expr))) {
      expr = expr.getExpression();
    }
    if (!expr) return;
    const effect =
      expr.getKind() === SyntaxKind.AwaitExpression || expr.getKind() === SyntaxKind.NewExpression || (Node.isCallExpression(expr) && !isDeclarationCall(expr));
    if (effect) found.push(diagnostic(Diagnostics.TopLevelSideEffect, [shorten(expr.getText())], locationOf(root, expr)));
  };
  for (const statement of file.getStatements()) {
    if (Node.isExpressionStatement(statement)) check(statement.getExpression());
    if (Node.isVariableStatement(statement)) for (const decl of statement.getDeclarations()) check(decl.getInitializer());
  }
  return found;
}

function isDeclarationCall(call: CallExpression): boolean {
  if (sdkFunctionOf(call)) return true;
  const callee = resolveAlias(call.getExpression().getSymbol());
  return (callee?.getDeclarations() ?? []).some((d) => {
    const file = d.getSourceFile().getFilePath();
    return isSdkFile(file) || /[\\/]node_modules[\\/]zod[\\/]/.test(file);
  });
}

function shorten(text: string): string {
  const oneLine = text.replace(/\s+/g, " ");
  return oneLine.length > 60 ? `${oneLine.slice(0, 57)}...` : oneLine;
}
