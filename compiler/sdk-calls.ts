// Recognises weir SDK calls by the symbol they resolve to (a declaration in the weir package's
// sdk/ folder, or in types/sdk/, its generated declarations that user projects resolve `weir` to),
// never by the text of the name, so aliases and namespace imports work and a user's own function
// called `task` is not mistaken for weir's.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { Node } from "ts-morph";
import type { CallExpression, Symbol as MorphSymbol, ts } from "ts-morph";

export type SdkFunction =
  | "task"
  | "task.command"
  | "workflow"
  | "map"
  | "when"
  | "then"
  | "elif"
  | "otherwise"
  | "sensor.file"
  | "and"
  | "or"
  | "not"
  | "after"
  | "get"
  | "eq"
  | "ne"
  | "gt"
  | "gte"
  | "lt"
  | "lte"
  | "isTrue"
  | "isFalse";

// `<sdk file>:<declaration name>` → what the call means.
const SDK_DECLARATIONS: Readonly<Record<string, SdkFunction>> = Object.freeze({
  "task.ts:task": "task",
  "task.ts:command": "task.command",
  "workflow.ts:workflow": "workflow",
  "workflow.ts:map": "map",
  "workflow.ts:when": "when",
  "workflow.ts:then": "then",
  "workflow.ts:elif": "elif",
  "workflow.ts:otherwise": "otherwise",
  "workflow.ts:file": "sensor.file",
  "ref.ts:and": "and",
  "ref.ts:or": "or",
  "ref.ts:not": "not",
  "ref.ts:after": "after",
  "ref.ts:get": "get",
  "ref.ts:eq": "eq",
  "ref.ts:ne": "ne",
  "ref.ts:gt": "gt",
  "ref.ts:gte": "gte",
  "ref.ts:lt": "lt",
  "ref.ts:lte": "lte",
  "ref.ts:isTrue": "isTrue",
  "ref.ts:isFalse": "isFalse",
});

/** What SDK function `call` invokes, or undefined when it is not a weir SDK call. */
export function sdkFunctionOf(call: CallExpression): SdkFunction | undefined {
  return sdkFunctionOfSymbol(call.getExpression().getSymbol());
}

// What each (unaliased) compiler symbol means; a body resolves the same few SDK symbols many times.
const meaningBySymbol = new WeakMap<ts.Symbol, SdkFunction | null>();

export function sdkFunctionOfSymbol(symbol: MorphSymbol | undefined): SdkFunction | undefined {
  const resolved = resolveAlias(symbol);
  if (!resolved) return undefined;
  const known = meaningBySymbol.get(resolved.compilerSymbol);
  if (known !== undefined) return known ?? undefined;
  const meaning = meaningOf(resolved);
  meaningBySymbol.set(resolved.compilerSymbol, meaning ?? null);
  return meaning;
}

function meaningOf(resolved: MorphSymbol): SdkFunction | undefined {
  for (const decl of resolved.getDeclarations()) {
    const file = decl.getSourceFile().getFilePath();
    if (!isSdkFile(file)) continue;
    const name = Node.hasName(decl) ? decl.getName() : resolved.getName();
    const meaning = SDK_DECLARATIONS[`${path.basename(file).replace(/\.d\.ts$/, ".ts")}:${name}`];
    if (meaning) return meaning;
  }
  return undefined;
}

export function resolveAlias(symbol: MorphSymbol | undefined): MorphSymbol | undefined {
  if (!symbol) return undefined;
  return symbol.isAlias() ? (symbol.getAliasedSymbol() ?? symbol) : symbol;
}

const packageNameByDir = new Map<string, string | undefined>();

// Where the SDK's declarations sit in the package: its sources, and the `.d.ts` files generated from
// them (bench/types/generate-declarations.ts) that the package's "types" condition points at.
const SDK_DIRS: readonly string[] = Object.freeze(["sdk", path.join("types", "sdk")]);

/** True for a file in `sdk/` or `types/sdk/` of the package named "weir" (this repo or node_modules). */
export function isSdkFile(filePath: string): boolean {
  let dir = path.dirname(filePath);
  const sdkDir = dir;
  for (;;) {
    const name = packageName(dir);
    if (name !== undefined) return name === "weir" && SDK_DIRS.includes(path.relative(dir, sdkDir));
    const parent = path.dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
}

function packageName(dir: string): string | undefined {
  if (packageNameByDir.has(dir)) return packageNameByDir.get(dir);
  const file = path.join(dir, "package.json");
  let name: string | undefined;
  if (existsSync(file)) {
    try {
      name = String((JSON.parse(readFileSync(file, "utf8")) as { name?: unknown }).name ?? "");
    } catch {
      name = "";
    }
  }
  packageNameByDir.set(dir, name);
  return name;
}
